/**
 * Sparse in-memory index of one segment: an entry every ~indexIntervalBytes of log, mapping a batch's offset
 * (relative to the segment base) to its file position, plus the largest batch timestamp seen BEFORE that batch.
 * Memory is about 1/256 of the log with the default 4 KiB interval (16 bytes per entry), not one entry per batch.
 *
 * Lookups return the position to start scanning from; the caller walks batch headers forward from there.
 * The index of a closed (rolled) segment is saved next to it as `<base>.index` with the segment facts it was
 * built for, so reopening a broker does not rescan old segments.
 */
import { crc32c } from '../protocol/crc32c.js';

const MAGIC = Buffer.from('SSKIDX01', 'latin1');
const FILE_HEADER_SIZE = MAGIC.length + 8 + 8 + 8 + 4;
const ENTRY_SIZE = 16;
const CRC_SIZE = 4;

/** What an index file claims about its segment; checked against the segment before the index is trusted. */
export interface SegmentSummary {
  /** Log bytes covered (the segment file's size when the index was written). */
  sizeBytes: number;
  /** Offset after the segment's last batch. */
  endOffset: bigint;
  /** Largest batch max-timestamp in the segment (NO_TIMESTAMP when empty). */
  maxTimestamp: bigint;
}

export class SparseIndex {
  private relOffsets = new Uint32Array(64);
  private positions = new Uint32Array(64);
  private timestampsBefore = new BigInt64Array(64);
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** The last entry (the segment's last indexed batch), or null when empty. */
  get last(): { relOffset: number; position: number } | null {
    if (this.count === 0) return null;
    return { relOffset: this.relOffsets[this.count - 1]!, position: this.positions[this.count - 1]! };
  }

  add(relOffset: number, position: number, maxTimestampBefore: bigint): void {
    if (this.count > 0 && (relOffset <= this.relOffsets[this.count - 1]! || position <= this.positions[this.count - 1]!)) {
      throw new Error(`index entries must increase (got offset +${relOffset} at ${position})`);
    }
    if (this.count === this.relOffsets.length) this.grow();
    this.relOffsets[this.count] = relOffset;
    this.positions[this.count] = position;
    this.timestampsBefore[this.count] = maxTimestampBefore;
    this.count++;
  }

  /** Position of the last indexed batch whose relative offset is <= relOffset (0 when none is). */
  positionForOffset(relOffset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relOffsets[mid]! <= relOffset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? 0 : this.positions[found]!;
  }

  /**
   * Position to scan from for the first batch whose max timestamp is >= ts: the last indexed batch before
   * which no batch reached ts. Timestamps-before are a running maximum, so they never decrease.
   */
  positionForTimestamp(ts: bigint): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestampsBefore[mid]! < ts) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? 0 : this.positions[found]!;
  }

  serialize(summary: SegmentSummary): Buffer {
    const out = Buffer.allocUnsafe(FILE_HEADER_SIZE + this.count * ENTRY_SIZE + CRC_SIZE);
    MAGIC.copy(out, 0);
    let at = MAGIC.length;
    out.writeBigInt64BE(BigInt(summary.sizeBytes), at);
    out.writeBigInt64BE(summary.endOffset, at + 8);
    out.writeBigInt64BE(summary.maxTimestamp, at + 16);
    out.writeUInt32BE(this.count, at + 24);
    at = FILE_HEADER_SIZE;
    for (let i = 0; i < this.count; i++, at += ENTRY_SIZE) {
      out.writeUInt32BE(this.relOffsets[i]!, at);
      out.writeUInt32BE(this.positions[i]!, at + 4);
      out.writeBigInt64BE(this.timestampsBefore[i]!, at + 8);
    }
    out.writeUInt32BE(crc32c(out, 0, at), at);
    return out;
  }

  /** Parses an index file; null when it is not a complete, well-formed index (the caller then rebuilds it). */
  static parse(bytes: Buffer): { index: SparseIndex; summary: SegmentSummary } | null {
    if (bytes.length < FILE_HEADER_SIZE + CRC_SIZE || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return null;
    const count = bytes.readUInt32BE(MAGIC.length + 24);
    const crcAt = FILE_HEADER_SIZE + count * ENTRY_SIZE;
    if (bytes.length !== crcAt + CRC_SIZE || crc32c(bytes, 0, crcAt) !== bytes.readUInt32BE(crcAt)) return null;
    const summary: SegmentSummary = {
      sizeBytes: Number(bytes.readBigInt64BE(MAGIC.length)),
      endOffset: bytes.readBigInt64BE(MAGIC.length + 8),
      maxTimestamp: bytes.readBigInt64BE(MAGIC.length + 16),
    };
    const index = new SparseIndex();
    try {
      for (let at = FILE_HEADER_SIZE; at < crcAt; at += ENTRY_SIZE) {
        index.add(bytes.readUInt32BE(at), bytes.readUInt32BE(at + 4), bytes.readBigInt64BE(at + 8));
      }
    } catch {
      return null;
    }
    return { index, summary };
  }

  private grow(): void {
    const size = this.relOffsets.length * 2;
    const relOffsets = new Uint32Array(size);
    const positions = new Uint32Array(size);
    const timestamps = new BigInt64Array(size);
    relOffsets.set(this.relOffsets);
    positions.set(this.positions);
    timestamps.set(this.timestampsBefore);
    this.relOffsets = relOffsets;
    this.positions = positions;
    this.timestampsBefore = timestamps;
  }
}
