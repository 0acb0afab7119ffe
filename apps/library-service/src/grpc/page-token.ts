import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { invalidArgument } from './errors';

/**
 * Opaque, tamper-evident page tokens (AIP-158). A token is base64url(JSON payload) + "." + base64url(HMAC-SHA256).
 * The payload holds the keyset position (sort value + id of the last row returned) and a fingerprint of the query
 * it belongs to, so a token cannot be edited, forged without the secret, or replayed against another query.
 */
export interface KeysetPosition {
  /** Sort column value of the last row returned (text; timestamps as ISO strings with microseconds). */
  sortValue: string;
  id: string;
}

/** Everything that must stay the same between the pages of one listing (page_size may change, per AIP-158). */
export interface QueryIdentity {
  collection: string;
  parent: string;
  filter: string;
  orderBy: string;
}

const VERSION = 1;
const MAX_TOKEN_LENGTH = 4096;

interface Payload {
  v: number;
  q: string;
  s: string;
  i: string;
}

export class PageTokenCodec {
  private readonly key: Buffer;

  constructor(secret: string | Buffer) {
    if (secret.length < 16) throw new Error('page token secret must be at least 16 bytes');
    this.key = Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8');
  }

  encode(query: QueryIdentity, position: KeysetPosition): string {
    const payload: Payload = { v: VERSION, q: fingerprint(query), s: position.sortValue, i: position.id };
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    return `${body.toString('base64url')}.${this.sign(body).toString('base64url')}`;
  }

  /** Returns the position to continue from; INVALID_ARGUMENT (field page_token) for anything not issued for `query`. */
  decode(query: QueryIdentity, token: string): KeysetPosition {
    const reject = (why: string) => invalidArgument('page_token', why);
    if (token.length > MAX_TOKEN_LENGTH) throw reject('is not a valid page token');
    const parts = token.split('.');
    if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]) || !/^[A-Za-z0-9_-]+$/.test(parts[1])) {
      throw reject('is not a valid page token');
    }
    const body = Buffer.from(parts[0], 'base64url');
    const signature = Buffer.from(parts[1], 'base64url');
    // Node's decoder ignores the unused low bits of a last character, so a few edits decode to the same bytes; only
    // the exact text this server issued is a token (tamper-evident down to the character, one spelling per page).
    if (body.toString('base64url') !== parts[0] || signature.toString('base64url') !== parts[1]) throw reject('is not a valid page token');
    const expected = this.sign(body);
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      throw reject('is not a valid page token (signature mismatch)');
    }
    let payload: Payload;
    try {
      payload = JSON.parse(body.toString('utf8')) as Payload;
    } catch {
      throw reject('is not a valid page token');
    }
    if (payload.v !== VERSION || typeof payload.s !== 'string' || typeof payload.i !== 'string') {
      throw reject('was issued by an incompatible server version; restart the listing');
    }
    if (payload.q !== fingerprint(query)) {
      throw reject('was issued for a different query (parent, filter and order_by must not change between pages)');
    }
    return { sortValue: payload.s, id: payload.i };
  }

  private sign(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }
}

function fingerprint(query: QueryIdentity): string {
  return createHash('sha256')
    .update(JSON.stringify([query.collection, query.parent, query.filter, query.orderBy]))
    .digest('base64url')
    .slice(0, 22);
}
