/**
 * The durable LogStore behind `startBroker({ dataDir })`.
 *
 * Layout of dataDir:
 *   <topic>-<partition>/<baseOffset:20 digits>.log   segments: batches exactly as produced (baseOffset rewritten)
 *   <topic>-<partition>/<baseOffset>.index           sparse offset/time index of a rolled segment
 *   consumer-offsets.journal                          committed group offsets (see file-offsets-journal.ts)
 *   .lock                                             pid of the broker using the directory
 *
 * Durability guarantee: an append (and an offset commit) resolves only after its bytes were written to the
 * segment file, so every acknowledged record survives a clean stop and a killed process (SIGKILL, crash). With
 * fsync 'interval' (the default; Kafka's own defaults rely on the page cache as well) an OS crash or power loss can lose
 * what was acknowledged in the last fsyncIntervalMs (1 s); with fsync 'always' every group commit is fdatasync'ed
 * before it is acknowledged and survives those too. Why 'interval' is the default: 'always' adds little CPU
 * (~0.4 µs per message in bench:kafka) and ~0.3-0.5 ms per group commit on an idle disk, but on the busy shared
 * development machine one fdatasync measured 5-10 ms, added to every produce round trip, while this broker exists
 * for development, tests and the demo, where losing the last second on a power cut is acceptable. Opening a partition CRC-checks its active segment and truncates a
 * torn or corrupt tail; rolled segments are trusted when their index file matches them and rescanned otherwise.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import type { LogStore, PartitionLog, StoredOffset } from './partition-log.js';
import { FilePartitionLog, type FsyncPolicy, type LogRepair } from './file-partition-log.js';
import { OffsetsJournal } from './file-offsets-journal.js';
import { fsyncDirectory } from './file-io.js';

export type { FsyncPolicy, LogRepair };

export interface FileLogStoreOptions {
  /** A segment is rolled before it would grow past this size (default 64 MiB). */
  segmentBytes?: number;
  /** Bytes of log between two sparse index entries (default 4 KiB). */
  indexIntervalBytes?: number;
  /** Default 'interval' (see the module comment). */
  fsync?: FsyncPolicy;
  /** Flush period for fsync 'interval' (default 1000 ms). */
  fsyncIntervalMs?: number;
  /** Told about every repair made while opening data; defaults to a warning on stderr. */
  onRepair?: (repair: StoreRepair) => void;
}

export interface StoreRepair extends LogRepair {
  topic: string | null;
  partition: number | null;
}

export interface FileLogStore extends LogStore {
  readonly dataDir: string;
  /** Every repair made so far (torn tails truncated, unusable segments dropped, damaged journal tails). */
  readonly repairs: readonly StoreRepair[];
}

const DEFAULTS = { segmentBytes: 64 * 1024 * 1024, indexIntervalBytes: 4096, fsync: 'interval' as FsyncPolicy, fsyncIntervalMs: 1000 };
const OFFSETS_JOURNAL = 'consumer-offsets.journal';
const LOCK_FILE = '.lock';
/** A partition directory; topic names cannot contain anything that would make this ambiguous at the last '-'. */
const PARTITION_DIR = /^([a-zA-Z0-9._-]+)-(\d+)$/;
const DELETED_SUFFIX = '.deleted';

export async function createFileLogStore(dataDir: string, options: FileLogStoreOptions = {}): Promise<FileLogStore> {
  const config = { ...DEFAULTS, ...withoutUndefined(options) };
  if (!Number.isInteger(config.segmentBytes) || config.segmentBytes < 1024 || config.segmentBytes > 2 ** 31) {
    throw new RangeError(`segmentBytes must be an integer between 1 KiB and 2 GiB, got ${config.segmentBytes}`);
  }
  if (!Number.isInteger(config.indexIntervalBytes) || config.indexIntervalBytes < 1) {
    throw new RangeError(`indexIntervalBytes must be a positive integer, got ${config.indexIntervalBytes}`);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const lockKey = acquireLock(dataDir);
  try {
    removeDeletedLeftovers(dataDir);
    return new FileLogStoreImpl(dataDir, lockKey, config, options.onRepair ?? warnOnStderr);
  } catch (err) {
    releaseLock(dataDir, lockKey);
    throw err;
  }
}

class FileLogStoreImpl implements FileLogStore {
  readonly repairs: StoreRepair[] = [];
  private readonly logs = new Map<string, FilePartitionLog>();
  private readonly journal: OffsetsJournal;
  private readonly syncTimer: NodeJS.Timeout | null;
  private closed = false;

  constructor(
    readonly dataDir: string,
    private readonly lockKey: string,
    private readonly config: typeof DEFAULTS,
    private readonly onRepair: (repair: StoreRepair) => void,
  ) {
    const { journal, repair } = OffsetsJournal.open(join(dataDir, OFFSETS_JOURNAL), config.fsync);
    this.journal = journal;
    if (repair) this.report({ topic: null, partition: null, segment: OFFSETS_JOURNAL, action: 'truncated', reason: repair, droppedBytes: 0 });
    this.syncTimer = config.fsync === 'interval' ? setInterval(() => void this.syncAll(), config.fsyncIntervalMs).unref() : null;
  }

  async openPartition(topic: string, partition: number): Promise<PartitionLog> {
    this.assertOpen();
    const dirName = partitionDirName(topic, partition);
    let log = this.logs.get(dirName);
    if (!log) {
      const repairs: LogRepair[] = [];
      log = FilePartitionLog.open(join(this.dataDir, dirName), this.config, (repair) => repairs.push(repair));
      this.logs.set(dirName, log);
      for (const repair of repairs) this.report({ topic, partition, ...repair });
    }
    return log;
  }

  /** Closes the topic's logs, renames their directories out of the way (one atomic step each), then removes them. */
  async deleteTopic(topic: string): Promise<void> {
    this.assertOpen();
    const dirs = this.partitionDirs().filter((dir) => dir.topic === topic);
    const doomed: string[] = [];
    for (const dir of dirs) {
      const log = this.logs.get(dir.name);
      this.logs.delete(dir.name);
      await log?.close();
      const target = join(this.dataDir, `${dir.name}.${process.pid}-${Date.now()}${DELETED_SUFFIX}`);
      fs.renameSync(join(this.dataDir, dir.name), target);
      doomed.push(target);
    }
    fsyncDirectory(this.dataDir);
    await this.journal.forgetTopic(topic);
    for (const path of doomed) fs.rmSync(path, { recursive: true, force: true });
  }

  async listTopics(): Promise<Array<{ topic: string; partitions: number }>> {
    this.assertOpen();
    const partitions = new Map<string, number>();
    for (const dir of this.partitionDirs()) partitions.set(dir.topic, Math.max(partitions.get(dir.topic) ?? 0, dir.partition + 1));
    return [...partitions].map(([topic, count]) => ({ topic, partitions: count })).sort((a, b) => a.topic.localeCompare(b.topic));
  }

  async loadOffsets(): Promise<StoredOffset[]> {
    this.assertOpen();
    return this.journal.list();
  }

  saveOffset(group: string, topic: string, partition: number, offset: bigint, metadata: string | null): Promise<void> {
    if (this.closed) return Promise.reject(new Error('log store is closed'));
    return this.journal.save({ group, topic, partition, offset, metadata });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.syncTimer) clearInterval(this.syncTimer);
    const logs = [...this.logs.values()];
    this.logs.clear();
    await Promise.all(logs.map((log) => log.close()));
    await this.journal.close();
    releaseLock(this.dataDir, this.lockKey);
  }

  private async syncAll(): Promise<void> {
    try {
      await Promise.all([...[...this.logs.values()].map((log) => log.sync()), this.journal.sync()]);
    } catch (err) {
      // A failing disk also surfaces on the next append, which is rejected; the periodic flush only reports it.
      process.stderr.write(`embedded-kafka: periodic fsync in ${this.dataDir} failed: ${(err as Error).message}\n`);
    }
  }

  private partitionDirs(): Array<{ name: string; topic: string; partition: number }> {
    const out: Array<{ name: string; topic: string; partition: number }> = [];
    for (const entry of fs.readdirSync(this.dataDir, { withFileTypes: true })) {
      const match = entry.isDirectory() ? PARTITION_DIR.exec(entry.name) : null;
      if (match && isTopicName(match[1]!)) out.push({ name: entry.name, topic: match[1]!, partition: Number(match[2]) });
    }
    return out;
  }

  private report(repair: StoreRepair): void {
    this.repairs.push(repair);
    this.onRepair(repair);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('log store is closed');
  }
}

function isTopicName(name: string): boolean {
  return name.length <= 249 && name !== '.' && name !== '..' && /^[a-zA-Z0-9._-]+$/.test(name);
}

function partitionDirName(topic: string, partition: number): string {
  if (!isTopicName(topic)) throw new Error(`illegal topic name ${JSON.stringify(topic)}`);
  if (!Number.isInteger(partition) || partition < 0 || partition > 0x7fffffff) throw new Error(`illegal partition ${partition}`);
  return `${topic}-${partition}`;
}

/** Real paths of the dataDirs locked by stores of this process. */
const lockedHere = new Set<string>();

/**
 * One broker per dataDir: a second one would interleave writes. A lock left by a dead process is taken over, and so
 * is one naming this process's pid that no store of this process holds (a restarted container often gets the same
 * pid as its previous life).
 */
function acquireLock(dataDir: string): string {
  const key = fs.realpathSync(dataDir);
  if (lockedHere.has(key)) throw new Error(`dataDir ${dataDir} is in use by process ${process.pid} (this process)`);
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(path, String(process.pid), { flag: 'wx' });
      lockedHere.add(key);
      return key;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number.parseInt(fs.readFileSync(path, 'utf8'), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) throw new Error(`dataDir ${dataDir} is in use by process ${owner}`);
    fs.rmSync(path, { force: true });
  }
  throw new Error(`could not lock dataDir ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseLock(dataDir: string, key: string): void {
  lockedHere.delete(key);
  fs.rmSync(join(dataDir, LOCK_FILE), { force: true });
}

/** Finishes topic deletions a crash interrupted. */
function removeDeletedLeftovers(dataDir: string): void {
  for (const name of fs.readdirSync(dataDir)) {
    if (name.endsWith(DELETED_SUFFIX)) fs.rmSync(join(dataDir, name), { recursive: true, force: true });
  }
}

function warnOnStderr(repair: StoreRepair): void {
  const where = repair.topic === null ? repair.segment : `${repair.topic}-${repair.partition} ${repair.segment}`;
  process.stderr.write(`embedded-kafka: repaired ${where}: ${repair.action} (${repair.reason}, ${repair.droppedBytes} bytes)\n`);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
