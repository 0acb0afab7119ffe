/**
 * Fetch size limits: the client's max_bytes / partition_max_bytes are honoured, and the broker caps a response
 * at its own fetchMaxBytes (Kafka's fetch.max.bytes) whatever the client asks for, so one request cannot make it
 * read a partition's whole log into memory. The first batch is always returned (KIP-74) so consumers progress.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../src/index.js';
import { FetchApi, type FetchResponse } from '../src/protocol/apis/fetch.js';
import { ProduceApi, type ProduceResponse } from '../src/protocol/apis/produce.js';
import { buildBatch, RawClient, startTestBroker } from './helpers.js';

const FETCH_MAX_BYTES = 4096;
const INT32_MAX = 0x7fffffff;

describe('fetch size limits', () => {
  let broker: RunningBroker;
  let c: RawClient;
  let batchSize = 0;

  beforeAll(async () => {
    broker = await startTestBroker({ fetchMaxBytes: FETCH_MAX_BYTES });
    c = await RawClient.connect(broker);
    // 'many': 10 batches of ~1 KiB (10 KiB in all, well above the cap); 'huge': one batch larger than the cap
    for (let i = 0; i < 10; i++) batchSize = await produce('many', buildBatch([{ key: null, value: `${i}`.padEnd(1000, 'x') }]));
    await produce('huge', buildBatch([{ key: null, value: 'y'.repeat(3 * FETCH_MAX_BYTES) }]));
  });
  afterAll(async () => {
    c.close();
    await broker.stop();
  });

  async function produce(topic: string, batch: Buffer): Promise<number> {
    c.send(ProduceApi, 7, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
    expect((await c.receive<ProduceResponse>(ProduceApi, 7)).body.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    return batch.length;
  }

  /** Bytes of records returned for partition 0 of `topic` from offset 0. */
  async function fetchedBytes(topic: string, maxBytes: number, partitionMaxBytes: number): Promise<number> {
    c.send(FetchApi, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const partition = (await c.receive<FetchResponse>(FetchApi, 11)).body.responses[0]!.partitions[0]!;
    expect(partition.errorCode).toBe(0);
    return (partition.records as unknown as Buffer | null)?.length ?? 0;
  }

  it('caps a response at the broker fetchMaxBytes when the client asks for up to 2 GiB', async () => {
    expect(await fetchedBytes('many', INT32_MAX, INT32_MAX)).toBe(Math.floor(FETCH_MAX_BYTES / batchSize) * batchSize);
  });

  it('honours smaller client limits: max_bytes and partition_max_bytes, whole batches only', async () => {
    expect(await fetchedBytes('many', 2 * batchSize + 10, INT32_MAX)).toBe(2 * batchSize);
    expect(await fetchedBytes('many', INT32_MAX, 3 * batchSize + 10)).toBe(3 * batchSize);
  });

  it('returns exactly the first batch for max_bytes 0 (not the whole log)', async () => {
    expect(await fetchedBytes('many', 0, INT32_MAX)).toBe(batchSize);
  });

  it('still returns a first batch larger than every limit, so a consumer is never stuck', async () => {
    const bytes = await fetchedBytes('huge', INT32_MAX, 1);
    expect(bytes).toBeGreaterThan(3 * FETCH_MAX_BYTES);
  });
});
