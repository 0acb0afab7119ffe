/**
 * Parked fetches (long polls): what they answer and when, and what they cost the log while they wait. A parked
 * fetch is woken by every append to a partition it asked for; it must not re-read its whole byte budget from the
 * log each time (a producer writing small batches while consumers long-poll) — only once the appended bytes could
 * reach min_bytes — yet answer exactly what a fetch that does not wait would answer at that moment.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogStore, type LogStore, type PartitionLog, type RunningBroker } from '../src/index.js';
import { createFileLogStore } from '../src/log/file-log.js';
import { DeleteTopicsApi, type DeleteTopicsResponse } from '../src/protocol/apis/delete-topics.js';
import { FetchApi, type FetchRequest, type FetchResponse } from '../src/protocol/apis/fetch.js';
import { ProduceApi, type ProduceResponse } from '../src/protocol/apis/produce.js';
import { buildBatch, RawClient, startTestBroker, waitFor } from './helpers.js';

/** A LogStore that counts read() calls per partition log; the broker takes any LogStore through its `store` option. */
class ReadCountingStore implements LogStore {
  private readonly reads = new Map<string, number>();

  constructor(private readonly inner: LogStore) {}

  readsOf(topic: string, partition: number): number {
    return this.reads.get(`${topic}-${partition}`) ?? 0;
  }

  async openPartition(topic: string, partition: number): Promise<PartitionLog> {
    const log = await this.inner.openPartition(topic, partition);
    const key = `${topic}-${partition}`;
    const reads = this.reads;
    return {
      get logStartOffset() {
        return log.logStartOffset;
      },
      get highWatermark() {
        return log.highWatermark;
      },
      append: (batch, recordCount, maxTimestamp) => log.append(batch, recordCount, maxTimestamp),
      read: (fetchOffset, maxBytes) => {
        reads.set(key, (reads.get(key) ?? 0) + 1);
        return log.read(fetchOffset, maxBytes);
      },
      offsetForTimestamp: (ts) => log.offsetForTimestamp(ts),
      close: () => log.close(),
    };
  }

  deleteTopic(topic: string): Promise<void> {
    return this.inner.deleteTopic(topic);
  }

  listTopics(): ReturnType<LogStore['listTopics']> {
    return this.inner.listTopics();
  }

  loadOffsets(): ReturnType<LogStore['loadOffsets']> {
    return this.inner.loadOffsets();
  }

  saveOffset(group: string, topic: string, partition: number, offset: bigint, metadata: string | null): Promise<void> {
    return this.inner.saveOffset(group, topic, partition, offset, metadata);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

interface Slot {
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes?: number;
}

function fetchRequest(topic: string, slots: Slot[], options: { maxWaitMs: number; minBytes: number; maxBytes?: number }): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: options.maxWaitMs,
    minBytes: options.minBytes,
    maxBytes: options.maxBytes ?? 1 << 20,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: slots.map((s) => ({ partition: s.partition, currentLeaderEpoch: -1, fetchOffset: s.fetchOffset, logStartOffset: -1n, partitionMaxBytes: s.partitionMaxBytes ?? 1 << 20 })),
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  } as FetchRequest;
}

async function produce(client: RawClient, topic: string, partition: number, batch: Buffer): Promise<bigint> {
  client.send(ProduceApi, 7, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }] });
  const res = (await client.receive<ProduceResponse>(ProduceApi, 7)).body.responses[0]!.partitionResponses[0]!;
  expect(res.errorCode).toBe(0);
  return res.baseOffset;
}

function batchOf(valueBytes: number): Buffer {
  return buildBatch([{ key: null, value: 'v'.repeat(valueBytes) }]);
}

function recordBytes(partition: FetchResponse['responses'][number]['partitions'][number]): number {
  return (partition.records as unknown as Buffer | null)?.length ?? 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.each(['memory', 'file'] as const)('a parked fetch on the %s store', (kind) => {
  let store: ReadCountingStore;
  let broker: RunningBroker;
  let consumer: RawClient;
  let producer: RawClient;
  let dataDir: string | null = null;

  beforeAll(async () => {
    if (kind === 'file') dataDir = fs.mkdtempSync(join(tmpdir(), 'ek-parked-'));
    store = new ReadCountingStore(dataDir ? await createFileLogStore(dataDir) : new MemoryLogStore());
    broker = await startTestBroker({ store });
    consumer = await RawClient.connect(broker);
    producer = await RawClient.connect(broker);
  });
  afterAll(async () => {
    consumer.close();
    producer.close();
    await broker.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads the log when it parks and when it answers, not on every append', async () => {
    const topic = `quiet-${kind}`;
    const seed = batchOf(100);
    await produce(producer, topic, 0, seed);
    const appends = 30;
    const small = batchOf(100).length;
    // min_bytes is reached only by the last, larger append
    consumer.send(FetchApi, 11, fetchRequest(topic, [{ partition: 0, fetchOffset: 0n }], { maxWaitMs: 30_000, minBytes: seed.length + appends * small + 1 }));
    await waitFor(() => store.readsOf(topic, 0) >= 1, 5000, 'the fetch to read the log once');
    const parkedReads = store.readsOf(topic, 0);

    for (let i = 0; i < appends; i++) await produce(producer, topic, 0, batchOf(100));
    expect(consumer.queuedFrames).toBe(0);
    expect(store.readsOf(topic, 0)).toBe(parkedReads);

    const last = batchOf(500);
    await produce(producer, topic, 0, last);
    const res = await consumer.receive<FetchResponse>(FetchApi, 11);
    const partition = res.body.responses[0]!.partitions[0]!;
    expect(partition).toMatchObject({ errorCode: 0, highWatermark: BigInt(appends + 2) });
    expect(recordBytes(partition)).toBe(seed.length + appends * small + last.length);
    expect(store.readsOf(topic, 0)).toBe(parkedReads + 1);
  });
});

describe('long-poll answers', () => {
  let store: ReadCountingStore;
  let broker: RunningBroker;
  let consumer: RawClient;
  let producer: RawClient;
  const size = batchOf(300).length;

  beforeAll(async () => {
    store = new ReadCountingStore(new MemoryLogStore());
    broker = await startTestBroker({ defaultPartitions: 2, store });
    consumer = await RawClient.connect(broker);
    producer = await RawClient.connect(broker);
  });
  afterAll(async () => {
    consumer.close();
    producer.close();
    await broker.stop();
  });

  it('answers as soon as the bytes it would return reach min_bytes, not before', async () => {
    await produce(producer, 'enough', 0, batchOf(300));
    consumer.send(FetchApi, 11, fetchRequest('enough', [{ partition: 0, fetchOffset: 1n }], { maxWaitMs: 10_000, minBytes: 2 * size + 1 }));
    for (let i = 0; i < 2; i++) {
      await produce(producer, 'enough', 0, batchOf(300));
      await sleep(150);
      expect(consumer.queuedFrames).toBe(0);
    }
    const acked = Date.now();
    await produce(producer, 'enough', 0, batchOf(300));
    const res = await consumer.receive<FetchResponse>(FetchApi, 11);
    expect(Date.now() - acked).toBeLessThan(1000);
    expect(recordBytes(res.body.responses[0]!.partitions[0]!)).toBe(3 * size);
  });

  it('counts toward min_bytes only what partition_max_bytes and max_bytes let through, and answers that at max_wait', async () => {
    // partition_max_bytes: 4 batches, 2 fit
    await produce(producer, 'capped', 0, batchOf(300));
    let started = Date.now();
    consumer.send(FetchApi, 11, fetchRequest('capped', [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 2 * size + 10 }], { maxWaitMs: 600, minBytes: 2 * size + 5 }));
    await waitFor(() => store.readsOf('capped', 0) === 1, 5000, 'the fetch to park');
    // one more batch cannot take the answer to min_bytes: no read; the next ones could (they are read, and capped)
    await produce(producer, 'capped', 0, batchOf(300));
    expect(store.readsOf('capped', 0)).toBe(1);
    for (let i = 0; i < 2; i++) await produce(producer, 'capped', 0, batchOf(300));
    expect(consumer.queuedFrames).toBe(0);
    let res = await consumer.receive<FetchResponse>(FetchApi, 11);
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    expect(res.body.responses[0]!.partitions[0]!).toMatchObject({ errorCode: 0, highWatermark: 4n });
    expect(recordBytes(res.body.responses[0]!.partitions[0]!)).toBe(2 * size);

    // max_bytes over two partitions: 2 batches each, 2 fit in all
    await produce(producer, 'budget', 0, batchOf(300));
    started = Date.now();
    const slots = [0, 1].map((partition) => ({ partition, fetchOffset: 0n }));
    consumer.send(FetchApi, 11, fetchRequest('budget', slots, { maxWaitMs: 600, minBytes: 2 * size + 5, maxBytes: 2 * size + 10 }));
    await waitFor(() => store.readsOf('budget', 0) === 1, 5000, 'the fetch to park');
    await produce(producer, 'budget', 1, batchOf(300));
    expect([store.readsOf('budget', 0), store.readsOf('budget', 1)]).toEqual([1, 0]);
    for (let i = 2; i < 4; i++) await produce(producer, 'budget', i % 2, batchOf(300));
    expect(consumer.queuedFrames).toBe(0);
    res = await consumer.receive<FetchResponse>(FetchApi, 11);
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    expect(res.body.responses[0]!.partitions.map(recordBytes)).toEqual([2 * size, 0]);
  });
});

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('a parked fetch answers what a fetch that does not wait answers at the same moment', () => {
  const PARTITIONS = 3;
  let broker: RunningBroker;
  let waiter: RawClient;
  let oracle: RawClient;
  let producer: RawClient;

  beforeAll(async () => {
    // a small fetchMaxBytes so the broker cap, client limits and the first-batch rule all come into play
    broker = await startTestBroker({ defaultPartitions: PARTITIONS, fetchMaxBytes: 3000 });
    [waiter, oracle, producer] = await Promise.all([RawClient.connect(broker), RawClient.connect(broker), RawClient.connect(broker)]);
  });
  afterAll(async () => {
    for (const c of [waiter, oracle, producer]) c.close();
    await broker.stop();
  });

  /**
   * Asks the same fetch without waiting: when that would satisfy the parked one (min_bytes or an error), the parked
   * one must have answered exactly that; otherwise it must still be waiting.
   */
  async function check(request: FetchRequest): Promise<boolean> {
    oracle.send(FetchApi, 11, { ...request, maxWaitMs: 0 });
    const now = (await oracle.receive<FetchResponse>(FetchApi, 11)).body;
    const partitions = now.responses.flatMap((t) => t.partitions);
    const bytes = partitions.reduce((sum, p) => sum + recordBytes(p), 0);
    if (bytes < request.minBytes && partitions.every((p) => p.errorCode === 0)) {
      expect(waiter.queuedFrames).toBe(0);
      return false;
    }
    expect((await waiter.receive<FetchResponse>(FetchApi, 11)).body).toEqual(now);
    return true;
  }

  it("counts a later partition's larger share at once when an earlier partition's oversized first batch stops fitting", async () => {
    const topic = 'same-shift';
    const maxBytes = 2000;
    const tiny = batchOf(0).length;
    const oversized = batchOf(1400);
    await produce(producer, topic, 1, oversized);
    for (let i = 0; i < 30; i++) await produce(producer, topic, 2, batchOf(0));
    // parked: partition 0 empty, 1 sends `oversized` (the first batch of the response), 2 fills what is left
    const before = oversized.length + Math.floor((maxBytes - oversized.length) / tiny) * tiny;
    // then partition 0 gets a batch after which `oversized` no longer fits, and 2 gets the room 1 had
    const pushed = batchOf(600);
    const after = pushed.length + Math.floor((maxBytes - pushed.length) / tiny) * tiny;
    expect(maxBytes - pushed.length).toBeLessThan(oversized.length);
    expect(after).toBeGreaterThan(before);
    const slots = [0, 1, 2].map((partition) => ({ partition, fetchOffset: 0n }));
    const request = fetchRequest(topic, slots, { maxWaitMs: 30_000, minBytes: after, maxBytes });
    waiter.send(FetchApi, 11, request);
    expect(await check(request)).toBe(false);
    await produce(producer, topic, 0, pushed);
    expect(await check(request)).toBe(true);
  });

  it('over random batch sizes, fetch offsets, partition order and limits, while batches are appended', async () => {
    const random = seededRandom(20261206);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const valueSizes = [0, 40, 150, 400, 900, 1600, 3500];
    for (let scenario = 0; scenario < 80; scenario++) {
      const topic = `same-${scenario}`;
      const ends: number[] = [];
      for (let p = 0; p < PARTITIONS; p++) {
        const count = Math.floor(random() * 4) + (p === 0 ? 1 : 0); // the first produce creates the topic
        for (let i = 0; i < count; i++) await produce(producer, topic, p, batchOf(pick(valueSizes)));
        ends.push(count);
      }
      const order = [0, 1, 2].sort(() => random() - 0.5).slice(0, 1 + Math.floor(random() * PARTITIONS));
      const slots = order.map((partition) => ({
        partition,
        fetchOffset: BigInt(Math.floor(random() * (ends[partition]! + 1))),
        partitionMaxBytes: pick([0, 100, 600, 1500, 1 << 20]),
      }));
      const request = fetchRequest(topic, slots, { maxWaitMs: 30_000, minBytes: 1 + Math.floor(random() ** 2 * 3500), maxBytes: pick([0, 500, 1500, 1 << 20]) });
      waiter.send(FetchApi, 11, request);
      let answered = await check(request);
      for (let i = 0; i < 12 && !answered; i++) {
        await produce(producer, topic, Math.floor(random() * PARTITIONS), batchOf(pick(valueSizes)));
        answered = await check(request);
      }
      if (!answered) {
        producer.send(DeleteTopicsApi, 3, { topicNames: [topic], timeoutMs: 5000 });
        expect((await producer.receive<DeleteTopicsResponse>(DeleteTopicsApi, 3)).body.responses[0]!.errorCode).toBe(0);
        expect(await check(request)).toBe(true);
      }
    }
  });
});
