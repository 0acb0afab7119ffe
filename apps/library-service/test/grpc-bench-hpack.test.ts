// HPACK for bench:grpc's load-generator client (bench/http2): the examples of RFC 7541 Appendix C, the error cases
// of §5.2 and §6.3, and header blocks written by a real encoder (node:http2's nghttp2) with Huffman coding and a
// dynamic table that fills and evicts.
import { once } from 'node:events';
import http2 from 'node:http2';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLiteralHeaderBlock, HpackDecoder, HpackError } from '../bench/http2/hpack';
import { huffmanDecode } from '../bench/http2/huffman';
import { h2Frame } from './support/h2-frame';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('huffmanDecode', () => {
  it('decodes the RFC 7541 examples', () => {
    expect(huffmanDecode(hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff'))).toBe('www.example.com');
    expect(huffmanDecode(hex('a8eb 1064 9cbf'))).toBe('no-cache');
    expect(huffmanDecode(hex('25a8 49e9 5ba9 7d7f'))).toBe('custom-key');
    expect(huffmanDecode(hex('25a8 49e9 5bb8 e8b4 bf'))).toBe('custom-value');
    expect(huffmanDecode(hex('6402'))).toBe('302');
    expect(huffmanDecode(hex('aec3 771a 4b'))).toBe('private');
  });

  it('rejects padding that is too long or not all ones, and the EOS symbol', () => {
    // 'a' is 00011 (5 bits): three bits of padding must be 111.
    expect(huffmanDecode(Buffer.from([0b00011111]))).toBe('a');
    expect(() => huffmanDecode(Buffer.from([0b00011000]))).toThrow(/padding is not a prefix of EOS/);
    expect(() => huffmanDecode(Buffer.from([0b00011111, 0xff]))).toThrow(/padding longer than 7 bits/);
    // EOS is thirty 1 bits.
    expect(() => huffmanDecode(Buffer.from([0xff, 0xff, 0xff, 0xfc]))).toThrow(/EOS/);
  });
});

describe('HpackDecoder', () => {
  it('decodes the request sequence of RFC 7541 C.4 (Huffman, dynamic table shared across blocks)', () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff'))).toEqual({
      ':method': 'GET',
      ':scheme': 'http',
      ':path': '/',
      ':authority': 'www.example.com',
    });
    expect(decoder.decode(hex('8286 84be 5886 a8eb 1064 9cbf'))).toEqual({
      ':method': 'GET',
      ':scheme': 'http',
      ':path': '/',
      ':authority': 'www.example.com',
      'cache-control': 'no-cache',
    });
    expect(decoder.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'))).toEqual({
      ':method': 'GET',
      ':scheme': 'https',
      ':path': '/index.html',
      ':authority': 'www.example.com',
      'custom-key': 'custom-value',
    });
  });

  it('decodes raw literals with a new name, and evicts the oldest entries from a small table (RFC 7541 C.5)', () => {
    const decoder = new HpackDecoder(256);
    const first = decoder.decode(
      hex(
        '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
      ),
    );
    expect(first).toEqual({ ':status': '302', 'cache-control': 'private', date: 'Mon, 21 Oct 2013 20:13:21 GMT', location: 'https://www.example.com' });
    // ':status: 307' evicts ':status: 302'; the others are reached through the dynamic table.
    expect(decoder.decode(hex('4803 3330 37c1 c0bf'))).toEqual({ ':status': '307', 'cache-control': 'private', date: 'Mon, 21 Oct 2013 20:13:21 GMT', location: 'https://www.example.com' });
  });

  it('rejects malformed blocks with an HpackError', () => {
    expect(() => new HpackDecoder().decode(hex('80'))).toThrow(HpackError); // index 0
    expect(() => new HpackDecoder().decode(hex('be'))).toThrow(/beyond/); // empty dynamic table
    expect(() => new HpackDecoder().decode(hex('0f'))).toThrow(/ends inside an integer/);
    expect(() => new HpackDecoder().decode(hex('0004 6162'))).toThrow(/overruns/);
    expect(() => new HpackDecoder().decode(hex('3fe2 1f'))).toThrow(/exceeds 4096/); // size update to 4096 + 1
    expect(() => new HpackDecoder().decode(hex('8220'))).toThrow(/after a header field/);
  });

  it('encodes literal blocks that decode to the same fields and leave the dynamic table empty', () => {
    const fields = [
      [':method', 'POST'],
      [':path', '/soulspot.library.v1.LibraryService/GetArtist'],
      ['content-type', 'application/grpc'],
      ['te', 'trailers'],
      ['grpc-timeout', '5000m'],
      ['x-long', 'v'.repeat(300)],
    ] as const;
    const decoder = new HpackDecoder();
    const block = encodeLiteralHeaderBlock(fields);
    expect(decoder.decode(block)).toEqual(Object.fromEntries(fields));
    // Nothing was indexed, so index 62 (the first dynamic entry) does not exist.
    expect(() => decoder.decode(hex('be'))).toThrow(/beyond/);
  });
});

describe('HpackDecoder against nghttp2 (node:http2 server)', () => {
  let server: http2.Http2Server;
  let port: number;
  /** Values with every printable ASCII character and lengths that fill and overflow the 4 KiB dynamic table. */
  const valueFor = (i: number) => `${i}: ${Array.from({ length: 95 }, (_, c) => String.fromCharCode(32 + ((c + i) % 95))).join('')}`.repeat(1 + (i % 4)).trim();

  beforeAll(async () => {
    server = http2.createServer();
    server.on('stream', (stream, headers) => {
      const i = Number(headers['x-i']);
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-value': valueFor(i), 'x-same': 'identical on every response' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(i % 17), 'grpc-message': `m%20${i}` }));
      stream.end(Buffer.from('body'));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => server?.close());

  it('decodes 60 responses of one connection in order, headers and trailers', async () => {
    // A raw HTTP/2 exchange: preface, empty SETTINGS, then 60 requests; every HEADERS block the server sends is
    // decoded by one HpackDecoder, in arrival order.
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const requests = Array.from({ length: 60 }, (_, i) =>
      h2Frame(
        0x1,
        0x4 | 0x1,
        2 * i + 1,
        encodeLiteralHeaderBlock([
          [':method', 'GET'],
          [':scheme', 'http'],
          [':path', `/${i}`],
          [':authority', 'localhost'],
          ['x-i', String(i)],
        ]),
      ),
    );
    socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), h2Frame(0x4, 0, 0, Buffer.alloc(0)), ...requests]));

    const decoder = new HpackDecoder();
    const blocks = new Map<number, Array<Record<string, string>>>();
    let buffered = Buffer.alloc(0);
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 9 && buffered.length >= 9 + buffered.readUIntBE(0, 3)) {
          const length = buffered.readUIntBE(0, 3);
          const [type, , stream] = [buffered[3], buffered[4], buffered.readUInt32BE(5) & 0x7fffffff];
          if (type === 0x1) blocks.set(stream, [...(blocks.get(stream) ?? []), decoder.decode(buffered.subarray(9, 9 + length))]);
          buffered = buffered.subarray(9 + length);
        }
        if ([...blocks.values()].filter((b) => b.length === 2).length === 60) resolve();
      });
    });
    socket.destroy();

    for (let i = 0; i < 60; i++) {
      const [headers, trailers] = blocks.get(2 * i + 1)!;
      expect(headers).toMatchObject({ ':status': '200', 'content-type': 'application/grpc', 'x-value': valueFor(i), 'x-same': 'identical on every response' });
      expect(trailers).toEqual({ 'grpc-status': String(i % 17), 'grpc-message': `m%20${i}` });
    }
  });
});
