export { startProjector, type Projector, type ProjectorOptions, type ProjectorStatus, type PartitionStatus } from './projector';
export { retryDeadLetters, type RetryResult } from './retry';
export { applyObservations, type ApplyStats } from './apply-observations';
export { remoteProjectorClient, serveRemoteRequest, type RemoteProjectorClient, type RemoteReply, type RemoteRequest } from './remote-protocol';
export { serveProjectorInWorker, startProjectorInWorker, type ProjectorWorkerHooks } from './worker-thread';
export { runLiveProjectorWorkerIfAsked, startLiveProjectorInWorker, type LiveProjectorOptions } from './live-worker';
export { pruneChangeFeed, startChangeFeedPruner, type PruneResult } from './change-feed-retention';
