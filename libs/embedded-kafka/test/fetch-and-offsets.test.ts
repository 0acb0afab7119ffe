import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../src/index.js';
import { FetchApi, type FetchResponse } from '../src/protocol/apis/fetch.js';
import { ListOffsetsApi, type ListOffsetsResponse } from '../src/protocol/apis/list-offsets.js';
import { ProduceApi, type ProduceResponse } from '../src/protocol/apis/produce.js';
import { ErrorCode } from '../src/protocol/errors.js';
import { buildBatch, RawClient, startTestBroker } from './helpers.js';

describe('fetch long polling and list offsets', () => {
  let broker: RunningBroker;
  let consumer: RawClient;
  let producer: RawClient;

  beforeAll(async () => {
    broker = await startTestBroker();
    consumer = await RawClient.connect(broker);
    producer = await RawClient.connect(broker);
  });
  afterAll(async () => {
    consumer.close();
    producer.close();
    await broker.stop();
  });

  async function produce(topic: string, batch: Buffer): Promise<bigint> {
    producer.send(ProduceApi, 7, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
    const res = await producer.receive<ProduceResponse>(ProduceApi, 7);
    return res.body.responses[0]!.partitionResponses[0]!.baseOffset;
  }

  function sendFetch(topic: string, fetchOffset: bigint, maxWaitMs: number, minBytes = 1): void {
    consumer.send(FetchApi, 11, {
      replicaId: -1,
      maxWaitMs,
      minBytes,
      maxBytes: 1 << 20,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
  }

  async function listOffset(topic: string, timestamp: bigint, version = 3): Promise<ListOffsetsResponse['topics'][number]['partitions'][number]> {
    consumer.send(ListOffsetsApi, version, { replicaId: -1, isolationLevel: 1, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp, maxNumOffsets: 1 }] }] });
    const res = await consumer.receive<ListOffsetsResponse>(ListOffsetsApi, version);
    return res.body.topics[0]!.partitions[0]!;
  }

  it('answers an empty fetch after max_wait_ms, not before and not much later', async () => {
    await produce('lp-empty', buildBatch([{ key: null, value: 'x' }]));
    const started = Date.now();
    sendFetch('lp-empty', 1n, 300);
    const res = await consumer.receive<FetchResponse>(FetchApi, 11);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(800); // generous for a loaded CI machine; the broker timer fires at 300 ms
    const p = res.body.responses[0]!.partitions[0]!;
    expect(p).toMatchObject({ errorCode: 0, highWatermark: 1n, lastStableOffset: 1n, logStartOffset: 0n, preferredReadReplica: -1 });
    expect(p.records).toEqual(Buffer.alloc(0));
  });

  it('wakes a parked fetch as soon as a batch is appended', async () => {
    await produce('lp-wake', buildBatch([{ key: null, value: 'first' }]));
    const started = Date.now();
    sendFetch('lp-wake', 1n, 5000);
    await new Promise((r) => setTimeout(r, 100));
    expect(await produce('lp-wake', buildBatch([{ key: null, value: 'second' }]))).toBe(1n);
    const res = await consumer.receive<FetchResponse>(FetchApi, 11);
    expect(Date.now() - started).toBeLessThan(1000);
    const records = res.body.responses[0]!.partitions[0]!.records as Buffer;
    expect(records.readBigInt64BE(0)).toBe(1n);
    expect(records.includes(Buffer.from('second'))).toBe(true);
  });

  it('honours min_bytes: waits for enough data (or max_wait), and min_bytes 0 answers at once', async () => {
    await produce('lp-min', buildBatch([{ key: null, value: 'small' }]));
    let started = Date.now();
    sendFetch('lp-min', 0n, 400, 100_000);
    const waited = await consumer.receive<FetchResponse>(FetchApi, 11);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect((waited.body.responses[0]!.partitions[0]!.records as Buffer).includes(Buffer.from('small'))).toBe(true);

    started = Date.now();
    sendFetch('lp-min', 1n, 5000, 0);
    await consumer.receive<FetchResponse>(FetchApi, 11);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reports OFFSET_OUT_OF_RANGE past the high watermark without waiting', async () => {
    await produce('lp-range', buildBatch([{ key: null, value: 'a' }]));
    const started = Date.now();
    sendFetch('lp-range', 5n, 5000);
    const res = await consumer.receive<FetchResponse>(FetchApi, 11);
    expect(Date.now() - started).toBeLessThan(500);
    expect(res.body.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('lists earliest, latest and by-timestamp offsets (v0 old-style and v1+)', async () => {
    const topic = 'lo-times';
    const t0 = 1_700_000_000_000n;
    await produce(topic, buildBatch([{ key: null, value: 'a', timestampDelta: 0 }, { key: null, value: 'b', timestampDelta: 10 }], { baseTimestamp: t0 }));
    await produce(topic, buildBatch([{ key: null, value: 'c', timestampDelta: 0 }], { baseTimestamp: t0 + 100n }));
    expect(await listOffset(topic, -2n)).toMatchObject({ errorCode: 0, offset: 0n });
    expect(await listOffset(topic, -1n)).toMatchObject({ errorCode: 0, offset: 3n });
    expect(await listOffset(topic, t0 + 5n)).toMatchObject({ offset: 1n, timestamp: t0 + 10n });
    expect(await listOffset(topic, t0 + 50n)).toMatchObject({ offset: 2n, timestamp: t0 + 100n });
    expect(await listOffset(topic, t0 + 1000n)).toMatchObject({ offset: -1n, timestamp: -1n });
    expect(await listOffset(topic, -1n, 0)).toMatchObject({ errorCode: 0, oldStyleOffsets: [3n] });
    expect(await listOffset('lo-missing', -1n)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
  });
});
