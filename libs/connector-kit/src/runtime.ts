import { DEFAULT_PARTITIONS, LIBRARY_EVENTS_TOPIC } from '@soulspot/contracts';
import { type EventPublisher, createEventPublisher, createKafka, ensureTopics } from '@soulspot/messaging';
import { createMetricsRegistry } from '@soulspot/observability';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { TokenCipher } from './auth/token-cipher';
import { type Pool, createPool } from './db';
import { type ConnectorMetrics, createConnectorMetrics } from './server/connector-metrics';
import { BatchingEventSink } from './sync/event-sink';
import { SyncStatusStore } from './sync/sync-status-store';

export interface ConnectorRuntimeOptions {
  provider: 'spotify' | 'deezer';
  /** Kafka client id and event `producer`, e.g. "spotify-connector". */
  producer: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  topic?: string;
  /** Partitions used if the connector has to create the topic. */
  partitions?: number;
  encryptionKey: string;
  logger: Logger;
  publish?: { batchSize?: number; maxInFlight?: number };
}

/** The infrastructure every connector has: database pool, token cipher, event publisher + sink, sync status, metrics. */
export interface ConnectorRuntime {
  pool: Pool;
  cipher: TokenCipher;
  publisher: EventPublisher;
  sink: BatchingEventSink;
  status: SyncStatusStore;
  registry: Registry;
  metrics: ConnectorMetrics;
  close(): Promise<void>;
}

/** host:port/database of a PostgreSQL URL, for log lines and errors (no user, no password). */
export function databaseTarget(databaseUrl: string): string {
  try {
    const { hostname, port, pathname } = new URL(databaseUrl);
    return `${hostname}:${port || '5432'}${pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

export async function createConnectorRuntime(options: ConnectorRuntimeOptions): Promise<ConnectorRuntime> {
  // Validate the key before touching anything: a bad key must stop the service at start, not at the first login.
  const cipher = new TokenCipher(options.encryptionKey);
  const pool = createPool(options.databaseUrl);
  const database = databaseTarget(options.databaseUrl);
  // pg's errors name neither the server nor that it is the database ("connect ECONNREFUSED 127.0.0.1:5432",
  // "password authentication failed for user ..."): both go with them, never the URL (it carries the password)
  pool.on('error', (error) => options.logger.warn({ err: error, database }, 'idle PostgreSQL connection lost; the next query reconnects'));
  const topic = options.topic ?? LIBRARY_EVENTS_TOPIC;
  const kafka = createKafka({ brokers: options.kafkaBrokers, clientId: options.producer, logger: options.logger });
  let publisher: EventPublisher | undefined;
  try {
    await pool.query('SELECT 1').catch((error: Error) => {
      // (the logger appends the cause's message: "... is not usable: password authentication failed ...")
      throw new Error(`PostgreSQL at ${database} is not usable`, { cause: error });
    });
    await ensureTopics(kafka, [{ topic, numPartitions: options.partitions ?? DEFAULT_PARTITIONS, configEntries: { 'retention.ms': '-1' } }]);
    publisher = await createEventPublisher(kafka, { topic, chunkSize: options.publish?.batchSize ?? 500 });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const sink = new BatchingEventSink(publisher, { batchSize: options.publish?.batchSize ?? 500, maxInFlight: options.publish?.maxInFlight ?? 2 });
  const registry = createMetricsRegistry();
  const metrics = createConnectorMetrics(registry, () => sink.published);
  const connected = publisher;
  return {
    pool,
    cipher,
    publisher: connected,
    sink,
    status: new SyncStatusStore(pool, options.provider),
    registry,
    metrics,
    async close() {
      await sink.flush();
      await connected.disconnect().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
