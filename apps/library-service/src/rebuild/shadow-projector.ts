import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { createLogger, type Logger } from '@soulspot/observability';
import { startProjector, type Projector, type ProjectorOptions } from '../projection';
import { lowerThisThreadPriority, priorityLogger, reniceLocalBackend } from './cpu-priority';
import { SHADOW_SCHEMA } from './schemas';

/** What a shadow projector needs, as plain data (it crosses into a worker thread). */
export type ShadowProjectorOptions = Omit<ProjectorOptions, 'logger' | 'pool'> & {
  /** Log bindings of the shadow projector's logger (e.g. the rebuild id). */
  logBindings: Record<string, string>;
  /** Nice value of the replay's worker thread (0 = unchanged). Only applies in a worker (see cpu-priority.ts). */
  replayNice?: number;
  /** Nice value of the PostgreSQL backends the replay writes through, when PostgreSQL runs on this host (0 = unchanged). */
  postgresNice?: number;
};

const WORKER_ROLE = 'soulspot-shadow-projector';
/** application_name of the replay's connections (pg_stat_activity tells them apart from the live projector's). */
export const SHADOW_APPLICATION_NAME = 'library-service-rebuild-replay';

/**
 * A pool whose unqualified table names resolve to the shadow copies (the projector's SQL names them unqualified).
 * With `postgresNice` each new connection's backend gets that nice value when it is a local process we may renice.
 */
export function shadowPool(databaseUrl: string, logger: Logger, postgresNice = 0): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, options: `-c search_path=${SHADOW_SCHEMA}`, application_name: SHADOW_APPLICATION_NAME });
  pool.on('error', (error) => logger.warn({ err: error.message }, 'idle shadow connection failed'));
  if (postgresNice !== 0) {
    const report = priorityLogger(logger, 'postgres backend');
    pool.on('connect', (client) => {
      const { host, processID, connection } = client as unknown as { host?: string; processID: number; connection: { stream: { localPort?: number } } };
      report(reniceLocalBackend({ host, backendPid: processID, clientPort: connection.stream.localPort }, postgresNice));
    });
  }
  return pool;
}

/** The shadow projector in this thread, on its own shadow pool. */
export async function startShadowProjectorHere(options: ShadowProjectorOptions, parentLogger: Logger): Promise<Projector> {
  const { logBindings, replayNice: _replayNice, postgresNice, ...projectorOptions } = options;
  const logger = parentLogger.child(logBindings);
  const pool = shadowPool(options.databaseUrl, logger, postgresNice);
  const projector = await startProjector({ ...projectorOptions, logger, pool }).catch(async (error: unknown) => {
    await pool.end().catch(() => undefined);
    throw error;
  });
  return {
    status: () => projector.status(),
    retryDeadLetters: (ids) => projector.retryDeadLetters(ids),
    async stop() {
      await projector.stop();
      await pool.end().catch(() => undefined);
    },
  };
}

type Operation = { op: 'status' } | { op: 'retry'; ids: string[] } | { op: 'stop' };
type Request = Operation & { id: number };
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string } | { ready: true } | { failed: string };

/**
 * The shadow projector in a worker thread of this process. A rebuild replays the whole topic, which keeps a core busy
 * for minutes with long synchronous stretches (decoding, identity resolution, merges); on the main thread those would
 * hold up every gRPC read the service answers meanwhile. In a worker they only compete for CPU, not for the event
 * loop. `entry` is the module that calls `runShadowProjectorWorkerIfAsked()` first thing (the service's main module).
 */
export function startShadowProjectorInWorker(options: ShadowProjectorOptions, entry: URL, logger: Logger): Promise<Projector> {
  const worker = spawnWorker(entry, { role: WORKER_ROLE, options });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  let exited = false;
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  const call = (request: Operation): Promise<unknown> => {
    if (exited) return Promise.reject(new Error('the shadow projector worker is gone'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  };
  return new Promise<Projector>((resolveStarted, rejectStarted) => {
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) {
        resolveStarted({
          status: () => call({ op: 'status' }) as ReturnType<Projector['status']>,
          retryDeadLetters: (ids) => call({ op: 'retry', ids }) as ReturnType<Projector['retryDeadLetters']>,
          async stop() {
            if (exited) return;
            await call({ op: 'stop' });
            await worker.terminate();
          },
        });
      } else if ('failed' in reply) {
        rejectStarted(new Error(`shadow projector failed to start: ${reply.failed}`));
      } else {
        const waiting = pending.get(reply.id);
        pending.delete(reply.id);
        if (reply.ok) waiting?.resolve(reply.value);
        else waiting?.reject(new Error(reply.error));
      }
    });
    worker.on('error', (error) => {
      logger.error({ err: error.message }, 'shadow projector worker failed');
      rejectStarted(error);
      failAll(error);
    });
    worker.on('exit', (code) => {
      exited = true;
      rejectStarted(new Error(`shadow projector worker exited (${code}) before it started`));
      failAll(new Error(`shadow projector worker exited (${code})`));
    });
  });
}

/**
 * A worker running `entry`. Workers do not inherit the parent's module loader hooks, so when the service runs from
 * TypeScript sources (tsx, in development and tests) the worker registers tsx itself before importing the entry;
 * the bundled service (main.js) is loaded directly.
 */
function spawnWorker(entry: URL, data: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: data });
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** In a shadow projector worker: runs it and answers the parent's requests; elsewhere does nothing. Returns whether it did. */
export function runShadowProjectorWorkerIfAsked(): boolean {
  if (isMainThread || (workerData as { role?: string } | null)?.role !== WORKER_ROLE) return false;
  const port = parentPort!;
  const logger = createLogger('library-service');
  const { options } = workerData as { options: ShadowProjectorOptions };
  // first thing: the replay is background work, and this thread is the replay's alone
  priorityLogger(logger.child(options.logBindings), 'replay thread')(lowerThisThreadPriority(options.replayNice ?? 0));
  void startShadowProjectorHere(options, logger).then(
    (projector) => {
      port.on('message', (request: Request) => {
        const answer = (work: Promise<unknown>) =>
          work.then(
            (value) => port.postMessage({ id: request.id, ok: true, value } satisfies Reply),
            (error: Error) => port.postMessage({ id: request.id, ok: false, error: error.message } satisfies Reply),
          );
        if (request.op === 'status') void answer(projector.status());
        else if (request.op === 'retry') void answer(projector.retryDeadLetters(request.ids));
        else void answer(projector.stop());
      });
      port.postMessage({ ready: true } satisfies Reply);
    },
    (error: Error) => port.postMessage({ failed: error.message } satisfies Reply),
  );
  return true;
}
