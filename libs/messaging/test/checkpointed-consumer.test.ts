import { provisionKafka, type ProvisionedKafka } from '@soulspot/devstack';
import { createLogger } from '@soulspot/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DLQ_HEADERS,
  createDeadLetterPublisher,
  createKafka,
  ensureTopics,
  startCheckpointedConsumer,
  type BatchResult,
  type PartitionBatch,
} from '../src/index';

const logger = createLogger('checkpointed-consumer-test');

/**
 * The application side of the contract, kept in memory here: a checkpoint per partition, moved atomically with the
 * records it applies (what library-service does in one PostgreSQL transaction).
 */
class Ledger {
  readonly checkpoints = new Map<number, bigint>();
  readonly applied: Array<{ partition: number; offset: bigint; value: string }> = [];

  handle(batch: PartitionBatch): BatchResult {
    const checkpoint = this.checkpoints.get(batch.partition) ?? 0n;
    if (batch.records[0].offset > checkpoint) return { kind: 'seek', offset: checkpoint };
    const fresh = batch.records.filter((r) => r.offset >= checkpoint);
    for (const r of fresh) this.applied.push({ partition: batch.partition, offset: r.offset, value: r.value!.toString() });
    const next = batch.records[batch.records.length - 1].offset + 1n;
    this.checkpoints.set(batch.partition, next);
    return { kind: 'applied', nextOffset: next };
  }
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('checkpointed consumer (embedded broker over TCP)', () => {
  let kafka: ProvisionedKafka;
  beforeAll(async () => {
    kafka = await provisionKafka();
  });
  afterAll(() => kafka?.stop());

  it('positions every assigned partition at the application checkpoint, whatever Kafka has committed', async () => {
    const client = createKafka({ brokers: kafka.brokers, clientId: 'consumer-test', logger });
    const topic = 'checkpointed-consumer-test';
    await ensureTopics(client, [{ topic, numPartitions: 2 }]);
    const producer = client.producer();
    await producer.connect();
    for (const partition of [0, 1]) {
      await producer.send({ topic, messages: Array.from({ length: 30 }, (_, i) => ({ partition, value: `p${partition}-${i}` })) });
    }
    await producer.disconnect();

    const ledger = new Ledger();
    const options = {
      topic,
      groupId: 'consumer-test',
      maxBytesPerPartition: 256,
      logger,
      readCheckpoints: async () => new Map(ledger.checkpoints),
      handleBatch: async (batch: PartitionBatch) => ledger.handle(batch),
    };
    let consumer = await startCheckpointedConsumer(client, options);
    await until(() => ledger.applied.length === 60);
    await consumer.stop();
    expect(ledger.applied.filter((a) => a.partition === 0).map((a) => a.value)).toEqual(Array.from({ length: 30 }, (_, i) => `p0-${i}`));

    // the application rolls its state back (a restore, an in-place rebuild): Kafka's committed offsets are now ahead
    ledger.checkpoints.set(0, 10n);
    ledger.checkpoints.set(1, 25n);
    ledger.applied.length = 0;
    consumer = await startCheckpointedConsumer(client, options);
    await until(() => ledger.applied.length === 25);
    await new Promise((r) => setTimeout(r, 300));
    await consumer.stop();
    expect(ledger.applied.filter((a) => a.partition === 0).map((a) => Number(a.offset))).toEqual(Array.from({ length: 20 }, (_, i) => 10 + i));
    expect(ledger.applied.filter((a) => a.partition === 1).map((a) => Number(a.offset))).toEqual([25, 26, 27, 28, 29]);
    expect(consumer.assignedPartitions()).toEqual([0, 1]);
  });

  it('with prefetch, applies every record exactly once in order, and retries from the checkpoint after a failed batch', async () => {
    const client = createKafka({ brokers: kafka.brokers, clientId: 'consumer-prefetch-test', logger });
    const topic = 'checkpointed-consumer-prefetch-test';
    await ensureTopics(client, [{ topic, numPartitions: 2 }]);
    const producer = client.producer();
    await producer.connect();
    for (const partition of [0, 1]) {
      await producer.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ partition, value: `p${partition}-${i}` })) });
    }
    await producer.disconnect();

    const ledger = new Ledger();
    let failures = 0;
    const consumer = await startCheckpointedConsumer(client, {
      topic,
      groupId: 'consumer-prefetch-test',
      maxBytesPerPartition: 256,
      prefetch: true,
      partitionsConsumedConcurrently: 2,
      logger,
      readCheckpoints: async () => new Map(ledger.checkpoints),
      handleBatch: async (batch: PartitionBatch) => {
        await new Promise((r) => setTimeout(r, 5)); // applying takes a while: later batches are handed over meanwhile
        // the batch holding partition 1's offset 20 fails once, as a database outage would make it
        if (batch.partition === 1 && failures === 0 && batch.records.some((r) => r.offset === 20n) && (ledger.checkpoints.get(1) ?? 0n) <= 20n) {
          failures++;
          throw new Error('database unavailable');
        }
        return ledger.handle(batch);
      },
    });
    await until(() => ledger.applied.length === 80);
    await new Promise((r) => setTimeout(r, 300));
    await consumer.stop();
    expect(failures).toBe(1);
    for (const partition of [0, 1]) {
      expect(ledger.applied.filter((a) => a.partition === partition).map((a) => Number(a.offset))).toEqual(Array.from({ length: 40 }, (_, i) => i));
    }
  });

  it('publishes dead letters byte for byte with the reason and source position in headers', async () => {
    const client = createKafka({ brokers: kafka.brokers, clientId: 'dlq-test', logger });
    const topic = 'dlq-test';
    await ensureTopics(client, [{ topic, numPartitions: 1 }]);
    const dlq = await createDeadLetterPublisher(client, topic);
    const value = Buffer.from([0, 1, 2, 255]);
    await dlq.publish([{ key: Buffer.from('k'), value, headers: { 'event-id': 'x' }, source: { topic: 'src', partition: 3, offset: 42n }, error: 'bad isrc' }]);
    await dlq.disconnect();
    const consumer = client.consumer({ groupId: 'dlq-reader' });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received = await new Promise<{ value: Buffer; headers: Record<string, string> }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) =>
          resolve({
            value: message.value!,
            headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
          }),
      });
    });
    await consumer.disconnect();
    expect(received.value.equals(value)).toBe(true);
    expect(received.headers).toMatchObject({
      'event-id': 'x',
      [DLQ_HEADERS.error]: 'bad isrc',
      [DLQ_HEADERS.topic]: 'src',
      [DLQ_HEADERS.partition]: '3',
      [DLQ_HEADERS.offset]: '42',
    });
  });
});
