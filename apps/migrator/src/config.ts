import { LIBRARY_EVENTS_TOPIC, DEFAULT_PARTITIONS } from '@soulspot/contracts';
import { int, list, loadConfig, logLevel, str, url, type Config } from '@soulspot/observability';

/**
 * Environment of the migrator CLI / Kubernetes Job. Deployment manifests are checked against this spec.
 * DATABASE_URL is always needed; KAFKA_BROKERS only by the steps that talk to the broker (replay, verify, run),
 * which check it themselves so that `schema` / `status` / `finalize` run without a broker.
 */
export const configSpec = {
  DATABASE_URL: url({ protocols: ['postgres', 'postgresql'], secret: true, doc: 'PostgreSQL URL of the soulspot database' }),
  KAFKA_BROKERS: list({ required: false, doc: 'comma-separated bootstrap brokers (replay, verify, run)' }),
  KAFKA_CLIENT_ID: str({ default: 'soulspot-migrator', doc: 'Kafka client id' }),
  LIBRARY_EVENTS_TOPIC: str({ default: LIBRARY_EVENTS_TOPIC, doc: 'event topic the replay publishes to' }),
  TOPIC_PARTITIONS: int({ default: DEFAULT_PARTITIONS, min: 1, doc: 'partitions when the migrator has to create the topic' }),
  PROJECTION_NAME: str({ default: 'library', doc: 'projection name in projection_checkpoints that verify waits for' }),
  REPLAY_CHUNK_SIZE: int({ default: 2000, min: 1, max: 50_000, doc: 'legacy rows read per keyset page' }),
  REPLAY_MAX_IN_FLIGHT: int({ default: 2, min: 1, max: 16, doc: 'pages published but not yet acknowledged (bounds memory)' }),
  VERIFY_TIMEOUT_SECONDS: int({ default: 900, min: 1, doc: 'how long verify waits for the projection to catch up' }),
  VERIFY_SAMPLE_SIZE: int({ default: 500, min: 0, doc: 'rows per table whose fields verify spot-checks' }),
  LOG_LEVEL: logLevel(),
};

export type MigratorConfig = Config<typeof configSpec>;

export function loadMigratorConfig(env: Record<string, string | undefined> = process.env): MigratorConfig {
  return loadConfig(configSpec, env);
}

/** The broker list, or a clear error for the steps that need one. */
export function requireBrokers(config: MigratorConfig, step: string): string[] {
  if (!config.KAFKA_BROKERS || config.KAFKA_BROKERS.length === 0) {
    throw new UsageError(`${step} needs KAFKA_BROKERS (comma-separated host:port list)`);
  }
  return config.KAFKA_BROKERS;
}

/** A user error: printed without a stack trace, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
