/**
 * A file-backed partition log: a directory of segments, appended through group commits.
 *
 * Group commit: append() assigns the offset at once (rewriting the batch's baseOffset) and queues the batch; all
 * batches queued while the event loop finishes its current phase (setImmediate), or while the previous write is
 * in flight, go to disk in ONE positional writev. Then, with fsync 'always', one fdatasync covers the whole group.
 * Only after that do the appends resolve and the batches become readable (highWatermark advances), so a consumer
 * never sees a record that a crash could take back.
 */
import fs from 'node:fs';
import type { PartitionLog } from './partition-log.js';
import { BATCH_HEADER_SIZE, lastOffsetDeltaOf, writeBaseOffset } from './file-batch.js';
import { dirname, join } from 'node:path';
import { fsyncDirectory } from './file-io.js';
import { Segment, type SegmentRepair, indexPathOf, parseSegmentFileName, segmentFileName } from './file-segment.js';

/**
 * 'always': fdatasync before acknowledging each group commit (survives power loss / OS crash).
 * 'interval': acknowledged once written to the OS (survives a process kill), fdatasync every fsyncIntervalMs.
 */
export type FsyncPolicy = 'always' | 'interval';

export interface FilePartitionLogOptions {
  segmentBytes: number;
  indexIntervalBytes: number;
  fsync: FsyncPolicy;
}

/** Something the log found wrong with its files while opening, and what it did about it. */
export interface LogRepair {
  segment: string;
  action: 'truncated' | 'dropped';
  reason: string;
  droppedBytes: number;
}

/** Relative offsets in the sparse index are uint32; roll well before a segment could span more offsets. */
const MAX_SEGMENT_OFFSET_SPAN = 2n ** 31n;

interface PendingAppend {
  batch: Buffer;
  baseOffset: bigint;
  /** Base offset of the segment this batch goes to (decided at append time, when offsets are assigned). */
  segmentBase: bigint;
  resolve: (baseOffset: bigint) => void;
  reject: (err: Error) => void;
}

export class FilePartitionLog implements PartitionLog {
  /** Offset the next append gets (includes queued, not yet durable appends). */
  private nextOffset: bigint;
  private plannedSegmentBase: bigint;
  private plannedSegmentSize: number;
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> | null = null;
  private idle: Array<() => void> = [];
  /** Written but not yet fdatasync'ed (fsync 'interval'). */
  private dirty = false;
  private syncing: Promise<void> | null = null;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly segments: Segment[],
    private readonly options: FilePartitionLogOptions,
  ) {
    const active = this.active;
    this.nextOffset = active.endOffset;
    this.plannedSegmentBase = active.baseOffset;
    this.plannedSegmentSize = active.size;
  }

  /** Opens (creating if needed) the log in `dir`, repairing a torn tail; repairs are reported through onRepair. */
  static open(dir: string, options: FilePartitionLogOptions, onRepair: (repair: LogRepair) => void): FilePartitionLog {
    fs.mkdirSync(dir, { recursive: true });
    const names = fs.readdirSync(dir);
    for (const name of names) if (name.endsWith('.tmp')) fs.rmSync(join(dir, name), { force: true });
    const bases = names
      .map(parseSegmentFileName)
      .filter((base): base is bigint => base !== null)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const segmentOptions = { indexIntervalBytes: options.indexIntervalBytes };
    const segments: Segment[] = [];
    try {
      for (let i = 0; i < bases.length; i++) {
        const base = bases[i]!;
        const previous = segments.at(-1);
        if (previous && base !== previous.endOffset) {
          // A hole or overlap: later data cannot keep its offsets, so it is not served.
          for (const dropped of bases.slice(i)) dropSegmentFiles(dir, dropped, `starts at ${dropped}, previous segment ends at ${previous.endOffset}`, onRepair);
          break;
        }
        const opened = Segment.open(dir, base, segmentOptions, i === bases.length - 1);
        if (opened.repair) onRepair(truncation(opened.segment.logPath, opened.repair));
        segments.push(opened.segment);
      }
      if (segments.length === 0) {
        segments.push(Segment.create(dir, 0n, segmentOptions));
        // A new partition: make its directory and first segment file survive a power loss like its data will.
        fsyncDirectory(dir);
        fsyncDirectory(dirname(dir));
      }
    } catch (err) {
      for (const segment of segments) segment.close();
      throw err;
    }
    return new FilePartitionLog(dir, segments, options);
  }

  get logStartOffset(): bigint {
    return this.segments[0]!.baseOffset;
  }

  /** End of the durable, readable log. Equals the next offset to assign whenever no append is in flight. */
  get highWatermark(): bigint {
    return this.active.endOffset;
  }

  append(batch: Buffer, _recordCount: number, _maxTimestamp: bigint): Promise<bigint> {
    if (this.closed) return Promise.reject(new Error(`partition log ${this.dir} is closed`));
    if (batch.length < BATCH_HEADER_SIZE) return Promise.reject(new Error(`batch of ${batch.length} bytes is shorter than a v2 header`));
    // The stored batch itself is the source of truth for offsets and timestamps (it is all a restart has).
    const lastOffsetDelta = lastOffsetDeltaOf(batch);
    const baseOffset = this.nextOffset;
    const wouldOverflow = this.plannedSegmentSize + batch.length > this.options.segmentBytes;
    const spanTooLarge = baseOffset + BigInt(lastOffsetDelta) - this.plannedSegmentBase >= MAX_SEGMENT_OFFSET_SPAN;
    if (this.plannedSegmentSize > 0 && (wouldOverflow || spanTooLarge)) {
      this.plannedSegmentBase = baseOffset;
      this.plannedSegmentSize = 0;
    }
    this.plannedSegmentSize += batch.length;
    writeBaseOffset(batch, baseOffset);
    this.nextOffset = baseOffset + BigInt(lastOffsetDelta) + 1n;
    return new Promise<bigint>((resolve, reject) => {
      this.pending.push({ batch, baseOffset, segmentBase: this.plannedSegmentBase, resolve, reject });
      this.scheduleFlush();
    });
  }

  read(fetchOffset: bigint, maxBytes: number): Buffer[] {
    if (this.closed || fetchOffset < this.logStartOffset || fetchOffset >= this.highWatermark) return [];
    const out: Buffer[] = [];
    let total = 0;
    for (let i = this.segmentIndexFor(fetchOffset); i < this.segments.length; i++) {
      const result = this.segments[i]!.collect(fetchOffset, maxBytes, out, total);
      total = result.total;
      if (result.budgetReached) break;
    }
    return out;
  }

  offsetForTimestamp(ts: bigint): bigint | null {
    if (this.closed) return null;
    for (const segment of this.segments) {
      const offset = segment.offsetForTimestamp(ts);
      if (offset !== null) return offset;
    }
    return null;
  }

  /** fdatasync of what was acknowledged since the last sync (fsync 'interval'). */
  async sync(): Promise<void> {
    if (!this.dirty || this.closed || this.syncing) return;
    this.dirty = false;
    this.syncing = this.active.sync().finally(() => (this.syncing = null));
    await this.syncing;
  }

  /** Waits for queued appends, then flushes and closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    for (const segment of this.segments) segment.close();
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /** Index of the last segment whose base offset is <= offset. */
  private segmentIndexFor(offset: bigint): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.pending.length > 0) this.scheduleFlush();
        else for (const wake of this.idle.splice(0)) wake();
      });
    });
  }

  private async flush(): Promise<void> {
    const group = this.pending;
    this.pending = [];
    try {
      await this.writeGroup(group);
    } catch (err) {
      this.rollBack(group, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    for (const entry of group) entry.resolve(entry.baseOffset);
  }

  /** Writes the group as one writev per segment it touches, rolling segments as planned at append time. */
  private async writeGroup(group: PendingAppend[]): Promise<void> {
    let start = 0;
    while (start < group.length) {
      const segmentBase = group[start]!.segmentBase;
      let end = start;
      while (end < group.length && group[end]!.segmentBase === segmentBase) end++;
      if (segmentBase !== this.active.baseOffset) await this.roll(segmentBase);
      await this.active.write(group.slice(start, end).map((entry) => entry.batch));
      start = end;
      if (start < group.length) continue;
      if (this.options.fsync === 'always') await this.active.sync();
      else this.dirty = true;
      this.active.commitWritten();
    }
  }

  /** Seals the active segment (durably, with its index saved) and starts a new one at baseOffset. */
  private async roll(baseOffset: bigint): Promise<void> {
    const sealed = this.active;
    await sealed.sync();
    sealed.commitWritten();
    sealed.saveIndex();
    this.segments.push(Segment.create(this.dir, baseOffset, { indexIntervalBytes: this.options.indexIntervalBytes }));
    fsyncDirectory(this.dir);
  }

  /**
   * A write or fsync failed: nothing of the group is acknowledged. Appends queued behind it were given offsets
   * that assumed the group, so they fail too; offsets restart at the durable end.
   */
  private rollBack(group: PendingAppend[], err: Error): void {
    const failed = [...group, ...this.pending];
    this.pending = [];
    try {
      this.active.discardUncommitted();
    } catch {
      // The file is unusable; the next append reports the error again.
    }
    this.nextOffset = this.active.endOffset;
    this.plannedSegmentBase = this.active.baseOffset;
    this.plannedSegmentSize = this.active.size;
    for (const entry of failed) entry.reject(new Error(`append to ${this.dir} failed: ${err.message}`, { cause: err }));
  }

  private async drain(): Promise<void> {
    while (this.flushScheduled || this.flushing || this.pending.length > 0) {
      await new Promise<void>((resolve) => this.idle.push(resolve));
    }
    await this.syncing?.catch(() => undefined);
  }
}

function truncation(segment: string, repair: SegmentRepair): LogRepair {
  return { segment, action: 'truncated', reason: repair.reason, droppedBytes: repair.droppedBytes };
}

function dropSegmentFiles(dir: string, baseOffset: bigint, reason: string, onRepair: (repair: LogRepair) => void): void {
  const logPath = join(dir, segmentFileName(baseOffset));
  const droppedBytes = fs.statSync(logPath).size;
  fs.rmSync(logPath, { force: true });
  fs.rmSync(indexPathOf(dir, baseOffset), { force: true });
  onRepair({ segment: logPath, action: 'dropped', reason, droppedBytes });
}
