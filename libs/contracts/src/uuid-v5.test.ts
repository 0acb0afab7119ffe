import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uuidV5 } from './uuid-v5';

describe('uuidV5', () => {
  it('matches the RFC 9562 test vector (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('equals the textbook construction (SHA-1 of namespace + name, version and variant bits set) for any name', () => {
    const namespace = '5f0c7a52-3d7e-4f5e-9a51-2a8f4c1d9b60';
    const textbook = (bytes: Buffer): string => {
      const digest = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(bytes).digest();
      digest[6] = (digest[6] & 0x0f) | 0x50;
      digest[8] = (digest[8] & 0x3f) | 0x80;
      const hex = digest.toString('hex', 0, 16);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    };
    // every variant digit occurs, multi-byte UTF-8, and names longer than the reused buffer
    const names = Array.from({ length: 64 }, (_, i) => `spotify:track:${i}|Beyoncé ${'x'.repeat(i * 37)}`);
    for (const name of names) {
      expect(uuidV5(name, namespace)).toBe(textbook(Buffer.from(name)));
      const bytes = Buffer.from(name);
      expect(uuidV5(bytes, namespace)).toBe(textbook(bytes));
      // parts hash as their concatenation
      expect(uuidV5([name.slice(0, 7), bytes.subarray(Buffer.byteLength(name.slice(0, 7)))], namespace)).toBe(textbook(bytes));
    }
    expect(new Set(names.map((n) => uuidV5(n, namespace)[19])).size).toBe(4);
  });

  it('rejects a malformed namespace', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(/not a UUID/);
  });
});
