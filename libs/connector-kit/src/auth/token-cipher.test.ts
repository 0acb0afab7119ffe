import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenCipher, TokenKeyError, parseEncryptionKey } from './token-cipher';

const key = randomBytes(32);

describe('parseEncryptionKey', () => {
  it('accepts 32 bytes as hex, base64 and base64url', () => {
    expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('base64'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('base64url'))).toEqual(key);
  });

  it('rejects wrong lengths and garbage, saying how to make a key', () => {
    expect(() => parseEncryptionKey(randomBytes(16).toString('base64'))).toThrow(TokenKeyError);
    expect(() => parseEncryptionKey(randomBytes(16).toString('base64'))).toThrow(/16 bytes.*openssl rand/);
    expect(() => parseEncryptionKey('not a key!')).toThrow(/neither hex nor base64/);
  });
});

describe('TokenCipher', () => {
  const cipher = new TokenCipher(key);

  it('round-trips and never stores the plaintext', () => {
    const stored = cipher.encrypt('BQD-access-token', 'spotify_tokens.access_token:default');
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain('BQD');
    expect(cipher.decrypt(stored, 'spotify_tokens.access_token:default')).toBe('BQD-access-token');
  });

  it('uses a fresh IV per value', () => {
    expect(cipher.encrypt('same', 'ad')).not.toBe(cipher.encrypt('same', 'ad'));
  });

  it('refuses a value moved to another place, tampered with, or read with another key', () => {
    const stored = cipher.encrypt('AQ-refresh', 'spotify_tokens.refresh_token:default');
    expect(() => cipher.decrypt(stored, 'spotify_tokens.access_token:default')).toThrow(/authentication/);
    const parts = stored.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    expect(() => cipher.decrypt([...parts.slice(0, 3), flipped.toString('base64url')].join('.'), 'spotify_tokens.refresh_token:default')).toThrow(
      /authentication/,
    );
    expect(() => new TokenCipher(randomBytes(32)).decrypt(stored, 'spotify_tokens.refresh_token:default')).toThrow(/authentication/);
    expect(() => cipher.decrypt('plain-token', 'x')).toThrow(/v1 encrypted format/);
  });
});
