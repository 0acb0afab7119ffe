/**
 * Test support: builds uncompressed record batches (v2) the way a producer would, so the file store can be
 * exercised without a client. Not used by the broker itself.
 */
import { crc32c } from '../protocol/crc32c.js';

export interface TestRecord {
  key: string | null;
  value: string | null;
  timestamp?: bigint;
}

export function makeBatch(records: TestRecord[], baseTimestamp = 1_700_000_000_000n): Buffer {
  if (records.length === 0) throw new Error('a batch needs at least one record');
  const timestamps = records.map((r) => r.timestamp ?? baseTimestamp);
  const first = timestamps.reduce((a, b) => (b < a ? b : a));
  const max = timestamps.reduce((a, b) => (b > a ? b : a));
  const body = Buffer.concat(records.map((record, i) => encodeRecord(record, timestamps[i]! - first, i)));
  const header = Buffer.alloc(61);
  header.writeBigInt64BE(0n, 0);
  header.writeInt32BE(61 - 12 + body.length, 8);
  header.writeInt32BE(0, 12);
  header.writeInt8(2, 16);
  header.writeInt16BE(0, 21);
  header.writeInt32BE(records.length - 1, 23);
  header.writeBigInt64BE(first, 27);
  header.writeBigInt64BE(max, 35);
  header.writeBigInt64BE(-1n, 43);
  header.writeInt16BE(-1, 51);
  header.writeInt32BE(-1, 55);
  header.writeInt32BE(records.length, 57);
  const batch = Buffer.concat([header, body]);
  batch.writeUInt32BE(crc32c(batch, 21, batch.length), 17);
  return batch;
}

/** The values of an uncompressed batch built by makeBatch (or any producer without headers). */
export function decodeBatch(batch: Buffer): Array<{ offset: bigint; key: string | null; value: string | null }> {
  const base = batch.readBigInt64BE(0);
  const count = batch.readInt32BE(57);
  const out: Array<{ offset: bigint; key: string | null; value: string | null }> = [];
  let at = 61;
  for (let i = 0; i < count; i++) {
    const length = readVarint(batch, at);
    let p = length.next + 1;
    p = readVarint(batch, p).next; // timestamp delta
    const offsetDelta = readVarint(batch, p);
    const key = readBytes(batch, offsetDelta.next);
    const value = readBytes(batch, key.next);
    out.push({ offset: base + BigInt(offsetDelta.value), key: key.text, value: value.text });
    at = length.next + length.value;
  }
  return out;
}

function encodeRecord(record: TestRecord, timestampDelta: bigint, offsetDelta: number): Buffer {
  const key = record.key === null ? null : Buffer.from(record.key);
  const value = record.value === null ? null : Buffer.from(record.value);
  const inner = Buffer.concat([
    Buffer.from([0]),
    varint(Number(timestampDelta)),
    varint(offsetDelta),
    varint(key ? key.length : -1),
    key ?? Buffer.alloc(0),
    varint(value ? value.length : -1),
    value ?? Buffer.alloc(0),
    varint(0),
  ]);
  return Buffer.concat([varint(inner.length), inner]);
}

function varint(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const bytes: number[] = [];
  while (z >= 0x80) {
    bytes.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  bytes.push(z);
  return Buffer.from(bytes);
}

function readVarint(buf: Buffer, at: number): { value: number; next: number } {
  let z = 0;
  let scale = 1;
  let p = at;
  for (;;) {
    const byte = buf[p++]!;
    z += (byte & 0x7f) * scale;
    if (byte < 0x80) break;
    scale *= 0x80;
  }
  return { value: z % 2 === 0 ? z / 2 : -(z + 1) / 2, next: p };
}

function readBytes(buf: Buffer, at: number): { text: string | null; next: number } {
  const length = readVarint(buf, at);
  if (length.value < 0) return { text: null, next: length.next };
  return { text: buf.toString('utf8', length.next, length.next + length.value), next: length.next + length.value };
}
