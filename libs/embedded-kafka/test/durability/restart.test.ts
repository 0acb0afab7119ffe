/**
 * Restart on the same dataDir with the real kafkajs client over TCP: every acknowledged record comes back with
 * its offset, key and value, and committed group offsets survive too.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { byPartitionAndOffset, client, consume, tempDataDir } from './support.js';

const TOPIC = 'restart.v1';
const PARTITIONS = 4;
const RECORDS = 100_000;
const PER_SEND = 1000;
const GROUP = 'restart-reader';

const dataDir = tempDataDir();
const running = new Set<RunningBroker>();

async function start(): Promise<RunningBroker> {
  const broker = await startBroker({ dataDir });
  running.add(broker);
  return broker;
}

async function stop(broker: RunningBroker): Promise<void> {
  await broker.stop();
  running.delete(broker);
}

afterAll(async () => {
  await Promise.all([...running].map((broker) => broker.stop()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const keyOf = (i: number): string => `key-${i}`;
const valueOf = (i: number): string => `value-${i}-`.padEnd(120, 'x');

describe('restart on the same dataDir', () => {
  it('serves all 100k acknowledged records with identical offsets, keys and values, and keeps committed offsets', async () => {
    // 1. produce 100k records, message i to partition i % 4, so it must land at offset floor(i / 4)
    let broker = await start();
    let kafka = client(broker.brokers);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    for (let first = 0; first < RECORDS; first += PER_SEND) {
      const messages = Array.from({ length: PER_SEND }, (_, j) => ({ partition: (first + j) % PARTITIONS, key: keyOf(first + j), value: valueOf(first + j) }));
      const acks = await producer.send({ topic: TOPIC, acks: -1, messages });
      for (const ack of acks) expect(BigInt(ack.baseOffset!)).toBe(BigInt(first / PARTITIONS));
    }
    await producer.disconnect();
    await stop(broker);

    // 2. a new broker process state on the same files serves every record exactly as acknowledged
    broker = await start();
    kafka = client(broker.brokers);
    const { records, consumer } = await consume(kafka, TOPIC, RECORDS, { groupId: GROUP, timeoutMs: 90_000 });
    expect(records).toHaveLength(RECORDS);
    records.sort(byPartitionAndOffset);
    records.forEach((record, n) => {
      const partition = Math.floor(n / (RECORDS / PARTITIONS));
      const offset = n % (RECORDS / PARTITIONS);
      const i = offset * PARTITIONS + partition;
      expect(record).toEqual({ partition, offset: BigInt(offset), key: keyOf(i), value: valueOf(i) });
    });
    await consumer.commitOffsets(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition, offset: String(RECORDS / PARTITIONS) })));
    await consumer.disconnect();
    await stop(broker);

    // 3. after another restart the group's offsets are still there and the group continues after them
    broker = await start();
    kafka = client(broker.brokers);
    const admin2 = kafka.admin();
    await admin2.connect();
    const committed = await admin2.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    expect(committed[0]!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(Array(PARTITIONS).fill(String(RECORDS / PARTITIONS)));
    await admin2.disconnect();
    const producer2 = kafka.producer();
    await producer2.connect();
    await producer2.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 8 }, (_, j) => ({ partition: j % PARTITIONS, key: `late-${j}`, value: 'late' })) });
    await producer2.disconnect();
    const late = await consume(kafka, TOPIC, 8, { groupId: GROUP });
    await late.consumer.disconnect();
    expect(late.records.sort(byPartitionAndOffset).map((r) => [r.partition, r.offset, r.key])).toEqual(
      Array.from({ length: 8 }, (_, n) => {
        const partition = Math.floor(n / 2);
        return [partition, BigInt(RECORDS / PARTITIONS + (n % 2)), `late-${partition + (n % 2) * PARTITIONS}`];
      }),
    );
  }, 150_000);
});
