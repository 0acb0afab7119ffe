import pg from 'pg';
import { createLogger, type Logger } from '@soulspot/observability';
import { serveProjectorInWorker, startProjector, startProjectorInWorker, type Projector, type ProjectorOptions, type ProjectorWorkerHooks } from '../projection';
import { lowerThisThreadPriority, priorityLogger, reniceLocalBackend } from './cpu-priority';
import { SHADOW_SCHEMA } from './schemas';
import { createPgPool } from '@soulspot/library-db/pool';

/** What a shadow projector needs, as plain data (it crosses into a worker thread). */
export type ShadowProjectorOptions = Omit<ProjectorOptions, 'logger' | 'pool'> & {
  /** Log bindings of the shadow projector's logger (e.g. the rebuild id). */
  logBindings: Record<string, string>;
  /** Nice value of the replay's worker thread (0 = unchanged). Only applies in a worker (see cpu-priority.ts); a replay process gets its nice value when it is spawned. */
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
  const pool = createPgPool(
    { connectionString: databaseUrl, max: 4, options: `-c search_path=${SHADOW_SCHEMA}`, application_name: SHADOW_APPLICATION_NAME },
    (error) => logger.warn({ err: error.message }, 'shadow connection to PostgreSQL lost'),
  );
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

/**
 * The shadow projector in a worker thread of this process (`REBUILD_REPLAY_RUNNER=thread`, the default; the other
 * runner is a child process, replay-process.ts). In a worker the replay's long synchronous stretches cannot hold up
 * the gRPC event loop, but it shares the process's V8 garbage-collection helper threads (at the service's priority)
 * and memory.
 * `entry` is the module that calls `runShadowProjectorWorkerIfAsked()` first thing (the service's main module).
 */
export function startShadowProjectorInWorker(
  options: ShadowProjectorOptions,
  entry: URL,
  logger: Logger,
  hooks: ProjectorWorkerHooks = {},
): Promise<Projector> {
  return startProjectorInWorker(entry, WORKER_ROLE, options, 'shadow projector worker', logger, hooks);
}

/** In a shadow projector worker: runs it and answers the parent's requests; elsewhere does nothing. Returns whether it did. */
export function runShadowProjectorWorkerIfAsked(): boolean {
  return serveProjectorInWorker(WORKER_ROLE, (options: ShadowProjectorOptions) => {
    const logger = createLogger('library-service');
    // first thing: the replay is background work, and this thread is the replay's alone
    priorityLogger(logger.child(options.logBindings), 'replay thread')(lowerThisThreadPriority(options.replayNice ?? 0));
    return startShadowProjectorHere(options, logger);
  });
}
