/**
 * Record batch v2 header access and produce-side validation. The broker never decodes individual records:
 * it checks the fixed 61-byte header and the CRC over the rest, then stores the bytes as given.
 */
import { crc32c } from './crc32c.js';
import { ErrorCode } from './errors.js';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before batchLength's coverage starts (baseOffset + batchLength). */
export const BATCH_LOG_OVERHEAD = 12;

const OFF_BASE_OFFSET = 0;
const OFF_BATCH_LENGTH = 8;
const OFF_LEADER_EPOCH = 12;
const OFF_MAGIC = 16;
const OFF_CRC = 17;
const OFF_ATTRIBUTES = 21;
const OFF_LAST_OFFSET_DELTA = 23;
const OFF_MAX_TIMESTAMP = 35;
const OFF_PRODUCER_ID = 43;
const OFF_PRODUCER_EPOCH = 51;
const OFF_BASE_SEQUENCE = 53;
const OFF_RECORDS_COUNT = 57;

const ATTR_TRANSACTIONAL = 0x10;
const ATTR_CONTROL = 0x20;
const CODEC_MASK = 0x07;
const MAX_CODEC = 4;

export interface BatchInfo {
  lastOffsetDelta: number;
  recordCount: number;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

export type BatchValidation = { ok: true; info: BatchInfo } | { ok: false; errorCode: number; message: string };

/** Reads the header fields the broker cares about (assumes at least BATCH_HEADER_SIZE bytes). */
export function readBatchInfo(batch: Buffer): BatchInfo {
  return {
    lastOffsetDelta: batch.readInt32BE(OFF_LAST_OFFSET_DELTA),
    recordCount: batch.readInt32BE(OFF_RECORDS_COUNT),
    maxTimestamp: batch.readBigInt64BE(OFF_MAX_TIMESTAMP),
    producerId: batch.readBigInt64BE(OFF_PRODUCER_ID),
    producerEpoch: batch.readInt16BE(OFF_PRODUCER_EPOCH),
    baseSequence: batch.readInt32BE(OFF_BASE_SEQUENCE),
  };
}

export function batchBaseOffset(batch: Buffer): bigint {
  return batch.readBigInt64BE(OFF_BASE_OFFSET);
}

/** Total size of the batch starting at `at` (from its batchLength field). */
export function batchSizeAt(buf: Buffer, at: number): number {
  return buf.readInt32BE(at + OFF_BATCH_LENGTH) + BATCH_LOG_OVERHEAD;
}

/** Overwrites the broker-owned fields outside the CRC: base offset and partition leader epoch. */
export function assignBaseOffset(batch: Buffer, baseOffset: bigint): void {
  batch.writeBigInt64BE(baseOffset, OFF_BASE_OFFSET);
  batch.writeInt32BE(0, OFF_LEADER_EPOCH);
}

/**
 * Validates the `records` of one partition in a Produce request as Kafka does for magic 2: exactly one
 * batch, consistent length, CRC-32C, non-empty, count == lastOffsetDelta + 1, no control batch, known codec.
 */
export function validateProducedBatch(records: Buffer): BatchValidation {
  if (records.length < BATCH_HEADER_SIZE) return fail(ErrorCode.CORRUPT_MESSAGE, 'record set shorter than a batch header');
  const magic = records.readInt8(OFF_MAGIC);
  if (magic !== 2) return fail(ErrorCode.CORRUPT_MESSAGE, `unsupported record batch magic ${magic}`);
  const size = batchSizeAt(records, 0);
  if (size < BATCH_HEADER_SIZE) return fail(ErrorCode.CORRUPT_MESSAGE, `batch length ${size} too small`);
  if (size > records.length) return fail(ErrorCode.CORRUPT_MESSAGE, 'batch length exceeds the record set');
  if (size < records.length) return fail(ErrorCode.INVALID_RECORD, 'more than one batch in a magic-2 record set');
  if (crc32c(records, OFF_ATTRIBUTES, size) !== records.readUInt32BE(OFF_CRC)) return fail(ErrorCode.CORRUPT_MESSAGE, 'CRC-32C mismatch');
  const attributes = records.readInt16BE(OFF_ATTRIBUTES);
  if ((attributes & CODEC_MASK) > MAX_CODEC) return fail(ErrorCode.CORRUPT_MESSAGE, 'unknown compression codec');
  if (attributes & ATTR_CONTROL) return fail(ErrorCode.INVALID_RECORD, 'control batches cannot be produced by clients');
  if (attributes & ATTR_TRANSACTIONAL) return fail(ErrorCode.INVALID_TXN_STATE, 'transactions are not supported');
  const info = readBatchInfo(records);
  if (info.recordCount <= 0 || info.recordCount !== info.lastOffsetDelta + 1) {
    return fail(ErrorCode.INVALID_RECORD, `record count ${info.recordCount} does not match last offset delta ${info.lastOffsetDelta}`);
  }
  if (info.producerId >= 0n && info.baseSequence < 0) return fail(ErrorCode.INVALID_RECORD, 'idempotent batch without a sequence');
  return { ok: true, info };
}

function fail(errorCode: number, message: string): BatchValidation {
  return { ok: false, errorCode, message };
}
