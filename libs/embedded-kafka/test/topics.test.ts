import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../src/index.js';
import { CreateTopicsApi, type CreateTopicsResponse } from '../src/protocol/apis/create-topics.js';
import { MetadataApi, type MetadataResponse } from '../src/protocol/apis/metadata.js';
import { ProduceApi, type ProduceResponse } from '../src/protocol/apis/produce.js';
import { ErrorCode } from '../src/protocol/errors.js';
import { buildBatch, RawClient, startTestBroker } from './helpers.js';

describe('topic creation rules', () => {
  let broker: RunningBroker;
  let c: RawClient;

  beforeAll(async () => {
    broker = await startTestBroker({ autoCreateTopics: false, defaultPartitions: 3 });
    c = await RawClient.connect(broker);
  });
  afterAll(async () => {
    c.close();
    await broker.stop();
  });

  async function metadata(version: number, body: object): Promise<MetadataResponse> {
    c.send(MetadataApi, version, body);
    return (await c.receive<MetadataResponse>(MetadataApi, version)).body;
  }

  it('does not auto-create when disabled, on Metadata or Produce', async () => {
    const res = await metadata(6, { topics: [{ name: 'nope' }], allowAutoTopicCreation: true });
    expect(res.topics).toEqual([{ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: 'nope', isInternal: false, partitions: [] }]);
    expect(res.controllerId).toBe(0);
    expect(res.clusterId).toBe('soulspot-embedded-kafka');
    c.send(ProduceApi, 3, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'nope', partitionData: [{ index: 0, records: buildBatch([{ key: null, value: 'x' }]) }] }] });
    const produced = await c.receive<ProduceResponse>(ProduceApi, 3);
    expect(produced.body.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('validates CreateTopics input and honours -1 defaults in every version', async () => {
    c.send(CreateTopicsApi, 0, {
      topics: [
        { name: 'ct-default', numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] },
        { name: 'bad/name', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'zero', numPartitions: 0, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [0] }, { partitionIndex: 1, brokerIds: [0] }], configs: [] },
      ],
      timeoutMs: 1000,
    });
    const res = (await c.receive<CreateTopicsResponse>(CreateTopicsApi, 0)).body;
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['ct-default', 0],
      ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['zero', ErrorCode.INVALID_PARTITIONS],
      ['manual', 0],
    ]);
    c.send(CreateTopicsApi, 4, { topics: [{ name: 'ct-default', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    expect((await c.receive<CreateTopicsResponse>(CreateTopicsApi, 4)).body.topics[0]).toMatchObject({ errorCode: ErrorCode.TOPIC_ALREADY_EXISTS });
    c.send(CreateTopicsApi, 1, { topics: [{ name: 'validate-only', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: true });
    expect((await c.receive<CreateTopicsResponse>(CreateTopicsApi, 1)).body.topics[0]).toMatchObject({ errorCode: 0, errorMessage: null });

    // Metadata v0: an empty list means all topics; v1+: null means all.
    const v0 = await metadata(0, { topics: [] });
    const parts = new Map(v0.topics.map((t) => [t.name, t.partitions.length]));
    expect(parts).toEqual(new Map([['ct-default', 3], ['manual', 2]]));
    expect((await metadata(1, { topics: [] })).topics).toEqual([]);
    expect((await metadata(1, { topics: null })).topics).toHaveLength(2);
  });

  it('serves many concurrent connections', async () => {
    const clients = await Promise.all(Array.from({ length: 60 }, () => RawClient.connect(broker)));
    for (const cl of clients) for (let i = 0; i < 3; i++) cl.send(MetadataApi, 6, { topics: null, allowAutoTopicCreation: false });
    const answers = await Promise.all(clients.map(async (cl) => [await cl.receive(MetadataApi, 6), await cl.receive(MetadataApi, 6), await cl.receive(MetadataApi, 6)]));
    expect(answers.flat().map((a) => a.correlationId)).toEqual(clients.flatMap(() => [1, 2, 3]));
    for (const cl of clients) cl.close();
  });
});
