import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM encryption of secrets at rest (access/refresh tokens, PKCE verifiers).
 * Stored form: `v1.<base64url(iv)>.<base64url(tag)>.<base64url(ciphertext)>`. The associated data binds a value
 * to its place (e.g. `spotify_tokens.refresh_token:default`), so a ciphertext copied into another row or column
 * does not decrypt.
 */
const VERSION = 'v1';
const IV_BYTES = 12;

export class TokenKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenKeyError';
  }
}

/** Parses TOKEN_ENCRYPTION_KEY: exactly 32 bytes, as 64 hex characters or base64/base64url. */
export function parseEncryptionKey(raw: string): Buffer {
  const value = raw.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!key || key.length !== 32) {
    throw new TokenKeyError(
      `TOKEN_ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64 (got ${key ? `${key.length} bytes` : 'neither hex nor base64'}); generate one with: openssl rand -base64 32`,
    );
  }
  return key;
}

export class TokenCipher {
  private readonly key: Buffer;

  constructor(key: Buffer | string) {
    this.key = typeof key === 'string' ? parseEncryptionKey(key) : key;
    if (this.key.length !== 32) throw new TokenKeyError(`AES-256 key must be 32 bytes (got ${this.key.length})`);
  }

  encrypt(plaintext: string, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  decrypt(stored: string, associatedData: string): string {
    const parts = stored.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new Error('stored secret is not in the v1 encrypted format');
    const [, iv, tag, ciphertext] = parts.map((part) => Buffer.from(part, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('stored secret failed authentication (wrong key, or the value was tampered with or moved)');
    }
  }
}
