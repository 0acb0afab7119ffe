import type { Field } from '@soulspot/observability';
import { parseEncryptionKey } from './auth/token-cipher';

/**
 * TOKEN_ENCRYPTION_KEY as a config field: validated with the other variables at start (exit 2 with one line),
 * never echoed back.
 */
export function encryptionKeyField(doc = '32 bytes, base64 or hex (openssl rand -base64 32)'): Field<string> {
  return {
    kind: 'encryption key',
    options: { secret: true, doc },
    parse(raw: string): string {
      parseEncryptionKey(raw);
      return raw.trim();
    },
  };
}
