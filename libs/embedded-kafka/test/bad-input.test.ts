import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../src/index.js';
import { ApiVersionsApi, type ApiVersionsResponse } from '../src/protocol/apis/api-versions.js';
import { FetchApi } from '../src/protocol/apis/fetch.js';
import { MetadataApi, type MetadataResponse } from '../src/protocol/apis/metadata.js';
import { ProduceApi, type ProduceResponse } from '../src/protocol/apis/produce.js';
import { ErrorCode } from '../src/protocol/errors.js';
import { Writer } from '../src/protocol/primitives.js';
import { buildBatch, RawClient, startTestBroker } from './helpers.js';

describe('bad input', () => {
  let broker: RunningBroker;
  let healthy: RawClient;

  beforeAll(async () => {
    broker = await startTestBroker({ maxMessageBytes: 10_000, maxRequestBytes: 1_000_000 });
    healthy = await RawClient.connect(broker);
  });
  afterAll(async () => {
    healthy.close();
    await broker.stop();
  });

  /** The long-lived second connection still gets answers. */
  async function healthyStillServed(): Promise<void> {
    healthy.send(MetadataApi, 6, { topics: [], allowAutoTopicCreation: false });
    const res = await healthy.receive<MetadataResponse>(MetadataApi, 6);
    expect(res.body.brokers).toHaveLength(1);
  }

  const produce = (topic: string, records: Buffer, acks = -1) => ({
    transactionalId: null,
    acks,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });

  it('closes a connection that sends garbage bytes', async () => {
    const c = await RawClient.connect(broker);
    c.write(Buffer.from('GET / HTTP/1.1\r\nHost: kafka\r\n\r\n'));
    expect(await c.waitClosed()).toBe(true);
    await healthyStillServed();
  });

  it('closes a connection that announces a frame above socket.request.max.bytes', async () => {
    const c = await RawClient.connect(broker);
    const head = Buffer.alloc(8);
    head.writeInt32BE(50_000_000, 0);
    c.write(head);
    expect(await c.waitClosed()).toBe(true);
    await healthyStillServed();
  });

  it('closes the connection on an unknown API key, without a made-up response', async () => {
    const c = await RawClient.connect(broker);
    const w = new Writer();
    w.int32(0).int16(999).int16(0).int32(7).nullableString('raw');
    const frame = w.toBuffer();
    frame.writeInt32BE(frame.length - 4, 0);
    c.write(frame);
    expect(await c.nextFrame()).toBeNull();
    expect(c.closed).toBe(true);
    await healthyStillServed();
  });

  it('closes only the connection whose response cannot be encoded (a name echoed back over the string limit)', async () => {
    // DescribeGroups v0 for a group id of 11,000 invalid UTF-8 bytes: read leniently, each becomes U+FFFD, 3 bytes
    // when the id is echoed back, so the response would hold a 33,000-byte string (Kafka strings stop at 32,767)
    const c = await RawClient.connect(broker);
    const w = new Writer();
    w.int32(0).int16(15).int16(0).int32(9).nullableString('raw').int32(1).int16(11_000);
    const frame = Buffer.concat([w.toBuffer(), Buffer.alloc(11_000, 0xff)]);
    frame.writeInt32BE(frame.length - 4, 0);
    c.write(frame);
    expect(await c.waitClosed()).toBe(true);
    await healthyStillServed();
  });

  it('answers an unsupported ApiVersions version with UNSUPPORTED_VERSION and the v0 list', async () => {
    const c = await RawClient.connect(broker);
    const w = new Writer();
    w.int32(0).int16(18).int16(9).int32(42).nullableString('future-client').uvarint(0).int8(1).int8(2);
    const frame = w.toBuffer();
    frame.writeInt32BE(frame.length - 4, 0);
    c.write(frame);
    const res = await c.receive<ApiVersionsResponse>(ApiVersionsApi, 0);
    expect(res.correlationId).toBe(42);
    expect(res.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(res.body.apiKeys.find((k) => k.apiKey === 18)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 });
    c.close();
  });

  it('rejects a batch with a wrong CRC with CORRUPT_MESSAGE and appends nothing', async () => {
    const c = await RawClient.connect(broker);
    const batch = buildBatch([{ key: 'k', value: 'v' }]);
    batch[batch.length - 1] ^= 0xff;
    c.send(ProduceApi, 7, produce('crc-topic', batch));
    const res = await c.receive<ProduceResponse>(ProduceApi, 7);
    expect(res.body.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    // The connection stays usable and the log is still empty: a good batch gets offset 0.
    c.send(ProduceApi, 7, produce('crc-topic', buildBatch([{ key: 'k', value: 'v' }])));
    const ok = await c.receive<ProduceResponse>(ProduceApi, 7);
    expect(ok.body.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0n });
    c.close();
    await healthyStillServed();
  });

  it('rejects a batch above message.max.bytes with MESSAGE_TOO_LARGE', async () => {
    const c = await RawClient.connect(broker);
    c.send(ProduceApi, 7, produce('big-topic', buildBatch([{ key: null, value: 'x'.repeat(20_000) }])));
    const res = await c.receive<ProduceResponse>(ProduceApi, 7);
    expect(res.body.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    c.close();
  });

  it('never answers acks=0 produce, answers the next request in order, and closes on a failed acks=0 produce', async () => {
    const c = await RawClient.connect(broker);
    c.send(ProduceApi, 7, produce('acks0', buildBatch([{ key: null, value: 'fire-and-forget' }]), 0));
    const meta = c.send(MetadataApi, 6, { topics: [{ name: 'acks0' }], allowAutoTopicCreation: false });
    const res = await c.receive<MetadataResponse>(MetadataApi, 6);
    expect(res.correlationId).toBe(meta.correlationId);
    const bad = buildBatch([{ key: null, value: 'corrupt' }]);
    bad[bad.length - 1] ^= 1;
    c.send(ProduceApi, 7, produce('acks0', bad, 0));
    expect(await c.waitClosed()).toBe(true);
    await healthyStillServed();
  });

  it('answers pipelined requests in order', async () => {
    const c = await RawClient.connect(broker);
    const sent = [
      c.send(MetadataApi, 1, { topics: null }),
      c.send(ApiVersionsApi, 2, {}),
      c.send(ProduceApi, 3, produce('pipelined', buildBatch([{ key: null, value: 'p' }]))),
      c.send(MetadataApi, 0, { topics: [] }),
    ];
    const ids = [];
    ids.push((await c.receive(MetadataApi, 1)).correlationId);
    ids.push((await c.receive(ApiVersionsApi, 2)).correlationId);
    ids.push((await c.receive(ProduceApi, 3)).correlationId);
    ids.push((await c.receive(MetadataApi, 0)).correlationId);
    expect(ids).toEqual(sent.map((s) => s.correlationId));
    c.close();
  });

  it('keeps answering a client that pipelines more parked requests than it may have pending', async () => {
    const c = await RawClient.connect(broker);
    c.send(ProduceApi, 7, produce('pipeline-park', buildBatch([{ key: null, value: 'x' }])));
    await c.receive(ProduceApi, 7);
    // 1,500 long-polls at the log end all park; the broker stops reading at 1,024 pending and resumes as they answer.
    const fetch = {
      replicaId: -1,
      maxWaitMs: 200,
      minBytes: 1,
      maxBytes: 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 'pipeline-park', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 1n, logStartOffset: -1n, partitionMaxBytes: 1024 }] }],
      forgottenTopicsData: [],
      rackId: '',
    };
    const sent = Array.from({ length: 1500 }, () => c.send(FetchApi, 11, fetch).correlationId);
    const ids: number[] = [];
    for (let i = 0; i < sent.length; i++) ids.push((await c.receive(FetchApi, 11)).correlationId);
    expect(ids).toEqual(sent);
    c.close();
  });
});
