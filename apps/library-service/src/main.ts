import type { Logger } from 'pino';
import { configureShutdown, createLogger, createMetricsRegistry, handleServiceArgs, onShutdown, shutdownNow, startService } from '@soulspot/observability';
import { type ProjectorConfig, loadProjectorConfig, projectorConfigSpec } from './config';
import { runLiveProjectorWorkerIfAsked, startChangeFeedPruner, startLiveProjectorInWorker, startProjector } from './projection';
import { startGrpcFromConfig } from './grpc/from-config';
import type { GrpcServerHandle } from './grpc';
import { createRebuildController, createSwitchableProjector } from './rebuild';
import { runReplayChildIfAsked } from './rebuild/replay-process';
import { runShadowProjectorWorkerIfAsked } from './rebuild/shadow-projector';
import { serveMetrics } from './rebuild/metrics';
import { createPgPool } from '@soulspot/library-db/pool';

/** library-service: projects the library events topic into the soulspot_* tables. */
async function main(): Promise<void> {
  handleServiceArgs({
    usage: 'library-service [--help]',
    summary:
      'Projects the library events topic into the soulspot_* tables and serves them over gRPC (LibraryService, ' +
      'ProjectionAdmin, health, reflection). Configured by the environment variables below; stops gracefully on SIGTERM.',
    spec: projectorConfigSpec,
  });
  const config = loadProjectorConfig();
  const logger = createLogger('library-service', { level: config.LOG_LEVEL });
  configureShutdown({ timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000, logger });
  await startService(() => start(config, logger));
}

async function start(config: ProjectorConfig, logger: Logger): Promise<void> {
  const entry = new URL(import.meta.url);
  // the projector's settings as plain data: they also cross into its worker thread
  const projectorSettings = {
    databaseUrl: config.DATABASE_URL,
    brokers: config.KAFKA_BROKERS,
    topic: config.KAFKA_TOPIC,
    dlqTopic: config.KAFKA_DLQ_TOPIC,
    projection: config.PROJECTION_NAME,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    maxBytesPerPartition: config.PROJECTION_MAX_BATCH_BYTES,
    maxEventsPerTransaction: config.PROJECTION_MAX_EVENTS_PER_TRANSACTION,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
  };
  // A live projector that dies on its own leaves the library silently stale: the service goes down with it (and is
  // restarted, resuming from the database checkpoints) rather than serve without a projection.
  const onUnexpectedExit = (error: Error) => {
    logger.fatal({ err: error.message }, 'the live projector stopped unexpectedly; shutting down');
    void shutdownNow(1);
  };
  const startLive = () =>
    config.PROJECTION_RUNNER === 'thread'
      ? startLiveProjectorInWorker({ ...projectorSettings, groupId: config.KAFKA_GROUP_ID, yieldsToRebuild: true }, entry, logger, { onUnexpectedExit })
      : startProjector({ ...projectorSettings, groupId: config.KAFKA_GROUP_ID, yieldsToRebuild: true, logger });
  // switchable: a rebuild pauses the live projector around its swap (stop, then a new consumer from the checkpoints)
  const projector = await createSwitchableProjector(startLive);
  onShutdown(() => projector.stop());

  const registry = createMetricsRegistry();
  const rebuildPool = createPgPool({ connectionString: config.DATABASE_URL, max: 3, application_name: 'library-service-rebuild' }, (error) =>
    logger.warn({ err: error.message }, 'rebuild connection to PostgreSQL lost'),
  );
  // the server is created after the controller (it serves the controller's RPCs); readiness reaches it once it exists
  const started: { grpc?: GrpcServerHandle } = {};
  const rebuild = createRebuildController({
    ...projectorSettings,
    logger,
    pool: rebuildPool,
    live: projector,
    registry,
    stuckAfterSeconds: config.REBUILD_STUCK_AFTER_SECONDS,
    // a rebuild's replay runs in a child process (or worker thread) started from this module, away from the gRPC reads
    replayEntry: entry,
    replayRunner: config.REBUILD_REPLAY_RUNNER,
    replayNice: config.REBUILD_REPLAY_NICE,
    replayMaxOldSpaceMb: config.REBUILD_REPLAY_MAX_OLD_SPACE_MB || undefined,
    postgresNice: config.REBUILD_POSTGRES_NICE,
    onReadiness: (serving) => started.grpc?.health.setRebuilding(!serving),
    onLiveProjectionLost: onUnexpectedExit,
  });
  onShutdown(async () => {
    await rebuild.close();
    await rebuildPool.end();
  });
  if (config.CHANGE_FEED_RETENTION_HOURS > 0) {
    const pruner = startChangeFeedPruner({
      // (the service's maintenance connections: a prune holds one for a moment every few minutes)
      pool: rebuildPool,
      retentionMs: config.CHANGE_FEED_RETENTION_HOURS * 3_600_000,
      intervalMs: CHANGE_FEED_PRUNE_INTERVAL_MS,
      logger,
    });
    onShutdown(() => pruner.stop());
  }
  if (config.METRICS_PORT > 0) {
    const metrics = await serveMetrics(registry, config.METRICS_PORT);
    onShutdown(() => metrics.stop());
  }

  // Shutdown runs the latest registration first: gRPC drains before the rebuild and the projector stop.
  const server = await startGrpcFromConfig(config, { logger, projection: projector, rebuild });
  started.grpc = server;
  onShutdown(() => server.stop(true));
  // A rebuild this service was running when it went down continues (its state and shadow tables are in the database).
  // In a rolling update the old replica still holds the rebuild lock at this point, so this one keeps asking until the
  // lock is free or no rebuild is left active.
  await rebuild.resumeInterrupted();
  const resumeCheck = setInterval(() => {
    rebuild.resumeInterrupted().catch((error: Error) => logger.warn({ err: error.message }, 'could not check for an interrupted rebuild'));
  }, RESUME_CHECK_MS);
  onShutdown(() => clearInterval(resumeCheck));
}

/** How often the change feed is pruned to its retention (CHANGE_FEED_RETENTION_HOURS). */
const CHANGE_FEED_PRUNE_INTERVAL_MS = 5 * 60_000;

/** How often a replica looks for an active rebuild that no process runs (its runner went away). */
const RESUME_CHECK_MS = 15_000;

// the live projector's thread and a rebuild's replay process or thread run this module too, and are taken over here
if (!runLiveProjectorWorkerIfAsked() && !runReplayChildIfAsked() && !runShadowProjectorWorkerIfAsked()) {
  // (start-up failures are logged and exit 1 inside main; this catches only a throw before the logger exists)
  main().catch((error: Error) => {
    process.stderr.write(`library-service failed to start: ${error.message}\n`);
    process.exit(1);
  });
}
