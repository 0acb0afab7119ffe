import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '@soulspot/observability';
import type { Projector } from './projector';
import { remoteProjectorClient, serveRemoteRequest, type RemoteReply, type RemoteRequest } from './remote-protocol';

/** What a worker is started with: which projector it runs (`role`) and that projector's options (plain data). */
interface WorkerData {
  role: string;
  options: unknown;
}

export interface ProjectorWorkerHooks {
  /** The worker ended without being stopped (it crashed, or ran out of memory). */
  onUnexpectedExit?(error: Error): void;
}

/**
 * A projector in a worker thread of this process, driven through the remote-projector protocol: its synchronous
 * stretches (decoding a fetch, merging a batch's rows, its garbage collection) then never hold up the event loop
 * that serves gRPC. `entry` is the module that dispatches worker roles first thing (the service's main module,
 * see `serveProjectorInWorker`); `label` names the worker in errors and logs.
 */
export function startProjectorInWorker(
  entry: URL,
  role: string,
  options: unknown,
  label: string,
  logger: Logger,
  hooks: ProjectorWorkerHooks = {},
): Promise<Projector> {
  const worker = spawnWorker(entry, { role, options } satisfies WorkerData);
  let stopping = false;
  const client = remoteProjectorClient(
    (request) => worker.postMessage(request),
    async () => {
      stopping = true;
      await worker.terminate();
    },
  );
  worker.on('message', (reply: RemoteReply) => client.receive(reply));
  worker.on('error', (error) => {
    logger.error({ err: error.message }, `${label} failed`);
    client.close(error);
  });
  // an exit before `ready` is a failed start, which the caller gets from `started` instead
  let ready = false;
  worker.on('exit', (code) => {
    const error = new Error(`${label} exited (${code})`);
    client.close(error);
    if (!stopping && ready) hooks.onUnexpectedExit?.(error);
  });
  client.started.then(
    () => (ready = true),
    () => {
      // a projector that failed to start leaves nothing to serve: its thread goes
      stopping = true;
      void worker.terminate();
    },
  );
  return client.started;
}

/**
 * A worker running `entry`. Workers do not inherit the parent's module loader hooks, so when the service runs from
 * TypeScript sources (tsx, in development and tests) the worker registers tsx itself before importing the entry;
 * the bundled service (main.js) is loaded directly.
 */
function spawnWorker(entry: URL, data: WorkerData): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: data });
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/**
 * In a worker started for `role`: starts the projector with the options it was given and answers the parent's
 * requests until told to stop. Anywhere else it does nothing. Returns whether this thread is such a worker.
 */
export function serveProjectorInWorker<Options>(role: string, start: (options: Options) => Promise<Projector>): boolean {
  if (isMainThread || (workerData as WorkerData | null)?.role !== role) return false;
  const port = parentPort!;
  void start((workerData as WorkerData).options as Options).then(
    (projector) => {
      port.on('message', (request: RemoteRequest) => void serveRemoteRequest(projector, request, (reply) => port.postMessage(reply)));
      port.postMessage({ ready: true } satisfies RemoteReply);
    },
    (error: Error) => port.postMessage({ failed: error.message } satisfies RemoteReply),
  );
  return true;
}
