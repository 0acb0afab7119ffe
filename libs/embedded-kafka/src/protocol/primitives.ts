/**
 * Kafka wire primitives: big-endian fixed-width integers, zig-zag varints (record batches), unsigned varints
 * (flexible versions), classic and compact strings/bytes/arrays.
 */

/** Malformed or truncated bytes: the connection that sent them is closed. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

const textDecoder = new TextDecoder('utf-8', { fatal: false });

/** Sequential reader over one frame. Every read is bounds-checked and throws ProtocolError when the frame is short. */
export class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.end) throw new ProtocolError(`truncated frame: need ${n} bytes at ${at}, have ${this.end - at}`);
    this.pos = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }
  bool(): boolean {
    return this.int8() !== 0;
  }

  /** Unsigned LEB128 varint (flexible-version lengths and tags), up to 32 bits. */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.need(1)]!;
      if (shift === 28 && b > 0x0f) throw new ProtocolError('uvarint too long');
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }

  /** Zig-zag varint (record fields). */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  raw(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  private utf8(n: number): string {
    const at = this.need(n);
    return textDecoder.decode(this.buf.subarray(at, at + n));
  }

  /** int16-length string; -1 = null. */
  nullableString(): string | null {
    const n = this.int16();
    return n < 0 ? null : this.utf8(n);
  }
  compactNullableString(): string | null {
    const n = this.uvarint() - 1;
    return n < 0 ? null : this.utf8(n);
  }
  /** int32-length bytes; -1 = null. Returns a view into the frame (no copy). */
  nullableBytes(): Buffer | null {
    const n = this.int32();
    return n < 0 ? null : this.raw(n);
  }
  compactNullableBytes(): Buffer | null {
    const n = this.uvarint() - 1;
    return n < 0 ? null : this.raw(n);
  }
  /** Array length: -1 = null. */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n > this.remaining) throw new ProtocolError(`array length ${n} exceeds frame`);
    return n;
  }

  /** Skips a tag buffer (flexible versions); unknown tagged fields are ignored, as Kafka does. */
  skipTags(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.need(this.uvarint());
    }
  }
}

/** Chunks >= this size are referenced, not copied (stored record batches on Fetch). */
const ZERO_COPY_THRESHOLD = 2048;

/**
 * Growable writer. Large byte blobs are kept as separate chunks so a Fetch response can be written to the
 * socket without concatenating stored batches.
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  private readonly chunks: Buffer[] = [];
  private chunkBytes = 0;

  constructor(initial = 512) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.chunkBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.pos = this.buf.writeInt8(v, this.pos);
    return this;
  }
  int16(v: number): this {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
    return this;
  }
  int32(v: number): this {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
    return this;
  }
  uint32(v: number): this {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(v, this.pos);
    return this;
  }
  int64(v: bigint): this {
    this.ensure(8);
    this.pos = this.buf.writeBigInt64BE(v, this.pos);
    return this;
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  uvarint(v: number): this {
    this.ensure(5);
    let n = v >>> 0;
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
    return this;
  }
  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  raw(bytes: Uint8Array): this {
    if (bytes.length >= ZERO_COPY_THRESHOLD) {
      this.flushChunk();
      this.chunks.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
      this.chunkBytes += bytes.length;
      return this;
    }
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  private flushChunk(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.chunkBytes += this.pos;
    this.buf = Buffer.allocUnsafe(Math.max(256, this.buf.length - this.pos));
    this.pos = 0;
  }

  nullableString(s: string | null): this {
    if (s === null) return this.int16(-1);
    const len = Buffer.byteLength(s);
    this.int16(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }
  compactNullableString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const len = Buffer.byteLength(s);
    this.uvarint(len + 1);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }
  nullableBytes(b: Uint8Array | null): this {
    if (b === null) return this.int32(-1);
    return this.int32(b.length).raw(b);
  }
  compactNullableBytes(b: Uint8Array | null): this {
    if (b === null) return this.uvarint(0);
    return this.uvarint(b.length + 1).raw(b);
  }
  /** A sequence of buffers written as one int32-length blob (RECORDS made of stored batches). */
  bytesList(parts: readonly Buffer[], compact: boolean): this {
    let total = 0;
    for (const p of parts) total += p.length;
    if (compact) this.uvarint(total + 1);
    else this.int32(total);
    for (const p of parts) this.raw(p);
    return this;
  }
  arrayLength(n: number | null, compact: boolean): this {
    if (compact) return this.uvarint(n === null ? 0 : n + 1);
    return this.int32(n === null ? -1 : n);
  }

  /** Returns the written bytes as chunks (no copy of referenced blobs). */
  chunksOut(): Buffer[] {
    this.flushChunk();
    return this.chunks;
  }

  /** Returns everything as one contiguous buffer (tests, small messages). */
  toBuffer(): Buffer {
    const parts = this.chunksOut();
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}
