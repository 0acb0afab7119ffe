import { BinaryReader } from '@bufbuild/protobuf/wire';

/**
 * A protobuf reader whose strings come from Node's native UTF-8 decoder. The library's reader builds an array of char
 * codes for every short string and a TextDecoder call for longer ones; decoding events is on the projection's hot
 * path, where that was ~6% of all memory allocated. Same results: ASCII is copied, invalid UTF-8 becomes U+FFFD as
 * with the non-strict TextDecoder, and strict reads are left to the library.
 */
export class BufferReader extends BinaryReader {
  private readonly source: Buffer;

  constructor(input: Uint8Array) {
    super(input);
    this.source = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  }

  override string(strict?: boolean): string {
    if (strict) return super.string(strict);
    const length = this.uint32();
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.len) throw new RangeError('premature EOF');
    return this.source.toString('utf8', start, this.pos);
  }
}
