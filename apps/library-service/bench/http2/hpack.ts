// HPACK (RFC 7541) for bench:grpc's load generator: a complete decoder for the header blocks a server sends, and the
// one representation the client needs to send its own (literals without indexing, so request header blocks are
// stateless and can be built once per method).
import { huffmanDecode } from './huffman';

/** RFC 7541 Appendix A; index 1 is STATIC_TABLE[0]. */
const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''],
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''],
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''],
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''],
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''],
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''],
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''],
  ['www-authenticate', ''],
];

/** Per-entry overhead counted against the dynamic table's size (RFC 7541 §4.1). */
const ENTRY_OVERHEAD = 32;

export class HpackError extends Error {
  constructor(message: string) {
    super(`HPACK: ${message}`);
    this.name = 'HpackError';
  }
}

/** A decoded header block: field name -> value (repeated fields joined with ', ', as node:http2 does). */
export type HeaderFields = Record<string, string>;

/**
 * Decoder state of one connection: header blocks must be decoded in the order they arrive, since each may add
 * entries to the dynamic table that later ones refer to.
 */
export class HpackDecoder {
  /** Newest entry first, so dynamic index 62 is entries[0]. */
  private readonly entries: Array<readonly [string, string]> = [];
  private size = 0;
  private maxSize: number;

  /** `maxTableSize`: the SETTINGS_HEADER_TABLE_SIZE this endpoint announced (4096 unless it sent another). */
  constructor(private readonly maxTableSize = 4096) {
    this.maxSize = maxTableSize;
  }

  decode(block: Buffer): HeaderFields {
    const fields: HeaderFields = {};
    const add = (name: string, value: string) => {
      const previous = fields[name];
      fields[name] = previous === undefined ? value : `${previous}, ${value}`;
    };
    const cursor = { at: 0 };
    let fieldSeen = false;
    while (cursor.at < block.length) {
      const first = block[cursor.at];
      if (first & 0x80) {
        // Indexed header field (§6.1).
        const [name, value] = this.entry(readInteger(block, cursor, 7));
        add(name, value);
        fieldSeen = true;
      } else if (first & 0x40) {
        // Literal with incremental indexing (§6.2.1).
        const [name, value] = this.literal(block, cursor, 6);
        this.insert(name, value);
        add(name, value);
        fieldSeen = true;
      } else if (first & 0x20) {
        // Dynamic table size update (§6.3): only at the start of a block, never above what was announced.
        if (fieldSeen) throw new HpackError('dynamic table size update after a header field');
        const size = readInteger(block, cursor, 5);
        if (size > this.maxTableSize) throw new HpackError(`dynamic table size update to ${size} exceeds ${this.maxTableSize}`);
        this.maxSize = size;
        this.evict(0);
      } else {
        // Literal without indexing (0000) or never indexed (0001) (§6.2.2, §6.2.3).
        const [name, value] = this.literal(block, cursor, 4);
        add(name, value);
        fieldSeen = true;
      }
    }
    return fields;
  }

  private literal(block: Buffer, cursor: { at: number }, prefixBits: number): [string, string] {
    const nameIndex = readInteger(block, cursor, prefixBits);
    const name = nameIndex === 0 ? readString(block, cursor) : this.entry(nameIndex)[0];
    return [name, readString(block, cursor)];
  }

  private entry(index: number): readonly [string, string] {
    if (index === 0) throw new HpackError('header table index 0');
    if (index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1];
    const entry = this.entries[index - STATIC_TABLE.length - 1];
    if (!entry) throw new HpackError(`header table index ${index} beyond the ${STATIC_TABLE.length + this.entries.length} entries`);
    return entry;
  }

  private insert(name: string, value: string): void {
    const entrySize = name.length + value.length + ENTRY_OVERHEAD;
    // An entry larger than the whole table empties it and is not added (§4.4).
    this.evict(entrySize);
    if (entrySize <= this.maxSize) {
      this.entries.unshift([name, value]);
      this.size += entrySize;
    }
  }

  /** Drops the oldest entries until `room` more bytes fit (or the table is empty). */
  private evict(room: number): void {
    while (this.entries.length > 0 && this.size + room > this.maxSize) {
      const [name, value] = this.entries.pop()!;
      this.size -= name.length + value.length + ENTRY_OVERHEAD;
    }
  }
}

/** An HPACK integer with an N-bit prefix (§5.1); advances the cursor. */
function readInteger(block: Buffer, cursor: { at: number }, prefixBits: number): number {
  if (cursor.at >= block.length) throw new HpackError('header block ends inside an integer');
  const max = (1 << prefixBits) - 1;
  let value = block[cursor.at++] & max;
  if (value < max) return value;
  for (let shift = 0; ; shift += 7) {
    if (cursor.at >= block.length) throw new HpackError('header block ends inside an integer');
    if (shift > 28) throw new HpackError('integer too large');
    const byte = block[cursor.at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return value;
  }
}

/** An HPACK string literal (§5.2), Huffman-coded or raw (bytes as Latin-1, as HTTP field values are). */
function readString(block: Buffer, cursor: { at: number }): string {
  if (cursor.at >= block.length) throw new HpackError('header block ends before a string');
  const huffman = (block[cursor.at] & 0x80) !== 0;
  const length = readInteger(block, cursor, 7);
  const end = cursor.at + length;
  if (end > block.length) throw new HpackError(`string of ${length} bytes overruns the header block`);
  const start = cursor.at;
  cursor.at = end;
  if (!huffman) return block.toString('latin1', start, end);
  try {
    return huffmanDecode(block.subarray(start, end));
  } catch (error) {
    throw new HpackError((error as Error).message);
  }
}

/** Appends an HPACK integer with an N-bit prefix whose high bits are `flags`. */
function writeInteger(out: number[], value: number, prefixBits: number, flags: number): void {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out.push(flags | value);
    return;
  }
  out.push(flags | max);
  let rest = value - max;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

function writeRawString(out: number[], text: string): void {
  const bytes = Buffer.from(text, 'latin1');
  writeInteger(out, bytes.length, 7, 0);
  for (const byte of bytes) out.push(byte);
}

/**
 * Encodes header fields as literals without indexing (§6.2.2), raw strings, names from the static table where it has
 * them. Such a block does not touch the peer's dynamic table, so it can be built once and sent on any stream.
 */
export function encodeLiteralHeaderBlock(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  const out: number[] = [];
  for (const [name, value] of fields) {
    const staticIndex = STATIC_TABLE.findIndex(([staticName]) => staticName === name) + 1;
    writeInteger(out, staticIndex, 4, 0x00);
    if (staticIndex === 0) writeRawString(out, name);
    writeRawString(out, value);
  }
  return Buffer.from(out);
}
