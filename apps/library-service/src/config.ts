import { DEFAULT_PARTITIONS, LIBRARY_EVENTS_DLQ_TOPIC, LIBRARY_EVENTS_TOPIC } from '@soulspot/contracts';
import { accessSync, constants } from 'node:fs';
import { type Field, int, list, loadConfig, logLevel, oneOf, shutdownTimeoutSeconds, str, url } from '@soulspot/observability';
import { grpcConfigSpec } from './grpc/from-config';
import { DEFAULT_MAX_BYTES_PER_PARTITION, DEFAULT_MAX_EVENTS_PER_TRANSACTION } from './projection/defaults';

/**
 * The gRPC server's variables, with the checks it would otherwise make only once the projector is running: a bad
 * value must be a config error (exit 2, nothing started), not a failure half-way through start-up.
 */
function withCheck(base: Field<string>, check: (value: string) => void): Field<string> {
  return {
    ...base,
    parse(raw) {
      const value = base.parse(raw);
      check(value);
      return value;
    },
  };
}

function readableFile(path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw new Error(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

const grpcSpec = {
  ...grpcConfigSpec,
  PAGE_TOKEN_SECRET: withCheck(grpcConfigSpec.PAGE_TOKEN_SECRET, (value) => {
    if (value.length < 16) throw new Error(`must be at least 16 bytes (got ${value.length})`);
  }),
  GRPC_TLS_CERT: withCheck(grpcConfigSpec.GRPC_TLS_CERT, readableFile),
  GRPC_TLS_KEY: withCheck(grpcConfigSpec.GRPC_TLS_KEY, readableFile),
};

/** Environment of the library-service projector. */
export const projectorConfigSpec = {
  DATABASE_URL: url({ protocols: ['postgres', 'postgresql'], secret: true, doc: 'PostgreSQL URL of the soulspot database' }),
  KAFKA_BROKERS: list({ doc: 'comma-separated Kafka bootstrap brokers, e.g. localhost:9092' }),
  KAFKA_TOPIC: str({ default: LIBRARY_EVENTS_TOPIC, doc: 'library events topic' }),
  KAFKA_DLQ_TOPIC: str({ default: LIBRARY_EVENTS_DLQ_TOPIC, doc: 'dead-letter topic' }),
  KAFKA_TOPIC_PARTITIONS: int({ default: DEFAULT_PARTITIONS, min: 1, doc: 'partitions when the topics must be created' }),
  PROJECTION_NAME: str({ default: 'library', doc: 'projection name (checkpoint rows, dead letters, consumer group)' }),
  KAFKA_GROUP_ID: str({ required: false, doc: 'consumer group (default library-service.<PROJECTION_NAME>)' }),
  KAFKA_SESSION_TIMEOUT_MS: int({ default: 30_000, min: 1000, doc: 'consumer-group session timeout' }),
  PROJECTION_MAX_BATCH_BYTES: int({ default: DEFAULT_MAX_BYTES_PER_PARTITION, min: 1024, doc: 'bytes fetched per partition and batch' }),
  PROJECTION_MAX_EVENTS_PER_TRANSACTION: int({
    default: DEFAULT_MAX_EVENTS_PER_TRANSACTION,
    min: 1,
    doc: 'events one projection transaction applies at most (batches of several partitions go together up to this)',
  }),
  PROJECTION_RUNNER: oneOf(['thread', 'main'] as const, {
    default: 'thread',
    doc: 'where the live projector runs: its own worker thread (reads are never held up by a projection batch) or the thread that serves gRPC',
  }),
  METRICS_PORT: int({ default: 0, min: 0, max: 65535, doc: 'Prometheus /metrics port (rebuild progress and stuck signal); 0 disables' }),
  REBUILD_STUCK_AFTER_SECONDS: int({ default: 60, min: 1, doc: 'a rebuild without progress for this long is reported stuck' }),
  REBUILD_REPLAY_NICE: int({
    default: 19,
    min: 0,
    max: 19,
    doc: "nice value of a blue/green rebuild's replay (its whole process, or its thread with REBUILD_REPLAY_RUNNER=thread; background work; 0 = the service's own priority)",
  }),
  REBUILD_REPLAY_RUNNER: oneOf(['thread', 'process'] as const, {
    default: 'thread',
    doc: "where a blue/green rebuild's replay runs: a worker thread of the service, or a child process with its own V8 heap and GC threads, all at REBUILD_REPLAY_NICE (no measurable read-latency gain in bench:rebuild)",
  }),
  REBUILD_REPLAY_MAX_OLD_SPACE_MB: int({
    default: 0,
    min: 0,
    doc: "V8 old-space cap (MB) of a rebuild's replay process (0 = the service's own node flags)",
  }),
  REBUILD_POSTGRES_NICE: int({
    default: 0,
    min: 0,
    max: 19,
    doc: "nice value of the PostgreSQL backends a rebuild's replay writes through, only when PostgreSQL runs on this host and may be reniced (0 = never touch them)",
  }),
  CHANGE_FEED_RETENTION_HOURS: int({
    default: 7 * 24,
    min: 0,
    doc: 'changes WatchLibraryChanges can resume from are kept this long, then deleted (a watcher further behind is told to re-list); 0 keeps them forever',
  }),
  LOG_LEVEL: logLevel(),
  SHUTDOWN_TIMEOUT_SECONDS: shutdownTimeoutSeconds(),
  ...grpcSpec,
};

export type ProjectorConfig = ReturnType<typeof loadProjectorConfig>;

export function loadProjectorConfig(env: Record<string, string | undefined> = process.env, options?: { exitOnError?: boolean }) {
  return loadConfig(projectorConfigSpec, env, {
    ...options,
    check: (config) =>
      (config.GRPC_TLS_CERT === undefined) !== (config.GRPC_TLS_KEY === undefined) ? ['GRPC_TLS_CERT, GRPC_TLS_KEY: set both (TLS) or neither'] : [],
  });
}
