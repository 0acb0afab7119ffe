import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../src/index.js';
import { kafkaClient, partitioner, startTestBroker, waitFor } from './helpers.js';

describe('kafkajs admin client', () => {
  let broker: RunningBroker;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    broker = await startTestBroker({ defaultPartitions: 2 });
    kafka = kafkaClient(broker);
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
    await broker.stop();
  });

  it('creates, lists, describes and deletes topics', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'adm-a', numPartitions: 4 }, { topic: 'adm-defaults' }] })).toBe(true);
    // Creating an existing topic reports "nothing created".
    expect(await admin.createTopics({ topics: [{ topic: 'adm-a', numPartitions: 4 }] })).toBe(false);
    expect((await admin.listTopics()).sort()).toEqual(['adm-a', 'adm-defaults']);

    const meta = await admin.fetchTopicMetadata({ topics: ['adm-a', 'adm-defaults'] });
    const byName = new Map(meta.topics.map((t) => [t.name, t]));
    expect(byName.get('adm-a')!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
    expect(byName.get('adm-a')!.partitions.every((p) => p.leader === 0 && p.isr.includes(0))).toBe(true);
    expect(byName.get('adm-defaults')!.partitions).toHaveLength(2); // -1 -> broker default

    const cluster = await admin.describeCluster();
    expect(cluster.controller).toBe(0);
    expect(cluster.clusterId).toBeTruthy();
    expect(cluster.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: broker.port }]);

    await admin.deleteTopics({ topics: ['adm-defaults'] });
    expect(await admin.listTopics()).toEqual(['adm-a']);
  });

  it('reports topic offsets, and sets/resets/fetches committed group offsets on an empty group', async () => {
    const topic = 'adm-offsets';
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const producer = kafka.producer({ createPartitioner: partitioner });
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `v${i}` })) });
    await producer.send({ topic, messages: [{ partition: 0, value: 'extra' }] });
    await producer.disconnect();

    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, offset: '6', high: '6', low: '0' },
      { partition: 1, offset: '5', high: '5', low: '0' },
    ]);

    const groupId = 'adm-group';
    const uncommitted = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(uncommitted[0]!.partitions.map((p) => p.offset)).toEqual(['-1', '-1']);
    expect((await admin.describeGroups([groupId])).groups[0]!.state).toBe('Dead');

    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '2' }] });
    let fetched = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(fetched[0]!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(['4', '2']);

    // A consumer of the group starts at the committed offsets.
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    await waitFor(() => values.length === 5, 15_000, 'messages after the set offsets');
    const described = await admin.describeGroups([groupId]);
    expect(described.groups[0]).toMatchObject({ groupId, state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
    expect(described.groups[0]!.members).toHaveLength(1);
    await consumer.disconnect();
    expect(values.sort()).toEqual(['extra', 'v5', 'v7', 'v8', 'v9'].sort());
    expect((await admin.describeGroups([groupId])).groups[0]!.state).toBe('Empty');
    expect((await admin.listGroups()).groups).toContainEqual({ groupId, protocolType: 'consumer' });

    await admin.resetOffsets({ groupId, topic, earliest: true });
    fetched = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(fetched[0]!.partitions.map((p) => p.offset)).toEqual(['-2', '-2']);
  });
});
