import { createLogger, type Logger } from '@soulspot/observability';
import { startProjector, type Projector, type ProjectorOptions } from './projector';
import { serveProjectorInWorker, startProjectorInWorker, type ProjectorWorkerHooks } from './worker-thread';

const WORKER_ROLE = 'soulspot-live-projector';

/** What the live projector needs, as plain data (it crosses into its worker thread). */
export type LiveProjectorOptions = Omit<ProjectorOptions, 'logger' | 'pool'>;

/**
 * The live projector in its own worker thread (`PROJECTION_RUNNER=thread`, the default). A projection transaction
 * keeps its thread busy for up to ~0.7 s at a time (decoding the next fetch, merging a batch's rows, collecting its
 * garbage); on the thread that serves gRPC, every read arriving meanwhile waited that long. `entry` is the module
 * that calls `runLiveProjectorWorkerIfAsked()` first thing (the service's main module).
 */
export function startLiveProjectorInWorker(options: LiveProjectorOptions, entry: URL, logger: Logger, hooks: ProjectorWorkerHooks = {}): Promise<Projector> {
  return startProjectorInWorker(entry, WORKER_ROLE, options, 'live projector worker', logger, hooks);
}

/** In the live projector's worker: runs it and answers the service's requests; elsewhere does nothing. Returns whether it did. */
export function runLiveProjectorWorkerIfAsked(): boolean {
  return serveProjectorInWorker(WORKER_ROLE, (options: LiveProjectorOptions) => startProjector({ ...options, logger: createLogger('library-service') }));
}
