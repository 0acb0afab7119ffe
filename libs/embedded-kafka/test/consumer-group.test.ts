import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../src/index.js';
import { kafkaClient, partitioner, startTestBroker, waitFor } from './helpers.js';

const PARTITIONS = 12;

describe('consumer groups with kafkajs', () => {
  let broker: RunningBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await startTestBroker();
    kafka = kafkaClient(broker);
  });
  afterAll(async () => {
    await broker.stop();
  });

  async function produce(topic: string, from: number, count: number): Promise<void> {
    const producer = kafka.producer({ createPartitioner: partitioner });
    await producer.connect();
    const messages = Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `m${from + i}` }));
    for (let i = 0; i < messages.length; i += 200) await producer.send({ topic, messages: messages.slice(i, i + 200) });
    await producer.disconnect();
  }

  function groupConsumer(groupId: string): Consumer {
    return kafka.consumer({ groupId, maxWaitTimeInMs: 100, heartbeatInterval: 300, sessionTimeout: 10_000, rebalanceTimeout: 10_000 });
  }

  it('splits 12 partitions between two members, and the survivor takes over from committed offsets', async () => {
    const topic = 'group-split';
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });

    const seen = new Map<string, number>(); // value -> deliveries
    const partitionsOf = { a: new Set<number>(), b: new Set<number>() };
    const track = (who: 'a' | 'b') => async ({ partition, message }: { partition: number; message: { value: Buffer | null } }) => {
      partitionsOf[who].add(partition);
      const v = message.value!.toString();
      seen.set(v, (seen.get(v) ?? 0) + 1);
    };

    const a = groupConsumer('split-group');
    const b = groupConsumer('split-group');
    await Promise.all([a.connect(), b.connect()]);
    await a.subscribe({ topic, fromBeginning: true });
    await b.subscribe({ topic, fromBeginning: true });
    let assignedA: number[] = [];
    let assignedB: number[] = [];
    a.on(a.events.GROUP_JOIN, (e) => (assignedA = e.payload.memberAssignment[topic] ?? []));
    b.on(b.events.GROUP_JOIN, (e) => (assignedB = e.payload.memberAssignment[topic] ?? []));
    await a.run({ eachMessage: track('a') });
    await b.run({ eachMessage: track('b') });
    await waitFor(() => assignedA.length > 0 && assignedB.length > 0 && assignedA.length + assignedB.length === PARTITIONS, 20_000, 'both members assigned');
    expect([...assignedA, ...assignedB].sort((x, y) => x - y)).toEqual(Array.from({ length: PARTITIONS }, (_, i) => i));

    await produce(topic, 0, 1200);
    await waitFor(() => seen.size === 1200, 20_000, 'first 1200 messages');
    expect(partitionsOf.a.size).toBeGreaterThan(0);
    expect(partitionsOf.b.size).toBeGreaterThan(0);

    // b leaves (commits, then LeaveGroup); a must take over all 12 partitions from the committed offsets.
    await b.disconnect();
    await waitFor(() => assignedA.length === PARTITIONS, 20_000, 'survivor owns every partition');
    partitionsOf.a.clear();
    await produce(topic, 1200, 1200);
    await waitFor(() => seen.size === 2400, 20_000, 'second 1200 messages');
    await new Promise((r) => setTimeout(r, 300)); // give a chance for any duplicate to show up
    expect(partitionsOf.a.size).toBe(PARTITIONS);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    await a.disconnect();

    const [offsets] = await admin.fetchOffsets({ groupId: 'split-group', topics: [topic] });
    const committed = offsets!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committed).toBe(2400);
    const { groups } = await admin.describeGroups(['split-group']);
    expect(groups[0]!.state).toBe('Empty');
    await admin.disconnect();
  });

  it('delivers with eachBatch and resumes after a restart of the consumer', async () => {
    const topic = 'group-batches';
    await produce(topic, 0, 500);
    const values: string[] = [];
    const consume = async (until: number): Promise<void> => {
      const c = groupConsumer('batch-group');
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({
        eachBatch: async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
          for (const m of batch.messages) {
            values.push(m.value!.toString());
            resolveOffset(m.offset);
          }
          await heartbeat();
        },
      });
      await waitFor(() => values.length >= until, 20_000, `${until} batch messages`);
      await c.disconnect();
    };
    await consume(500);
    await produce(topic, 500, 250);
    await consume(750);
    expect(values).toEqual(Array.from({ length: 750 }, (_, i) => `m${i}`));
  });
});
