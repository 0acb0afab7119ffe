// HPACK's static Huffman code (RFC 7541, Appendix B), decoding only: bench:grpc's load generator reads the header
// blocks a grpc-js server sends, and nghttp2 Huffman-encodes every string literal that gets shorter that way.
//
// The code is canonical (codes of one length are consecutive and ordered by symbol, shorter codes come first), so the
// code length of each symbol is all it takes to rebuild it. One character per symbol 0..256 (256 is EOS), 'a' for a
// 5-bit code ... 'z' for a 30-bit one (the code's whole range).
const CODE_LENGTHS =
  'isxxxxxxxtzxxzxxxxxxxxzxxxxxxxxxbffhibdgffdgdbbbaaabbbbbbbcdkbhfibccccccccccccccccccccccdcdioijbkabababbbaccbbbabcbaabccccckgjix' +
  'prpprrrsrssssststtrstssssqrsrsstrqprrssqsrrtqrssqqrqsrssprrrsrrsvvporsruvvvwwvtuoqvwwvwtqqvvxwwwptpqrqqsrruuttvsvwvvwwwwwxwwwwwvz';

const EOS = 256;
const MAX_CODE_LENGTH = 30;

interface CanonicalCode {
  /** Symbols ordered by (code length, symbol): the order in which codes were assigned. */
  symbols: Uint16Array;
  /** For each length: the first code of that length, and where its symbols start in `symbols`. */
  firstCode: Int32Array;
  firstIndex: Int32Array;
  count: Int32Array;
}

function buildCanonicalCode(): CanonicalCode {
  const lengths = Array.from(CODE_LENGTHS, (c) => c.charCodeAt(0) - 'a'.charCodeAt(0) + 5);
  if (lengths.length !== EOS + 1) throw new Error(`HPACK Huffman table has ${lengths.length} code lengths, not ${EOS + 1}`);
  const count = new Int32Array(MAX_CODE_LENGTH + 1);
  for (const length of lengths) count[length]++;
  const symbols = Uint16Array.from(
    lengths.map((length, symbol) => ({ length, symbol })).sort((a, b) => a.length - b.length || a.symbol - b.symbol),
    (entry) => entry.symbol,
  );
  const firstCode = new Int32Array(MAX_CODE_LENGTH + 1);
  const firstIndex = new Int32Array(MAX_CODE_LENGTH + 1);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= MAX_CODE_LENGTH; length++) {
    firstCode[length] = code;
    firstIndex[length] = index;
    code = (code + count[length]) << 1;
    index += count[length];
  }
  return { symbols, firstCode, firstIndex, count };
}

const CODE = buildCanonicalCode();

/**
 * Decodes a Huffman-encoded HPACK string. Throws on what RFC 7541 §5.2 calls a decoding error: the EOS symbol in the
 * data, or padding longer than 7 bits or not made of the most significant bits of EOS (all ones).
 */
export function huffmanDecode(data: Uint8Array): string {
  let out = '';
  let code = 0;
  let length = 0;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i];
    for (let bit = 7; bit >= 0; bit--) {
      code = (code << 1) | ((byte >> bit) & 1);
      length++;
      const offset = code - CODE.firstCode[length];
      if (offset >= 0 && offset < CODE.count[length]) {
        const symbol = CODE.symbols[CODE.firstIndex[length] + offset];
        if (symbol === EOS) throw new Error('HPACK Huffman string contains EOS');
        out += String.fromCharCode(symbol);
        code = 0;
        length = 0;
      } else if (length >= MAX_CODE_LENGTH) {
        throw new Error('invalid HPACK Huffman code');
      }
    }
  }
  if (length > 7) throw new Error('HPACK Huffman padding longer than 7 bits');
  if (code !== (1 << length) - 1) throw new Error('HPACK Huffman padding is not a prefix of EOS');
  return out;
}
