import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileLogStore, type FileLogStore, type FileLogStoreOptions } from './file-log.js';
import { decodeBatch, makeBatch } from './file-test-batches.js';
import type { PartitionLog } from './partition-log.js';

let dataDir: string;
const openStores: FileLogStore[] = [];

beforeEach(() => {
  dataDir = fs.mkdtempSync(join(tmpdir(), 'file-log-'));
});

afterEach(async () => {
  await Promise.all(openStores.splice(0).map((store) => store.close()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function open(options: FileLogStoreOptions = {}): Promise<FileLogStore> {
  const store = await createFileLogStore(dataDir, { onRepair: () => undefined, ...options });
  openStores.push(store);
  return store;
}

async function reopen(store: FileLogStore, options: FileLogStoreOptions = {}): Promise<FileLogStore> {
  await store.close();
  openStores.splice(openStores.indexOf(store), 1);
  return open(options);
}

function batchOf(first: number, count: number, timestamp = 1_700_000_000_000n): Buffer {
  return makeBatch(Array.from({ length: count }, (_, i) => ({ key: `k${String(first + i).padStart(6, '0')}`, value: valueOf(first + i), timestamp })));
}

/** Fixed width, so batches of the same record count have the same size. */
function valueOf(n: number): string {
  return `value-${String(n).padStart(6, '0')}`;
}

function readAll(log: PartitionLog, from = log.logStartOffset): Array<{ offset: bigint; key: string | null; value: string | null }> {
  const out: Array<{ offset: bigint; key: string | null; value: string | null }> = [];
  let next = from;
  while (next < log.highWatermark) {
    const batches = log.read(next, 64 * 1024);
    expect(batches.length).toBeGreaterThan(0);
    for (const record of batches.flatMap(decodeBatch)) if (record.offset >= next) out.push(record);
    next = out.at(-1)!.offset + 1n;
  }
  return out;
}

function segmentFiles(topicPartition: string, suffix: string): string[] {
  return fs.readdirSync(join(dataDir, topicPartition)).filter((name) => name.endsWith(suffix)).sort();
}

describe('file log store: appends and reads', () => {
  it('assigns consecutive offsets, rewrites baseOffset and serves records back', async () => {
    const log = await (await open()).openPartition('orders', 0);
    expect(await log.append(batchOf(0, 3), 3, 0n)).toBe(0n);
    expect(await log.append(batchOf(3, 2), 2, 0n)).toBe(3n);
    expect(log.highWatermark).toBe(5n);
    const [first, second] = log.read(0n, 1 << 20);
    expect(first!.readBigInt64BE(0)).toBe(0n);
    expect(second!.readBigInt64BE(0)).toBe(3n);
    expect(readAll(log).map((r) => [r.offset, r.value])).toEqual([0, 1, 2, 3, 4].map((i) => [BigInt(i), valueOf(i)]));
  });

  it('starts a read at the batch containing the fetch offset and returns nothing at or past the high watermark', async () => {
    const log = await (await open()).openPartition('orders', 0);
    for (let i = 0; i < 10; i++) await log.append(batchOf(i * 10, 10), 10, 0n);
    const batches = log.read(45n, 1);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.readBigInt64BE(0)).toBe(40n);
    expect(log.read(100n, 1 << 20)).toEqual([]);
    expect(log.read(500n, 1 << 20)).toEqual([]);
  });

  it('limits a read to about maxBytes of whole batches but always returns the first one', async () => {
    const log = await (await open()).openPartition('orders', 0);
    const size = batchOf(0, 5).length;
    for (let i = 0; i < 20; i++) await log.append(batchOf(i * 5, 5), 5, 0n);
    expect(log.read(0n, 1)).toHaveLength(1);
    expect(log.read(0n, size * 3)).toHaveLength(3);
    expect(log.read(0n, size * 3 + size - 1)).toHaveLength(3);
    expect(log.read(0n, 1 << 20)).toHaveLength(20);
  });

  it('coalesces appends of one tick into a group commit that becomes readable only once written', async () => {
    const log = await (await open()).openPartition('orders', 0);
    const acks = Array.from({ length: 50 }, (_, i) => log.append(batchOf(i, 1), 1, 0n));
    expect(log.highWatermark).toBe(0n);
    expect(log.read(0n, 1 << 20)).toEqual([]);
    expect(await Promise.all(acks)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i)));
    expect(log.highWatermark).toBe(50n);
    expect(readAll(log)).toHaveLength(50);
  });

  it('finds the first batch whose max timestamp reaches a time', async () => {
    const log = await (await open({ indexIntervalBytes: 64 })).openPartition('events', 0);
    for (let i = 0; i < 30; i++) await log.append(batchOf(i * 2, 2, 1000n + BigInt(i) * 10n), 2, 0n);
    expect(log.offsetForTimestamp(0n)).toBe(0n);
    expect(log.offsetForTimestamp(1000n)).toBe(0n);
    expect(log.offsetForTimestamp(1001n)).toBe(2n);
    expect(log.offsetForTimestamp(1150n)).toBe(30n);
    expect(log.offsetForTimestamp(1290n)).toBe(58n);
    expect(log.offsetForTimestamp(1291n)).toBeNull();
  });

  it('rejects illegal topic names instead of touching paths outside dataDir', async () => {
    const store = await open();
    await expect(store.openPartition('../escape', 0)).rejects.toThrow(/illegal topic name/);
    await expect(store.openPartition('ok', -1)).rejects.toThrow(/illegal partition/);
  });
});

describe('file log store: restart', () => {
  it('serves every record with the same offsets after reopening, and keeps assigning after them', async () => {
    let store = await open();
    let log = await store.openPartition('orders', 3);
    for (let i = 0; i < 20; i++) await log.append(batchOf(i * 7, 7), 7, 0n);
    const before = readAll(log);
    store = await reopen(store);
    log = await store.openPartition('orders', 3);
    expect(log.highWatermark).toBe(140n);
    expect(readAll(log)).toEqual(before);
    expect(await log.append(batchOf(140, 1), 1, 0n)).toBe(140n);
    expect(store.repairs).toEqual([]);
  });

  it('rolls segments at segmentBytes, indexes rolled ones on disk and reads across them', async () => {
    let store = await open({ segmentBytes: 4096, indexIntervalBytes: 256 });
    let log = await store.openPartition('orders', 0);
    for (let i = 0; i < 100; i++) await log.append(batchOf(i * 3, 3), 3, 0n);
    const logs = segmentFiles('orders-0', '.log');
    expect(logs.length).toBeGreaterThanOrEqual(3);
    expect(logs[0]).toBe('00000000000000000000.log');
    for (const name of logs) expect(fs.statSync(join(dataDir, 'orders-0', name)).size).toBeLessThanOrEqual(4096);
    // every rolled segment has its index; the active one is indexed by the recovery scan on open
    expect(segmentFiles('orders-0', '.index')).toHaveLength(logs.length - 1);
    const before = readAll(log);
    expect(before).toHaveLength(300);
    store = await reopen(store, { segmentBytes: 4096, indexIntervalBytes: 256 });
    log = await store.openPartition('orders', 0);
    expect(readAll(log)).toEqual(before);
    expect(readAll(log, 250n).map((r) => r.offset)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(250 + i)));
  });

  it('rebuilds deleted or stale index files on open', async () => {
    const options = { segmentBytes: 4096, indexIntervalBytes: 256 };
    let store = await open(options);
    let log = await store.openPartition('orders', 0);
    for (let i = 0; i < 60; i++) await log.append(batchOf(i * 3, 3), 3, 0n);
    const before = readAll(log);
    await store.close();
    openStores.length = 0;
    const indexes = segmentFiles('orders-0', '.index');
    fs.rmSync(join(dataDir, 'orders-0', indexes[0]!));
    fs.writeFileSync(join(dataDir, 'orders-0', indexes[1]!), 'not an index');
    store = await open(options);
    log = await store.openPartition('orders', 0);
    expect(readAll(log)).toEqual(before);
    expect(readAll(log, 100n)[0]!.offset).toBe(100n);
    expect(segmentFiles('orders-0', '.index')).toEqual(indexes);
    expect(store.repairs).toEqual([]);
  });

  it('keeps committed offsets, and forgets those of a deleted topic', async () => {
    let store = await open();
    await store.saveOffset('g1', 'orders', 0, 10n, null);
    await Promise.all([store.saveOffset('g1', 'orders', 0, 42n, 'meta'), store.saveOffset('g2', 'other', 5, -1n, null)]);
    await store.saveOffset('g1', 'gone', 0, 7n, null);
    await store.openPartition('gone', 0);
    await store.deleteTopic('gone');
    store = await reopen(store);
    const offsets = await store.loadOffsets();
    expect(offsets.sort((a, b) => a.group.localeCompare(b.group))).toEqual([
      { group: 'g1', topic: 'orders', partition: 0, offset: 42n, metadata: 'meta' },
      { group: 'g2', topic: 'other', partition: 5, offset: -1n, metadata: null },
    ]);
  });

  it('compacts the offsets journal while running once it is mostly superseded commits', async () => {
    let store = await open();
    for (let round = 0; round < 12; round++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => store.saveOffset('g', 'orders', i % 2, BigInt(round * 100 + i), null)));
    }
    const lines = fs.readFileSync(join(dataDir, 'consumer-offsets.journal'), 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(300);
    store = await reopen(store);
    expect((await store.loadOffsets()).sort((a, b) => a.partition - b.partition).map((o) => o.offset)).toEqual([1198n, 1199n]);
  });

  it('lists topics with their partition counts and deletes a topic with its directories', async () => {
    const store = await open();
    for (let p = 0; p < 3; p++) await (await store.openPartition('a-topic.v1', p)).append(batchOf(0, 1), 1, 0n);
    await store.openPartition('b', 0);
    expect(await store.listTopics()).toEqual([
      { topic: 'a-topic.v1', partitions: 3 },
      { topic: 'b', partitions: 1 },
    ]);
    await store.deleteTopic('a-topic.v1');
    expect(await store.listTopics()).toEqual([{ topic: 'b', partitions: 1 }]);
    expect(fs.readdirSync(dataDir).filter((name) => name.startsWith('a-topic'))).toEqual([]);
    const recreated = await store.openPartition('a-topic.v1', 0);
    expect(recreated.highWatermark).toBe(0n);
  });

  it('refuses a dataDir another live store holds', async () => {
    await open();
    await expect(createFileLogStore(dataDir)).rejects.toThrow(/in use by process/);
  });

  it('takes over a lock left behind by a dead process, or by an earlier life with the same pid', async () => {
    fs.writeFileSync(join(dataDir, '.lock'), String(process.pid));
    await (await open()).close();
    openStores.length = 0;
    fs.writeFileSync(join(dataDir, '.lock'), '2147483646');
    const store = await open();
    expect(fs.readFileSync(join(dataDir, '.lock'), 'utf8')).toBe(String(process.pid));
    await store.close();
    openStores.length = 0;
    expect(fs.existsSync(join(dataDir, '.lock'))).toBe(false);
  });
});

describe('file log store: repair on open', () => {
  async function writeTwentyBatches(): Promise<{ batchSize: number; segment: string }> {
    const store = await open();
    const log = await store.openPartition('orders', 0);
    for (let i = 0; i < 20; i++) await log.append(batchOf(i * 5, 5), 5, 0n);
    await store.close();
    openStores.length = 0;
    return { batchSize: batchOf(0, 5).length, segment: join(dataDir, 'orders-0', '00000000000000000000.log') };
  }

  it('truncates a segment cut in the middle of a batch and serves the intact prefix', async () => {
    const { batchSize, segment } = await writeTwentyBatches();
    fs.truncateSync(segment, batchSize * 17 + 30);
    const store = await open();
    const log = await store.openPartition('orders', 0);
    expect(log.highWatermark).toBe(85n);
    expect(readAll(log).map((r) => r.value)).toEqual(Array.from({ length: 85 }, (_, i) => valueOf(i)));
    expect(fs.statSync(segment).size).toBe(batchSize * 17);
    expect(store.repairs).toMatchObject([{ topic: 'orders', partition: 0, action: 'truncated', droppedBytes: 30 }]);
    expect(await log.append(batchOf(85, 1), 1, 0n)).toBe(85n);
  });

  it('truncates garbage appended after the last batch', async () => {
    const { batchSize, segment } = await writeTwentyBatches();
    fs.appendFileSync(segment, Buffer.from('this is not a record batch, just noise on the disk'));
    const store = await open();
    const log = await store.openPartition('orders', 0);
    expect(log.highWatermark).toBe(100n);
    expect(readAll(log)).toHaveLength(100);
    expect(fs.statSync(segment).size).toBe(batchSize * 20);
    expect(store.repairs).toHaveLength(1);
  });

  it('drops a tail batch whose bytes no longer match its CRC', async () => {
    const { batchSize, segment } = await writeTwentyBatches();
    const fd = fs.openSync(segment, 'r+');
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, batchSize * 19 + 70);
    fs.closeSync(fd);
    const store = await open();
    const log = await store.openPartition('orders', 0);
    expect(log.highWatermark).toBe(95n);
    expect(store.repairs[0]!.reason).toMatch(/CRC-32C mismatch/);
  });

  it('cuts the log at damage found in an older segment and drops the segments after it', async () => {
    const options = { segmentBytes: 2048 };
    let store = await open(options);
    let log = await store.openPartition('orders', 0);
    for (let i = 0; i < 60; i++) await log.append(batchOf(i * 5, 5), 5, 0n);
    await store.close();
    openStores.length = 0;
    const logs = segmentFiles('orders-0', '.log');
    expect(logs.length).toBeGreaterThan(3);
    // damage the last byte of the second segment; without its index file it is rescanned and the CRC catches it
    const damaged = join(dataDir, 'orders-0', logs[1]!);
    const fd = fs.openSync(damaged, 'r+');
    fs.writeSync(fd, Buffer.from([0x5a]), 0, 1, fs.statSync(damaged).size - 1);
    fs.closeSync(fd);
    fs.rmSync(damaged.replace(/\.log$/, '.index'));

    store = await open(options);
    log = await store.openPartition('orders', 0);
    expect(store.repairs.map((r) => r.action)).toEqual(['truncated', ...logs.slice(2).map(() => 'dropped')]);
    expect(segmentFiles('orders-0', '.log')).toEqual(logs.slice(0, 2));
    const served = readAll(log);
    expect(served.map((r) => r.value)).toEqual(served.map((_, i) => valueOf(i)));
    expect(log.highWatermark).toBe(BigInt(served.length));
    expect(await log.append(batchOf(served.length, 1), 1, 0n)).toBe(BigInt(served.length));
  });

  it('drops a torn line at the end of the offsets journal', async () => {
    let store = await open();
    await store.saveOffset('g', 'orders', 0, 5n, null);
    await store.close();
    openStores.length = 0;
    fs.appendFileSync(join(dataDir, 'consumer-offsets.journal'), '1234abcd {"g":"g","t":"orders","p":0,"o":"9');
    store = await open();
    expect(await store.loadOffsets()).toEqual([{ group: 'g', topic: 'orders', partition: 0, offset: 5n, metadata: null }]);
    expect(store.repairs).toMatchObject([{ segment: 'consumer-offsets.journal', action: 'truncated' }]);
  });
});
