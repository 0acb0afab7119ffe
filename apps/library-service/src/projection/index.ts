export { startProjector, type Projector, type ProjectorOptions, type ProjectorStatus, type PartitionStatus } from './projector';
export { retryDeadLetters, type RetryResult } from './retry';
export { applyObservations, type ApplyStats } from './apply-observations';
