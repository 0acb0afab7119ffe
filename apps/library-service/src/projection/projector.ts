import pg from 'pg';
import {
  createDeadLetterPublisher,
  createKafka,
  ensureTopics,
  startCheckpointedConsumer,
  topicEndOffsets,
  type CheckpointedConsumer,
  type DeadLetterPublisher,
  type Kafka,
  type PartitionBatch,
} from '@soulspot/messaging';
import { createLogger, type Logger } from '@soulspot/observability';
import { createCoalescer } from './batch-coalescer';
import { classifyBatch, handlePartitionBatches, type BatchContext, type BatchStats, type ClassifiedBatch } from './batch-handler';
import { readCheckpoints } from './checkpoints';
import { DEFAULT_MAX_BYTES_PER_PARTITION, DEFAULT_MAX_EVENTS_PER_TRANSACTION } from './defaults';
import { createPendingRowsWriter } from './pending-rows';
import { retryDeadLetters, type RetryResult } from './retry';
import { createPgPool } from '@soulspot/library-db/pool';

export interface ProjectorOptions {
  databaseUrl: string;
  brokers: string[];
  topic: string;
  dlqTopic: string;
  /** Name of this projection (checkpoint rows, dead letters); also the default consumer group suffix. */
  projection: string;
  groupId?: string;
  /** Partitions to create the topics with when they do not exist yet. */
  partitions?: number;
  /** Bounds the batch size: bytes fetched per partition and request. Default `DEFAULT_MAX_BYTES_PER_PARTITION`. */
  maxBytesPerPartition?: number;
  /**
   * Upper bound on the events one transaction applies (the batches of several partitions go together up to this);
   * bounds the memory of a catch-up. Default `DEFAULT_MAX_EVENTS_PER_TRANSACTION`.
   */
  maxEventsPerTransaction?: number;
  /** Consumer-group session timeout: how fast the group notices a dead member (a crashed projector). */
  sessionTimeoutMs?: number;
  logger?: Logger;
  /** Existing pool to use (the gRPC server in the same process shares it); otherwise the projector owns one. */
  pool?: pg.Pool;
  /**
   * This is the live projection, of which there may be several replicas: it applies nothing while a blue/green
   * rebuild of it catches up and swaps, whichever process runs the rebuild (rebuild-hold.ts). Off for the rebuild's
   * own shadow projector.
   */
  yieldsToRebuild?: boolean;
}

export interface PartitionStatus {
  topic: string;
  partition: number;
  /** Database checkpoint: the next offset to apply. */
  nextOffset: number;
  /** Log end offset of the partition. */
  highWatermark: number;
  lag: number;
  updatedAt?: Date;
}

export interface ProjectorStatus {
  projection: string;
  /** Every partition's checkpoint has reached its log end offset. */
  caughtUp: boolean;
  partitions: PartitionStatus[];
  /** Events applied by this process since it started, and in how many partition batches (transactions). */
  eventsApplied: number;
  batchesApplied: number;
  /** Events dead-lettered / parked by this process since it started. */
  deadLettered: number;
  parked: number;
  /** Unresolved dead letters and parked events in the database. */
  openDeadLetters: number;
  openParked: number;
}

export interface Projector {
  status(): Promise<ProjectorStatus>;
  retryDeadLetters(ids: string[]): Promise<RetryResult>;
  stop(): Promise<void>;
}

/**
 * Starts the projection: a consumer-group member on the library events topic that applies each partition batch to
 * PostgreSQL in one transaction with its checkpoint, dead-letters poison events, and reports its progress.
 */
export async function startProjector(options: ProjectorOptions): Promise<Projector> {
  const logger = options.logger ?? createLogger('library-projector');
  const ownsPool = !options.pool;
  // A connection dropped by the server (restart, failover) must not crash the service: the batch it served fails and
  // is retried from the database checkpoint, on a new connection.
  const pool =
    options.pool ?? createPgPool({ connectionString: options.databaseUrl, max: 4 }, (error) => logger.warn({ err: error }, 'PostgreSQL connection lost'));
  const kafka: Kafka = createKafka({ brokers: options.brokers, clientId: `library-service-${options.projection}`, logger });
  const partitions = options.partitions ?? 12;
  await ensureTopics(kafka, [
    { topic: options.topic, numPartitions: partitions, configEntries: { 'retention.ms': '-1' } },
    { topic: options.dlqTopic, numPartitions: 1, configEntries: { 'retention.ms': '-1' } },
  ]);
  const dlq: DeadLetterPublisher = await createDeadLetterPublisher(kafka, options.dlqTopic);
  const stats: BatchStats = { transactions: 0, batches: 0, applied: 0, deadLettered: 0, parked: 0, skipped: 0 };
  const rows = createPendingRowsWriter({ pool, projection: options.projection, logger });
  // row work a crash left behind goes in before anything new is applied
  await rows.drain();
  const context: BatchContext = { pool, projection: options.projection, dlq, logger, rows, yieldsToRebuild: options.yieldsToRebuild };
  const applyGroup = createCoalescer((items: ClassifiedBatch[]) => handlePartitionBatches(context, items, stats), {
    maxWeight: options.maxEventsPerTransaction ?? DEFAULT_MAX_EVENTS_PER_TRANSACTION,
    weight: (item) => item.batch.records.length,
    // kafkajs decodes the batches of one fetch one after the other and hands each to a worker as soon as it is
    // decoded: a short quiet period (capped) gathers the whole fetch
    lingerMs: 25,
    maxLingerMs: 250,
  });

  const maxBytesPerPartition = options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION;
  const consumer: CheckpointedConsumer = await startCheckpointedConsumer(kafka, {
    topic: options.topic,
    groupId: options.groupId ?? `library-service.${options.projection}`,
    maxBytesPerPartition,
    // one fetch can bring a full batch of every partition, and they are applied together
    maxBytes: maxBytesPerPartition * partitions,
    // every partition's batch can be in flight: those that arrive while a transaction runs join the next one
    partitionsConsumedConcurrently: partitions,
    sessionTimeout: options.sessionTimeoutMs,
    logger,
    readCheckpoints: (_topic, _partitions) => readCheckpoints(pool, options.projection, options.topic),
    // the next fetch arrives, and is decoded, while the current one is being applied
    prefetch: true,
    handleBatch: (batch: PartitionBatch) => applyGroup(classifyBatch(batch)),
  });
  logger.info({ topic: options.topic, projection: options.projection }, 'projector started');

  let stopped = false;
  return {
    async status() {
      const [checkpoints, ends, open] = await Promise.all([
        pool.query<{ partition: number; next_offset: string; updated_at: Date }>(
          `select partition, next_offset, updated_at from projection_checkpoints where projection = $1 and topic = $2`,
          [options.projection, options.topic],
        ),
        topicEndOffsets(kafka, options.topic),
        pool.query<{ dead: string; parked: string }>(
          `select (select count(*) from projection_dead_letters where projection = $1 and status = 'dead') as dead,
                  (select count(*) from projection_parked_events where projection = $1) as parked`,
          [options.projection],
        ),
      ]);
      const byPartition = new Map(checkpoints.rows.map((r) => [r.partition, r]));
      const partitionStatus = [...ends]
        .sort(([a], [b]) => a - b)
        .map(([partition, end]) => {
          const row = byPartition.get(partition);
          const nextOffset = row ? Number(row.next_offset) : 0;
          return {
            topic: options.topic,
            partition,
            nextOffset,
            highWatermark: Number(end),
            lag: Math.max(0, Number(end) - nextOffset),
            updatedAt: row?.updated_at,
          };
        });
      return {
        projection: options.projection,
        caughtUp: partitionStatus.every((p) => p.lag === 0),
        partitions: partitionStatus,
        eventsApplied: stats.applied,
        batchesApplied: stats.batches,
        deadLettered: stats.deadLettered,
        parked: stats.parked,
        openDeadLetters: Number(open.rows[0].dead),
        openParked: Number(open.rows[0].parked),
      };
    },
    retryDeadLetters: (ids) => retryDeadLetters(pool, options.projection, ids, dlq),
    async stop() {
      if (stopped) return;
      stopped = true;
      await consumer.stop();
      // the rows of the last committed batch (if this fails, they are written on the next start)
      await rows.settle().catch((error: unknown) => logger.warn({ err: error }, 'row work left for the next start'));
      await dlq.disconnect();
      if (ownsPool) await pool.end();
      logger.info('projector stopped');
    },
  };
}
