import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../src/index.js';
import { FetchApi, type FetchResponse } from '../src/protocol/apis/fetch.js';
import { InitProducerIdApi, type InitProducerIdResponse } from '../src/protocol/apis/init-producer-id.js';
import { ProduceApi, type ProduceResponse } from '../src/protocol/apis/produce.js';
import { ErrorCode } from '../src/protocol/errors.js';
import { buildBatch, kafkaClient, partitioner, RawClient, startTestBroker } from './helpers.js';

describe('idempotent producers', () => {
  let broker: RunningBroker;
  let raw: RawClient;
  let producerId: bigint;

  beforeAll(async () => {
    broker = await startTestBroker();
    raw = await RawClient.connect(broker);
    raw.send(InitProducerIdApi, 1, { transactionalId: null, transactionTimeoutMs: 60_000 });
    const init = await raw.receive<InitProducerIdResponse>(InitProducerIdApi, 1);
    expect(init.body.errorCode).toBe(ErrorCode.NONE);
    producerId = init.body.producerId;
  });
  afterAll(async () => {
    raw.close();
    await broker.stop();
  });

  const produceRequest = (topic: string, batch: Buffer) => ({
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
  });

  async function produce(topic: string, batch: Buffer): Promise<{ errorCode: number; baseOffset: bigint }> {
    raw.send(ProduceApi, 7, produceRequest(topic, batch));
    const res = await raw.receive<ProduceResponse>(ProduceApi, 7);
    return res.body.responses[0]!.partitionResponses[0]!;
  }

  async function fetchAll(topic: string): Promise<Buffer> {
    raw.send(FetchApi, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 10_000_000,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 10_000_000 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const res = await raw.receive<FetchResponse>(FetchApi, 11);
    return res.body.responses[0]!.partitions[0]!.records as Buffer;
  }

  it('kafkajs idempotent producer (maxInFlightRequests 1) stores every message once, in order', async () => {
    const kafka = kafkaClient(broker);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: partitioner });
    await producer.connect();
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic: 'idem-kafkajs', messages: Array.from({ length: 10 }, (_, j) => ({ key: 'same', value: `v${i * 10 + j}` })) });
    }
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('idem-kafkajs');
    await admin.disconnect();
    expect(offsets).toEqual([{ partition: 0, offset: '50', high: '50', low: '0' }]);
  });

  it('answers a resent identical Produce request with the original offset and stores the batch once', async () => {
    const topic = 'idem-raw-dup';
    const first = buildBatch([{ key: 'a', value: '1' }, { key: 'b', value: '2' }], { producerId, producerEpoch: 0, baseSequence: 0 });
    expect(await produce(topic, first)).toMatchObject({ errorCode: 0, baseOffset: 0n });

    // The client "times out" and resends the exact same request bytes.
    const { bytes } = raw.send(ProduceApi, 7, produceRequest(topic, buildBatch([{ key: 'x', value: 'y' }], { producerId, producerEpoch: 0, baseSequence: 2 })));
    await raw.receive<ProduceResponse>(ProduceApi, 7); // sequence 2 stored at offset 2
    raw.write(bytes);
    const dup = await raw.receive<ProduceResponse>(ProduceApi, 7);
    expect(dup.body.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 2n });

    // An older duplicate (still among the last 5 batches) gets its own original offset too.
    expect(await produce(topic, first)).toMatchObject({ errorCode: 0, baseOffset: 0n });
    const records = await fetchAll(topic);
    // Two batches stored: 2 records + 1 record; the duplicates were not appended.
    expect(records.readBigInt64BE(0)).toBe(0n);
    const firstSize = records.readInt32BE(8) + 12;
    expect(records.readBigInt64BE(firstSize)).toBe(2n);
    expect(records.length).toBe(firstSize + records.readInt32BE(firstSize + 8) + 12);
  });

  it('rejects a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER and appends nothing', async () => {
    const topic = 'idem-gap';
    expect(await produce(topic, buildBatch([{ key: null, value: 'a' }], { producerId, producerEpoch: 0, baseSequence: 0 }))).toMatchObject({ errorCode: 0 });
    const gap = await produce(topic, buildBatch([{ key: null, value: 'b' }], { producerId, producerEpoch: 0, baseSequence: 5 }));
    expect(gap.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const next = await produce(topic, buildBatch([{ key: null, value: 'c' }], { producerId, producerEpoch: 0, baseSequence: 1 }));
    expect(next).toMatchObject({ errorCode: 0, baseOffset: 1n });
  });

  it('fences a stale producer epoch with INVALID_PRODUCER_EPOCH', async () => {
    const topic = 'idem-epoch';
    expect(await produce(topic, buildBatch([{ key: null, value: 'a' }], { producerId, producerEpoch: 3, baseSequence: 0 }))).toMatchObject({ errorCode: 0 });
    const stale = await produce(topic, buildBatch([{ key: null, value: 'b' }], { producerId, producerEpoch: 2, baseSequence: 1 }));
    expect(stale.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    // A bumped epoch must restart at sequence 0.
    const bumpedWrong = await produce(topic, buildBatch([{ key: null, value: 'c' }], { producerId, producerEpoch: 4, baseSequence: 7 }));
    expect(bumpedWrong.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await produce(topic, buildBatch([{ key: null, value: 'd' }], { producerId, producerEpoch: 4, baseSequence: 0 }))).toMatchObject({ errorCode: 0, baseOffset: 1n });
  });

  it('recognises a duplicate after a restart on the same dataDir (state re-derived from stored batch headers)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ek-idem-'));
    try {
      const topic = 'idem-restart';
      const pid = 4242n;
      const first = await startTestBroker({ dataDir });
      let c = await RawClient.connect(first);
      const send = async (client: RawClient, batch: Buffer) => {
        client.send(ProduceApi, 7, produceRequest(topic, batch));
        return (await client.receive<ProduceResponse>(ProduceApi, 7)).body.responses[0]!.partitionResponses[0]!;
      };
      const b0 = buildBatch([{ key: null, value: 'a' }, { key: null, value: 'b' }], { producerId: pid, producerEpoch: 0, baseSequence: 0 });
      const b1 = buildBatch([{ key: null, value: 'c' }], { producerId: pid, producerEpoch: 0, baseSequence: 2 });
      expect(await send(c, Buffer.from(b0))).toMatchObject({ errorCode: 0, baseOffset: 0n });
      expect(await send(c, Buffer.from(b1))).toMatchObject({ errorCode: 0, baseOffset: 2n });
      c.close();
      await first.stop();

      const second = await startTestBroker({ dataDir });
      c = await RawClient.connect(second);
      expect(await send(c, Buffer.from(b1))).toMatchObject({ errorCode: 0, baseOffset: 2n });
      const gap = buildBatch([{ key: null, value: 'e' }], { producerId: pid, producerEpoch: 0, baseSequence: 9 });
      expect((await send(c, gap)).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      const next = buildBatch([{ key: null, value: 'd' }], { producerId: pid, producerEpoch: 0, baseSequence: 3 });
      expect(await send(c, next)).toMatchObject({ errorCode: 0, baseOffset: 3n });
      c.close();
      await second.stop();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
