import { provisionKafka, type ProvisionedKafka } from '@soulspot/devstack';
import { createLogger } from '@soulspot/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, ensureTopics, startCheckpointedConsumer, type BatchResult, type PartitionBatch } from '../src/index';

const logger = createLogger('checkpointed-consumer-review-test');

/** The application's checkpoints, in memory: moved atomically with the records applied. */
class Ledger {
  readonly checkpoints = new Map<number, bigint>();
  readonly applied: bigint[] = [];

  handle(batch: PartitionBatch): BatchResult {
    const checkpoint = this.checkpoints.get(batch.partition) ?? 0n;
    if (batch.records[0].offset > checkpoint) return { kind: 'seek', offset: checkpoint };
    for (const r of batch.records) if (r.offset >= checkpoint) this.applied.push(r.offset);
    const next = batch.records[batch.records.length - 1].offset + 1n;
    this.checkpoints.set(batch.partition, next);
    return { kind: 'applied', nextOffset: next };
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function publish(kafka: ProvisionedKafka, topic: string, count: number) {
  const client = createKafka({ brokers: kafka.brokers, clientId: `${topic}-producer`, logger });
  await ensureTopics(client, [{ topic, numPartitions: 1 }]);
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ partition: 0, value: `v${i}` })) });
  await producer.disconnect();
  return client;
}

/*
 * A database outage usually fails the checkpoint read together with the batch. With prefetch, Kafka's position runs
 * ahead of the checkpoints, so a partition that gets no new records must still be positioned at its checkpoint once
 * the database is back — otherwise its last records are never applied (until a restart).
 */
describe('checkpointed consumer: checkpoint reads that fail (embedded broker over TCP)', () => {
  let kafka: ProvisionedKafka;
  beforeAll(async () => {
    kafka = await provisionKafka();
  });
  afterAll(() => kafka?.stop());

  it('with prefetch, applies the tail of a partition whose last batch failed while the checkpoints could not be read', async () => {
    const topic = 'review-failed-tail';
    const client = await publish(kafka, topic, 30);
    const ledger = new Ledger();
    let outage: 'none' | 'batch' | 'checkpoints' | 'over' = 'none';
    const consumer = await startCheckpointedConsumer(client, {
      topic,
      groupId: topic,
      maxBytesPerPartition: 256,
      prefetch: true,
      logger,
      readCheckpoints: async () => {
        if (outage === 'checkpoints') {
          outage = 'over';
          throw new Error('database unavailable');
        }
        return new Map(ledger.checkpoints);
      },
      handleBatch: async (batch) => {
        // the batch with the partition's last record fails once (no later record will come to trigger a seek)
        if (outage === 'none' && batch.records.some((r) => r.offset === 29n)) {
          outage = 'checkpoints';
          throw new Error('database unavailable');
        }
        return ledger.handle(batch);
      },
    });
    try {
      await until(() => ledger.applied.length === 30, 8_000);
    } finally {
      await consumer.stop();
    }
    expect(outage).toBe('over');
    expect(ledger.applied.map(Number)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('positions the partitions at their checkpoints after an assignment whose checkpoint read failed', async () => {
    const topic = 'review-failed-assignment';
    const client = await publish(kafka, topic, 30);
    const ledger = new Ledger();
    const options = {
      topic,
      groupId: topic,
      maxBytesPerPartition: 256,
      prefetch: true,
      logger,
      readCheckpoints: async () => new Map(ledger.checkpoints),
      handleBatch: async (batch: PartitionBatch) => ledger.handle(batch),
    };
    let consumer = await startCheckpointedConsumer(client, options);
    await until(() => ledger.applied.length === 30, 8_000);
    await consumer.stop();

    // restored from a backup: the checkpoint is behind what Kafka has committed, and the first read of it fails
    ledger.checkpoints.set(0, 10n);
    ledger.applied.length = 0;
    let reads = 0;
    consumer = await startCheckpointedConsumer(client, {
      ...options,
      readCheckpoints: async () => {
        if (reads++ === 0) throw new Error('database unavailable');
        return new Map(ledger.checkpoints);
      },
    });
    try {
      await until(() => ledger.applied.length === 20, 8_000);
    } finally {
      await consumer.stop();
    }
    expect(ledger.applied.map(Number)).toEqual(Array.from({ length: 20 }, (_, i) => 10 + i));
  });
});
