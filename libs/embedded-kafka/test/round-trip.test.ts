import { CompressionTypes, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../src/index.js';
import { kafkaClient, partitioner, startTestBroker, waitFor } from './helpers.js';

interface Received {
  partition: number;
  offset: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

describe('produce/consume round trip with kafkajs', () => {
  let broker: RunningBroker;
  const producers: Producer[] = [];
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(async () => {
    for (const c of consumers) await c.disconnect();
    for (const p of producers) await p.disconnect();
    await broker.stop();
  });

  async function roundTrip(topic: string, partitions: number, compression: CompressionTypes): Promise<void> {
    const kafka = kafkaClient(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
    await admin.disconnect();

    const producer = kafka.producer({ createPartitioner: partitioner });
    producers.push(producer);
    await producer.connect();
    const sent = Array.from({ length: 300 }, (_, i) => ({
      key: `key-${i % 37}`,
      value: `value-${i}-${'x'.repeat(i % 50)}`,
      headers: { 'trace-id': `t-${i}`, source: 'round-trip' },
    }));
    for (let i = 0; i < sent.length; i += 100) {
      await producer.send({ topic, compression, messages: sent.slice(i, i + 100) });
    }

    const consumer = kafka.consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 100 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: Received[] = [];
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({
          partition,
          offset: message.offset,
          key: message.key!.toString(),
          value: message.value!.toString(),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
      },
    });
    await waitFor(() => received.length >= sent.length, 20_000, 'all messages');

    expect(received).toHaveLength(sent.length);
    expect(new Set(received.map((r) => r.partition)).size).toBe(partitions);
    // Every message arrives once with its key, value and headers; per partition offsets are 0..n-1 in order.
    const byValue = new Map(received.map((r) => [r.value, r]));
    for (const s of sent) {
      const r = byValue.get(s.value);
      expect(r, s.value).toBeDefined();
      expect(r!.key).toBe(s.key);
      expect(r!.headers).toEqual(s.headers);
    }
    const perPartition = new Map<number, string[]>();
    for (const r of received) perPartition.set(r.partition, [...(perPartition.get(r.partition) ?? []), r.offset]);
    for (const offsets of perPartition.values()) expect(offsets).toEqual(offsets.map((_, i) => String(i)));
    // Same key -> same partition.
    const keyPartition = new Map<string, number>();
    for (const r of received) {
      expect(keyPartition.get(r.key) ?? r.partition).toBe(r.partition);
      keyPartition.set(r.key, r.partition);
    }
  }

  it('round-trips keys, values and headers on 1 partition', async () => {
    await roundTrip('rt-one', 1, CompressionTypes.None);
  });

  it('round-trips gzip batches on 12 partitions', async () => {
    await roundTrip('rt-twelve-gzip', 12, CompressionTypes.GZIP);
  });

  it('round-trips uncompressed batches on 12 partitions', async () => {
    await roundTrip('rt-twelve', 12, CompressionTypes.None);
  });
});
