/** DeleteTopics on a durable broker: the files go, and a restart neither lists the topic nor restores its offsets. */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { client, consume, tempDataDir } from './support.js';

const dataDir = tempDataDir();
const running = new Set<RunningBroker>();

afterAll(async () => {
  await Promise.all([...running].map((broker) => broker.stop()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<RunningBroker> {
  const broker = await startBroker({ dataDir, autoCreateTopics: false });
  running.add(broker);
  return broker;
}

/** Reads the topic's records in group `groupId` and commits offset 1 for partition 0. */
async function commitInGroup(broker: RunningBroker, groupId: string, topic: string, records: number): Promise<void> {
  const { consumer } = await consume(client(broker.brokers), topic, records, { groupId });
  await consumer.commitOffsets([{ topic, partition: 0, offset: '1' }]);
  await consumer.disconnect();
}

describe('topic deletion on a dataDir', () => {
  it('removes the partition directories and the committed offsets, across a restart', async () => {
    let broker = await start();
    let admin = client(broker.brokers).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'doomed', numPartitions: 3 }, { topic: 'kept', numPartitions: 1 }] });
    const producer = client(broker.brokers).producer();
    await producer.connect();
    await producer.send({ topic: 'doomed', acks: -1, messages: [0, 1, 2].map((partition) => ({ partition, value: 'x' })) });
    await producer.send({ topic: 'kept', acks: -1, messages: [{ value: 'y' }] });
    await producer.disconnect();
    await commitInGroup(broker, 'reads-doomed', 'doomed', 3);
    await commitInGroup(broker, 'reads-kept', 'kept', 1);
    await admin.deleteTopics({ topics: ['doomed'] });
    expect(fs.readdirSync(dataDir).filter((name) => name.startsWith('doomed'))).toEqual([]);
    await admin.disconnect();
    await broker.stop();
    running.delete(broker);

    broker = await start();
    admin = client(broker.brokers).admin();
    await admin.connect();
    expect((await admin.listTopics()).sort()).toEqual(['kept']);
    expect(await admin.fetchOffsets({ groupId: 'reads-kept', topics: ['kept'] })).toMatchObject([{ topic: 'kept', partitions: [{ partition: 0, offset: '1' }] }]);
    await admin.createTopics({ topics: [{ topic: 'doomed', numPartitions: 1 }] });
    expect(await admin.fetchTopicOffsets('doomed')).toMatchObject([{ partition: 0, low: '0', high: '0' }]);
    const doomedOffsets = await admin.fetchOffsets({ groupId: 'reads-doomed', topics: ['doomed'] });
    expect(doomedOffsets).toMatchObject([{ topic: 'doomed', partitions: [{ partition: 0, offset: '-1' }] }]);
    await admin.disconnect();
  });
});
