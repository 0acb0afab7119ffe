/**
 * One segment of a partition log: `<baseOffset, 20 digits>.log` holding batches back to back exactly as stored
 * (Kafka's on-disk layout), and, once the segment is closed for appends, `<baseOffset>.index` with its sparse index.
 *
 * `size`, `endOffset` and `maxTimestamp` describe only bytes whose write has completed, so readers never see a
 * batch that is still being written.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { BATCH_HEADER_SIZE, BATCH_LOG_OVERHEAD, NO_TIMESTAMP, batchSizeAt, checkStoredBatch, readStoredHeader } from './file-batch.js';
import { BatchWindow } from './file-batch-window.js';
import { SparseIndex } from './file-index.js';
import { fdatasync, readAt, writeAllAt, writeFileAtomic } from './file-io.js';

const LOG_SUFFIX = '.log';
const INDEX_SUFFIX = '.index';
const SEGMENT_NAME = /^(\d{20})\.log$/;
/** Read-ahead of the recovery scan. */
const SCAN_CHUNK_BYTES = 1 << 20;

export function segmentFileName(baseOffset: bigint): string {
  return baseOffset.toString().padStart(20, '0') + LOG_SUFFIX;
}

/** Base offset of a segment file name, or null for any other file. */
export function parseSegmentFileName(name: string): bigint | null {
  const match = SEGMENT_NAME.exec(name);
  return match ? BigInt(match[1]!) : null;
}

export interface SegmentOptions {
  indexIntervalBytes: number;
}

/** A torn or corrupt tail cut off a segment while opening it. */
export interface SegmentRepair {
  /** Length of the intact prefix the segment was truncated to. */
  validBytes: number;
  droppedBytes: number;
  reason: string;
}

export interface OpenedSegment {
  segment: Segment;
  repair: SegmentRepair | null;
  /** True when the sparse index was rebuilt by scanning instead of loaded from its file. */
  indexRebuilt: boolean;
}

export interface SegmentState {
  size: number;
  endOffset: bigint;
  maxTimestamp: bigint;
  index: SparseIndex;
  lastIndexedPosition: number;
}

export class Segment {
  size: number;
  endOffset: bigint;
  maxTimestamp: bigint;
  private readonly index: SparseIndex;
  private lastIndexedPosition: number;
  private uncommitted: Buffer[] | null = null;
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly baseOffset: bigint,
    private readonly fd: number,
    private readonly options: SegmentOptions,
    state: SegmentState,
  ) {
    this.size = state.size;
    this.endOffset = state.endOffset;
    this.maxTimestamp = state.maxTimestamp;
    this.index = state.index;
    this.lastIndexedPosition = state.lastIndexedPosition;
  }

  get logPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset));
  }

  get indexPath(): string {
    return indexPathOf(this.dir, this.baseOffset);
  }

  /** A new, empty segment (an existing file of that name is emptied: it can only be an abandoned empty roll). */
  static create(dir: string, baseOffset: bigint, options: SegmentOptions): Segment {
    const fd = fs.openSync(join(dir, segmentFileName(baseOffset)), 'w+');
    return new Segment(dir, baseOffset, fd, options, emptyState(baseOffset));
  }

  /**
   * Opens an existing segment. `verifyAll` (the active segment, the one a crash can have torn) checks every batch's
   * CRC and truncates at the first bad one. A closed segment is trusted when its index file matches it, and is
   * scanned (and repaired the same way) when the index is missing or stale.
   */
  static open(dir: string, baseOffset: bigint, options: SegmentOptions, verifyAll: boolean): OpenedSegment {
    const fd = fs.openSync(join(dir, segmentFileName(baseOffset)), 'r+');
    try {
      const fileSize = fs.fstatSync(fd).size;
      const loaded = verifyAll ? null : loadIndexFile(dir, fd, baseOffset, fileSize);
      if (loaded) return { segment: new Segment(dir, baseOffset, fd, options, loaded), repair: null, indexRebuilt: false };

      const scan = scanSegment(fd, baseOffset, fileSize, options.indexIntervalBytes);
      let repair: SegmentRepair | null = null;
      if (scan.failure !== null) {
        fs.ftruncateSync(fd, scan.state.size);
        fs.fdatasyncSync(fd);
        repair = { validBytes: scan.state.size, droppedBytes: fileSize - scan.state.size, reason: scan.failure };
      }
      const segment = new Segment(dir, baseOffset, fd, options, scan.state);
      if (!verifyAll) segment.saveIndex();
      return { segment, repair, indexRebuilt: true };
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /**
   * Writes complete batches after the committed end of the file. They stay invisible (size, endOffset, reads)
   * until commitWritten() — the log calls it once the group commit is as durable as configured.
   */
  async write(batches: Buffer[]): Promise<void> {
    this.assertOpen();
    if (this.uncommitted !== null) throw new Error(`segment ${this.logPath} has an uncommitted write`);
    this.uncommitted = batches;
    await writeAllAt(this.fd, batches, this.size);
  }

  /** Makes the last write() visible: index entries, size, end offset, max timestamp. */
  commitWritten(): void {
    for (const batch of this.uncommitted ?? []) this.noteWritten(batch);
    this.uncommitted = null;
  }

  /** Cuts off whatever part of a failed write() reached the file. */
  discardUncommitted(): void {
    this.uncommitted = null;
    if (!this.closed) fs.ftruncateSync(this.fd, this.size);
  }

  sync(): Promise<void> {
    this.assertOpen();
    return fdatasync(this.fd);
  }

  /**
   * Appends to `out` the whole batches holding offsets >= fetchOffset, until adding the next batch would exceed
   * maxBytes in total (the very first batch is always added). Returns the new total and whether the byte budget
   * stopped the walk (false: the segment ran out first).
   */
  collect(fetchOffset: bigint, maxBytes: number, out: Buffer[], totalBefore: number): { total: number; budgetReached: boolean } {
    let total = totalBefore;
    let position = fetchOffset <= this.baseOffset ? 0 : this.positionForOffset(fetchOffset);
    const readAhead = Math.min(Math.max(maxBytes - total + this.options.indexIntervalBytes, 64 * 1024), 16 << 20);
    const window = new BatchWindow(this.fd, this.size, readAhead);
    while (position < this.size) {
      const head = window.view(position, BATCH_HEADER_SIZE);
      const header = readStoredHeader(head.buf, head.at);
      if (header.baseOffset + BigInt(header.lastOffsetDelta) >= fetchOffset) {
        if (out.length > 0 && total + header.size > maxBytes) return { total, budgetReached: true };
        const whole = window.view(position, header.size);
        out.push(whole.buf.subarray(whole.at, whole.at + header.size));
        total += header.size;
        if (total >= maxBytes) return { total, budgetReached: true };
      }
      position += header.size;
    }
    return { total, budgetReached: false };
  }

  /** Base offset of the first batch whose max timestamp is >= ts, or null when no batch here reaches ts. */
  offsetForTimestamp(ts: bigint): bigint | null {
    if (this.maxTimestamp < ts) return null;
    const window = new BatchWindow(this.fd, this.size, 64 * 1024);
    let position = this.index.positionForTimestamp(ts);
    while (position < this.size) {
      const head = window.view(position, BATCH_HEADER_SIZE);
      const header = readStoredHeader(head.buf, head.at);
      if (header.maxTimestamp >= ts) return header.baseOffset;
      position += header.size;
    }
    return null;
  }

  /** Persists the sparse index (done when the segment stops taking appends). */
  saveIndex(): void {
    this.assertOpen();
    writeFileAtomic(this.indexPath, this.index.serialize({ sizeBytes: this.size, endOffset: this.endOffset, maxTimestamp: this.maxTimestamp }));
  }

  /** Flushes and closes the file; appends are no longer possible. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
  }

  private positionForOffset(offset: bigint): number {
    const relative = offset - this.baseOffset;
    return this.index.positionForOffset(relative > 0xffffffffn ? 0xffffffff : Number(relative));
  }

  private noteWritten(batch: Buffer): void {
    const header = readStoredHeader(batch, 0);
    if (this.size === 0 || this.size - this.lastIndexedPosition >= this.options.indexIntervalBytes) {
      this.index.add(Number(header.baseOffset - this.baseOffset), this.size, this.maxTimestamp);
      this.lastIndexedPosition = this.size;
    }
    this.size += batch.length;
    this.endOffset = header.baseOffset + BigInt(header.lastOffsetDelta) + 1n;
    if (header.maxTimestamp > this.maxTimestamp) this.maxTimestamp = header.maxTimestamp;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`segment ${this.logPath} is closed`);
  }
}

export function indexPathOf(dir: string, baseOffset: bigint): string {
  return join(dir, baseOffset.toString().padStart(20, '0') + INDEX_SUFFIX);
}

function emptyState(baseOffset: bigint): SegmentState {
  return { size: 0, endOffset: baseOffset, maxTimestamp: NO_TIMESTAMP, index: new SparseIndex(), lastIndexedPosition: 0 };
}

/** The saved index of a closed segment, if it still describes the segment file exactly. */
function loadIndexFile(dir: string, fd: number, baseOffset: bigint, fileSize: number): SegmentState | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(indexPathOf(dir, baseOffset));
  } catch {
    return null;
  }
  const parsed = SparseIndex.parse(bytes);
  if (!parsed || parsed.summary.sizeBytes !== fileSize || parsed.summary.endOffset < baseOffset) return null;
  const last = parsed.index.last;
  if (last === null) return fileSize === 0 ? emptyState(baseOffset) : null;
  if (last.position + BATCH_HEADER_SIZE > fileSize) return null;
  const head = readAt(fd, last.position, BATCH_HEADER_SIZE);
  if (head.length < BATCH_HEADER_SIZE || readStoredHeader(head, 0).baseOffset !== baseOffset + BigInt(last.relOffset)) return null;
  return {
    size: fileSize,
    endOffset: parsed.summary.endOffset,
    maxTimestamp: parsed.summary.maxTimestamp,
    index: parsed.index,
    lastIndexedPosition: last.position,
  };
}

/**
 * Walks every batch of the file, checking it (see checkStoredBatch) and building the sparse index. Stops at the
 * first bad batch: `state` then describes the intact prefix and `failure` says what was wrong after it.
 */
function scanSegment(fd: number, baseOffset: bigint, fileSize: number, indexIntervalBytes: number): { state: SegmentState; failure: string | null } {
  const state = emptyState(baseOffset);
  const window = new BatchWindow(fd, fileSize, SCAN_CHUNK_BYTES);
  while (state.size < fileSize) {
    const position = state.size;
    const head = window.view(position, BATCH_LOG_OVERHEAD);
    // Never trust a length field enough to allocate for it before it is known to fit in the file.
    const size = head.available < BATCH_LOG_OVERHEAD ? Number.POSITIVE_INFINITY : batchSizeAt(head.buf, head.at);
    const whole = size >= BATCH_HEADER_SIZE && size <= fileSize - position ? window.view(position, size) : head;
    const check = checkStoredBatch(whole.buf, whole.at, whole.at + whole.available, state.endOffset);
    if (!check.ok) return { state, failure: `${check.kind} batch at byte ${position}: ${check.reason}` };
    const { header } = check;
    if (position === 0 || position - state.lastIndexedPosition >= indexIntervalBytes) {
      state.index.add(Number(header.baseOffset - baseOffset), position, state.maxTimestamp);
      state.lastIndexedPosition = position;
    }
    state.size += header.size;
    state.endOffset = header.baseOffset + BigInt(header.lastOffsetDelta) + 1n;
    if (header.maxTimestamp > state.maxTimestamp) state.maxTimestamp = header.maxTimestamp;
  }
  return { state, failure: null };
}
