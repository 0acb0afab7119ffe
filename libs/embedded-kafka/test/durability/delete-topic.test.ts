/**
 * DeleteTopics on a durable broker: the files go, a restart neither lists the topic nor restores its offsets, and
 * a topic of the same name created while the deletion is still under way starts empty and keeps its own data.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { decodeBatch } from '../../src/log/file-test-batches.js';
import { CreateTopicsApi, type CreateTopicsResponse } from '../../src/protocol/apis/create-topics.js';
import { DeleteTopicsApi, type DeleteTopicsResponse } from '../../src/protocol/apis/delete-topics.js';
import { FetchApi, type FetchResponse } from '../../src/protocol/apis/fetch.js';
import { ProduceApi, type ProduceResponse } from '../../src/protocol/apis/produce.js';
import { encodeRequest } from '../../src/protocol/frame.js';
import { buildBatch, RawClient } from '../helpers.js';
import { client, consume, tempDataDir } from './support.js';

const dataDir = tempDataDir();
const running = new Set<RunningBroker>();
const extraDirs: string[] = [];

afterAll(async () => {
  await Promise.all([...running].map((broker) => broker.stop()));
  for (const dir of [dataDir, ...extraDirs]) fs.rmSync(dir, { recursive: true, force: true });
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

  describe('a topic re-created right behind its DeleteTopics (same TCP read, deletion still closing the old files)', () => {
    const produceRequest = (topic: string, value: string) => ({
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: buildBatch([{ key: null, value }]) }] }],
    });
    const fetchRequest = (topic: string) => ({
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });

    async function startOn(dir: string): Promise<{ broker: RunningBroker; raw: RawClient }> {
      const broker = await startBroker({ dataDir: dir });
      running.add(broker);
      return { broker, raw: await RawClient.connect(broker) };
    }

    async function stop(broker: RunningBroker, raw: RawClient): Promise<void> {
      raw.close();
      await broker.stop();
      running.delete(broker);
    }

    /** Values of every record in partition 0, read with one Fetch. */
    async function values(raw: RawClient, topic: string): Promise<Array<string | null>> {
      raw.send(FetchApi, 11, fetchRequest(topic));
      const partition = (await raw.receive<FetchResponse>(FetchApi, 11)).body.responses[0]!.partitions[0]!;
      expect(partition.errorCode).toBe(0);
      const records = (partition.records as unknown as Buffer | null) ?? Buffer.alloc(0);
      const out: Array<string | null> = [];
      // batch length (bytes 8..12) counts everything after the base offset and itself
      for (let at = 0; at < records.length; at += 12 + records.readInt32BE(at + 8)) {
        out.push(...decodeBatch(records.subarray(at)).map((r) => r.value));
      }
      return out;
    }

    /** A broker on a fresh dataDir whose topic holds two records; returns it with a raw connection. */
    async function withOldTopic(topic: string): Promise<{ dir: string; broker: RunningBroker; raw: RawClient }> {
      const dir = tempDataDir();
      extraDirs.push(dir);
      const { broker, raw } = await startOn(dir);
      for (const value of ['old-1', 'old-2']) {
        raw.send(ProduceApi, 7, produceRequest(topic, value));
        expect((await raw.receive<ProduceResponse>(ProduceApi, 7)).body.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
      }
      return { dir, broker, raw };
    }

    /** The re-created topic holds exactly 'new' at offset 0, before and after a restart. */
    async function expectOnlyNewRecord(dir: string, broker: RunningBroker, raw: RawClient, topic: string): Promise<void> {
      expect(await values(raw, topic)).toEqual(['new']);
      await stop(broker, raw);
      const restarted = await startOn(dir);
      expect(await values(restarted.raw, topic)).toEqual(['new']);
      await stop(restarted.broker, restarted.raw);
    }

    it('by CreateTopics: the new topic starts at offset 0 without the old records, and its record survives a restart', async () => {
      const { dir, broker, raw } = await withOldTopic('phoenix');
      // one write, so the broker reads all three requests in one go while DeleteTopics is still closing the old log
      raw.write(
        Buffer.concat([
          encodeRequest(DeleteTopicsApi, 3, 101, 'raw-test', { topicNames: ['phoenix'], timeoutMs: 1000 }),
          encodeRequest(CreateTopicsApi, 4, 102, 'raw-test', {
            topics: [{ name: 'phoenix', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
            timeoutMs: 1000,
            validateOnly: false,
          }),
          encodeRequest(ProduceApi, 7, 103, 'raw-test', produceRequest('phoenix', 'new')),
        ]),
      );
      expect((await raw.receive<DeleteTopicsResponse>(DeleteTopicsApi, 3)).body.responses).toEqual([{ name: 'phoenix', errorCode: 0 }]);
      expect((await raw.receive<CreateTopicsResponse>(CreateTopicsApi, 4)).body.topics).toMatchObject([{ name: 'phoenix', errorCode: 0 }]);
      const produced = (await raw.receive<ProduceResponse>(ProduceApi, 7)).body.responses[0]!.partitionResponses[0]!;
      expect(produced).toMatchObject({ errorCode: 0, baseOffset: 0n });
      await expectOnlyNewRecord(dir, broker, raw, 'phoenix');
    });

    it('by auto-creation on Produce: the same', async () => {
      const { dir, broker, raw } = await withOldTopic('phoenix-auto');
      raw.write(
        Buffer.concat([
          encodeRequest(DeleteTopicsApi, 3, 201, 'raw-test', { topicNames: ['phoenix-auto'], timeoutMs: 1000 }),
          encodeRequest(ProduceApi, 7, 202, 'raw-test', produceRequest('phoenix-auto', 'new')),
        ]),
      );
      expect((await raw.receive<DeleteTopicsResponse>(DeleteTopicsApi, 3)).body.responses).toEqual([{ name: 'phoenix-auto', errorCode: 0 }]);
      const produced = (await raw.receive<ProduceResponse>(ProduceApi, 7)).body.responses[0]!.partitionResponses[0]!;
      expect(produced).toMatchObject({ errorCode: 0, baseOffset: 0n });
      await expectOnlyNewRecord(dir, broker, raw, 'phoenix-auto');
    });
  });
});
