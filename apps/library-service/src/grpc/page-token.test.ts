import { describe, expect, it } from 'vitest';
import { PageTokenCodec, type QueryIdentity } from './page-token';
import { ApiError } from './errors';

const query: QueryIdentity = { collection: 'artists', parent: '', filter: 'source = hybrid', orderBy: 'name' };
const position = { sortValue: 'Daft Punk', id: '6f1c7c0e-2b7a-5e64-9d55-1f2b3c4d5e6f' };

function rejection(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('PageTokenCodec', () => {
  const codec = new PageTokenCodec('a-test-secret-of-enough-length');

  it('round-trips a position for the same query', () => {
    expect(codec.decode(query, codec.encode(query, position))).toEqual(position);
  });

  it('rejects a token issued for another filter, order or collection', () => {
    const token = codec.encode(query, position);
    for (const other of [{ ...query, filter: 'source = spotify' }, { ...query, orderBy: 'name desc' }, { ...query, collection: 'albums' }, { ...query, parent: 'artists/x' }]) {
      const error = rejection(() => codec.decode(other, token));
      expect(error.code).toBe(3);
      expect(error.violations[0].field).toBe('page_token');
      expect(error.message).toMatch(/different query/);
    }
  });

  it('rejects every single-character edit of a token, also those that decode to the same bytes', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // (a body of 3n + 1 or 3n + 2 bytes and the 32-byte signature end in a character with unused low bits)
    for (const sortValue of ['Daft Punk', 'Daft Punk!', 'Daft Punk!!']) {
      const token = codec.encode(query, { ...position, sortValue });
      for (let i = 0; i < token.length; i++) {
        for (const replacement of alphabet.replace(token[i], '')) {
          const edited = token.slice(0, i) + replacement + token.slice(i + 1);
          expect(() => codec.decode(query, edited), `${replacement} at ${i} of ${token}`).toThrow(ApiError);
        }
      }
    }
  });

  it('rejects a token signed with another secret and re-encoded payloads without a valid signature', () => {
    const forged = new PageTokenCodec('another-secret-of-enough-length').encode(query, position);
    expect(rejection(() => codec.decode(query, forged)).message).toMatch(/signature/);
    const [, signature] = codec.encode(query, position).split('.');
    const body = Buffer.from(JSON.stringify({ v: 1, q: 'x', s: "' OR 1=1 --", i: position.id })).toString('base64url');
    expect(rejection(() => codec.decode(query, `${body}.${signature}`)).message).toMatch(/signature/);
  });

  it('rejects garbage and oversized tokens as INVALID_ARGUMENT', () => {
    for (const garbage of ['x', '.', 'a.b.c', '!!!.???', 'é.é', 'A'.repeat(5000), `${'A'.repeat(10)}.`]) {
      expect(rejection(() => codec.decode(query, garbage)).code).toBe(3);
    }
  });

  it('refuses a short secret', () => {
    expect(() => new PageTokenCodec('short')).toThrow(/at least 16/);
  });
});
