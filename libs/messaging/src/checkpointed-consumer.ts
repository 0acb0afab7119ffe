import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { createLogger, type Logger } from '@soulspot/observability';

/** One consumed record, with the value left as bytes for the application to decode. */
export interface ConsumedRecord {
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** The partition's log end offset as reported with this batch. */
  highWatermark: bigint;
}

/**
 * What the handler did with a batch: applied it (together with the new checkpoint, in one transaction), found that
 * the batch does not start at its checkpoint and asks the consumer to seek there, or may not apply anything for now
 * (`retry`: the consumer seeks back to `offset`, the checkpoint, after `afterMs`; not counted as a refusal).
 */
export type BatchResult =
  | { kind: 'applied'; nextOffset: bigint }
  | { kind: 'seek'; offset: bigint }
  | { kind: 'retry'; offset: bigint; afterMs: number };

export interface CheckpointedConsumerOptions {
  topic: string;
  groupId: string;
  /** Next offset to apply per partition, from the database (partitions without a checkpoint start at 0). */
  readCheckpoints(topic: string, partitions: number[]): Promise<Map<number, bigint>>;
  /**
   * Applies a partition batch atomically with its checkpoint row. Records below the stored checkpoint were applied
   * already and must be skipped; a batch that starts after the checkpoint must not be applied (return `seek`).
   */
  handleBatch(batch: PartitionBatch): Promise<BatchResult>;
  /** Bytes fetched per partition and request (bounds the batch size). */
  maxBytesPerPartition?: number;
  /** Bytes fetched per request over all partitions (default 10 MiB, kafkajs's default). */
  maxBytes?: number;
  /**
   * Batches of different partitions handled at the same time (default 1). The handler must serialize what needs
   * it (library-service takes a database lock); more than one lets CPU work of one batch overlap another's I/O.
   */
  partitionsConsumedConcurrently?: number;
  /**
   * Hand each batch to `handleBatch` as soon as it is fetched and let kafkajs fetch the next ones while it is being
   * applied (default false: kafkajs waits until every batch of a fetch is applied). A partition still never has a
   * batch handed over before the previous one was handed over, and kafkajs gets control back for a partition only
   * once its previous batch is applied, so at most two batches per partition are held. Kafka offsets then run ahead
   * of the application's checkpoints (they are never trusted anyway); when a handler fails, every assigned partition
   * is positioned at its checkpoint again and consumption goes on from there.
   */
  prefetch?: boolean;
  maxWaitTimeInMs?: number;
  sessionTimeout?: number;
  logger?: Logger;
}

export interface PartitionProgress {
  partition: number;
  /** Next offset the consumer will apply, as of the last batch or seek. */
  nextOffset: bigint | null;
  highWatermark: bigint | null;
}

export interface CheckpointedConsumer {
  /** Partitions currently assigned to this member. */
  assignedPartitions(): number[];
  progress(): PartitionProgress[];
  stop(): Promise<void>;
}

function toRecord(message: KafkaMessage): ConsumedRecord {
  const headers: Record<string, string> = {};
  const raw = message.headers ?? {};
  // (a plain loop: this runs for every record consumed)
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return { offset: BigInt(message.offset), key: message.key, value: message.value, headers, timestamp: message.timestamp };
}

/**
 * A kafkajs consumer-group member whose position lives in the application's database, not in Kafka: on start and
 * on every assignment it seeks each assigned partition to the database checkpoint; each batch goes to `handleBatch`,
 * which applies it in one transaction together with the new checkpoint. Kafka offsets are committed afterwards only
 * as a convenience (for lag tooling); they are never trusted. One partition never has two batches in flight.
 */
export async function startCheckpointedConsumer(kafka: Kafka, options: CheckpointedConsumerOptions): Promise<CheckpointedConsumer> {
  const log = options.logger ?? createLogger('checkpointed-consumer');
  const { topic } = options;
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
    maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
    maxWaitTimeInMs: options.maxWaitTimeInMs ?? 500,
    sessionTimeout: options.sessionTimeout ?? 30_000,
    heartbeatInterval: Math.max(100, Math.floor((options.sessionTimeout ?? 30_000) / 10)),
    allowAutoTopicCreation: false,
    retry: { retries: 10 },
  });
  let assigned: number[] = [];
  const next = new Map<number, bigint>();
  const highWatermarks = new Map<number, bigint>();
  const refusals = new Map<number, { offset: bigint; count: number }>();
  let stopped = false;

  const seek = (partition: number, offset: bigint) => {
    next.set(partition, offset);
    // (a handler's result can arrive after stop(): the next member starts from the database checkpoints anyway)
    if (!stopped) consumer.seek({ topic, partition, offset: offset.toString() });
  };

  /*
   * Positioning at the database checkpoints must not give up when they cannot be read (a database outage usually
   * fails the batch and this read together): Kafka's position can be ahead of the checkpoints (prefetch resolves
   * batches before they are applied; a restored database), so a partition that gets no new record would never be
   * refused and re-positioned, and its last records would stay unapplied until a restart. A failed read is tried
   * again with backoff until it succeeds, a newer positioning (an assignment) replaces it, or the consumer stops.
   */
  let positionings = 0;
  let reading: Promise<void> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const positionAtCheckpoints = (context: string, attempt = 0): void => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    if (stopped) return;
    const generation = ++positionings;
    const partitions = assigned;
    const current: Promise<void> = options
      .readCheckpoints(topic, partitions)
      .then(
        (checkpoints) => {
          if (generation !== positionings) return; // a newer assignment positions the partitions itself
          for (const partition of partitions) seek(partition, checkpoints.get(partition) ?? 0n);
          log.info({ topic, partitions, context }, 'partitions positioned at database checkpoints');
        },
        (error: Error) => {
          if (stopped || generation !== positionings) return;
          const retryInMs = Math.min(5_000, 250 * 2 ** attempt);
          log.error({ err: error, context, retryInMs }, 'could not read checkpoints to position the partitions; trying again');
          retryTimer = setTimeout(() => positionAtCheckpoints(context, attempt + 1), retryInMs);
        },
      )
      .catch((error: Error) => log.error({ err: error, context }, 'could not position the partitions at their checkpoints'))
      .finally(() => {
        if (reading === current) reading = undefined;
      });
    reading = current;
  };

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    assigned = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    positionAtCheckpoints('after assignment');
  });

  /** Reacts to what the handler did with a batch: seek where it asks, or record how far the partition got. */
  const settle = async (partition: number, firstOffset: bigint, result: BatchResult): Promise<void> => {
    if (result.kind === 'retry') {
      // held on purpose by the handler: not a sign of lost records, however often it repeats
      refusals.delete(partition);
      if (!stopped) await new Promise((resolveLater) => setTimeout(resolveLater, result.afterMs));
      seek(partition, result.offset);
      return;
    }
    if (result.kind === 'seek') {
      // A batch fetched before our seek took effect is refused once. Refused again and again for the same
      // checkpoint means the records there are gone (retention): that is data loss, so say it loudly and never
      // skip ahead silently.
      const previous = refusals.get(partition);
      const count = previous?.offset === result.offset ? previous.count + 1 : 1;
      refusals.set(partition, { offset: result.offset, count });
      if (count >= 3) {
        log.error(
          { topic, partition, checkpoint: result.offset.toString(), firstOffset: firstOffset.toString() },
          'the broker does not return the records at the checkpoint; the partition cannot progress',
        );
        await new Promise((resolveLater) => setTimeout(resolveLater, Math.min(30_000, 500 * count)));
      }
      seek(partition, result.offset);
      return;
    }
    refusals.delete(partition);
    next.set(partition, result.nextOffset);
  };

  // prefetch: the batch of each partition that is being applied, and recovery after a failed one
  const inFlight = new Map<number, Promise<void>>();
  const recoverFrom = (error: unknown) => {
    log.error({ err: error }, 'applying a batch failed; positioning every partition at its checkpoint to retry');
    // (one positioning covers every batch that failed with it; a read waiting to be tried again is already one)
    if (!reading && !retryTimer) positionAtCheckpoints('to recover');
  };

  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
      if (!isRunning() || isStale()) return;
      const partition = batch.partition;
      highWatermarks.set(partition, BigInt(batch.highWatermark));
      if (batch.messages.length === 0) return;
      // a batch fetched while the checkpoints are read waits for the seek that may make it stale
      if (reading) await reading;
      const records = batch.messages.map(toRecord);
      const firstOffset = records[0].offset;
      const handled = options.handleBatch({ topic, partition, records, highWatermark: BigInt(batch.highWatermark) });
      if (options.prefetch) {
        const previous = inFlight.get(partition);
        const tracked = handled.then((result) => settle(partition, firstOffset, result)).catch(recoverFrom);
        inFlight.set(partition, tracked);
        await previous;
        // consumed, not applied: kafkajs may fetch past it while it is applied (the checkpoint decides on restart)
        resolveOffset(records[records.length - 1].offset.toString());
        await heartbeat();
        await commitOffsetsIfNecessary();
        return;
      }
      const result = await handled;
      await settle(partition, firstOffset, result);
      if (result.kind !== 'applied') return;
      if (result.nextOffset > 0n) resolveOffset((result.nextOffset - 1n).toString());
      await heartbeat();
      await commitOffsetsIfNecessary();
    },
  });

  return {
    assignedPartitions: () => [...assigned],
    progress: () =>
      assigned.map((partition) => ({
        partition,
        nextOffset: next.get(partition) ?? null,
        highWatermark: highWatermarks.get(partition) ?? null,
      })),
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      await consumer.disconnect();
      // batches handed over before the stop finish (or fail) before the consumer counts as stopped
      await Promise.all(inFlight.values());
    },
  };
}
