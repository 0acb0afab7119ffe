/**
 * The few record-batch (v2) header fields the file store needs, and the integrity check applied to stored
 * batches when a segment is recovered. The store never decodes records: it only needs sizes, offsets and
 * timestamps to index batches, and the CRC to tell a torn or corrupt tail from good data.
 */
import { crc32c } from '../protocol/crc32c.js';

/** baseOffset (int64) + batchLength (int32): the bytes not counted by batchLength. */
export const BATCH_LOG_OVERHEAD = 12;
/** Fixed part of a v2 batch before its records. */
export const BATCH_HEADER_SIZE = 61;
const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD;

const OFF_BASE_OFFSET = 0;
const OFF_BATCH_LENGTH = 8;
const OFF_MAGIC = 16;
const OFF_CRC = 17;
const OFF_ATTRIBUTES = 21;
const OFF_LAST_OFFSET_DELTA = 23;
const OFF_MAX_TIMESTAMP = 35;
const OFF_RECORDS_COUNT = 57;

/** Smallest int64, used as "no timestamp seen yet". */
export const NO_TIMESTAMP = -(2n ** 63n);

export interface StoredBatchHeader {
  baseOffset: bigint;
  /** Whole batch size in bytes, including the 12 bytes of BATCH_LOG_OVERHEAD. */
  size: number;
  lastOffsetDelta: number;
  maxTimestamp: bigint;
}

/** Total size of the batch starting at `at`; needs BATCH_LOG_OVERHEAD readable bytes. */
export function batchSizeAt(buf: Buffer, at: number): number {
  return buf.readInt32BE(at + OFF_BATCH_LENGTH) + BATCH_LOG_OVERHEAD;
}

/** Header fields of the batch at `at`; needs BATCH_HEADER_SIZE readable bytes. */
export function readStoredHeader(buf: Buffer, at: number): StoredBatchHeader {
  return {
    baseOffset: buf.readBigInt64BE(at + OFF_BASE_OFFSET),
    size: batchSizeAt(buf, at),
    lastOffsetDelta: buf.readInt32BE(at + OFF_LAST_OFFSET_DELTA),
    maxTimestamp: buf.readBigInt64BE(at + OFF_MAX_TIMESTAMP),
  };
}

export function lastOffsetDeltaOf(batch: Buffer): number {
  return batch.readInt32BE(OFF_LAST_OFFSET_DELTA);
}

export function writeBaseOffset(batch: Buffer, baseOffset: bigint): void {
  batch.writeBigInt64BE(baseOffset, OFF_BASE_OFFSET);
}

export type StoredBatchCheck =
  | { ok: true; header: StoredBatchHeader }
  /** `incomplete`: the bytes end inside the batch (a torn write); `corrupt`: the bytes are not a valid batch. */
  | { ok: false; kind: 'incomplete' | 'corrupt'; reason: string };

/**
 * Validates the stored batch at `at` within buf[at, end): complete, magic 2, sane lengths, the expected base
 * offset (batches of a segment are contiguous) and CRC-32C over attributes..end.
 */
export function checkStoredBatch(buf: Buffer, at: number, end: number, expectedBaseOffset: bigint): StoredBatchCheck {
  const available = end - at;
  if (available < BATCH_LOG_OVERHEAD) return { ok: false, kind: 'incomplete', reason: `${available} trailing bytes, no batch header` };
  const batchLength = buf.readInt32BE(at + OFF_BATCH_LENGTH);
  if (batchLength < MIN_BATCH_LENGTH) return { ok: false, kind: 'corrupt', reason: `batchLength ${batchLength} below the v2 minimum` };
  const size = batchLength + BATCH_LOG_OVERHEAD;
  if (size > available) return { ok: false, kind: 'incomplete', reason: `batch of ${size} bytes cut after ${available}` };
  const header = readStoredHeader(buf, at);
  if (buf[at + OFF_MAGIC] !== 2) return { ok: false, kind: 'corrupt', reason: `magic ${buf[at + OFF_MAGIC]}, expected 2` };
  if (header.baseOffset !== expectedBaseOffset) {
    return { ok: false, kind: 'corrupt', reason: `baseOffset ${header.baseOffset}, expected ${expectedBaseOffset}` };
  }
  const recordsCount = buf.readInt32BE(at + OFF_RECORDS_COUNT);
  if (header.lastOffsetDelta < 0 || recordsCount <= 0) {
    return { ok: false, kind: 'corrupt', reason: `lastOffsetDelta ${header.lastOffsetDelta}, recordsCount ${recordsCount}` };
  }
  if (crc32c(buf, at + OFF_ATTRIBUTES, at + size) !== buf.readUInt32BE(at + OFF_CRC)) {
    return { ok: false, kind: 'corrupt', reason: 'CRC-32C mismatch' };
  }
  return { ok: true, header };
}
