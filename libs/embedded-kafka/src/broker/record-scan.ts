/**
 * Locates the first record with timestamp >= t inside one stored batch (ListOffsets by time). Uncompressed
 * batches are walked record by record; for compressed batches the broker does not decompress and answers
 * with the batch's first offset and max timestamp (the batch is the finest unit it knows).
 */
import { BATCH_HEADER_SIZE, readBatchInfo } from '../protocol/record-batch.js';

const OFF_ATTRIBUTES = 21;
const OFF_BASE_TIMESTAMP = 27;
const TIMESTAMP_TYPE_LOG_APPEND = 0x08;

export function findRecordAtOrAfter(batch: Buffer, target: bigint): { offset: bigint; timestamp: bigint } {
  const baseOffset = batch.readBigInt64BE(0);
  const info = readBatchInfo(batch);
  const attributes = batch.readInt16BE(OFF_ATTRIBUTES);
  if ((attributes & 0x07) !== 0 || attributes & TIMESTAMP_TYPE_LOG_APPEND) return { offset: baseOffset, timestamp: info.maxTimestamp };
  const baseTimestamp = batch.readBigInt64BE(OFF_BASE_TIMESTAMP);
  const cursor = { pos: BATCH_HEADER_SIZE };
  for (let i = 0; i < info.recordCount && cursor.pos < batch.length; i++) {
    const length = readVarlong(batch, cursor);
    const recordEnd = cursor.pos + length;
    cursor.pos += 1; // attributes
    const timestamp = baseTimestamp + BigInt(readVarlong(batch, cursor));
    const offsetDelta = readVarlong(batch, cursor);
    if (timestamp >= target) return { offset: baseOffset + BigInt(offsetDelta), timestamp };
    cursor.pos = recordEnd;
  }
  return { offset: baseOffset, timestamp: info.maxTimestamp };
}

/** Zig-zag varlong as a JS number (record lengths and timestamp deltas stay far below 2^53). */
function readVarlong(buf: Buffer, cursor: { pos: number }): number {
  let result = 0;
  let factor = 1;
  for (let i = 0; i < 10; i++) {
    const b = buf[cursor.pos++]!;
    result += (b & 0x7f) * factor;
    if ((b & 0x80) === 0) break;
    factor *= 128;
  }
  return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
}
