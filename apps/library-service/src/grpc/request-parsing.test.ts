import { describe, expect, it } from 'vitest';
import { parseParent, parseResourceName } from './resource-names';
import { normalizePageSize } from './page-size';
import { parseOrderBy } from './order-by';
import { encodeBadRequestStatus, decodeFieldViolations } from './status-details';
import { ApiError } from './errors';

const ID = '0b7a3c1e-9f4d-5e2a-8c6b-1d2e3f4a5b6c';

function code(run: () => unknown): number {
  try {
    run();
  } catch (error) {
    return (error as ApiError).code;
  }
  return 0;
}

describe('parseResourceName', () => {
  it('accepts the resource name or the bare UUID, any case', () => {
    expect(parseResourceName('artists', `artists/${ID}`, 'name')).toBe(ID);
    expect(parseResourceName('artists', ID.toUpperCase(), 'name')).toBe(ID);
  });

  it.each(['', 'artists/', `albums/${ID}`, 'artists/not-a-uuid', `artists/${ID}/x`, "artists/' OR 1=1 --", 'x'.repeat(100_000), `${ID}\u0000`])(
    'rejects %j with INVALID_ARGUMENT',
    (value) => {
      expect(code(() => parseResourceName('artists', value, 'name'))).toBe(3);
    },
  );

  it('does not echo huge inputs back', () => {
    try {
      parseResourceName('artists', 'x'.repeat(100_000), 'name');
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(200);
    }
  });
});

describe('parseParent', () => {
  it('parses allowed parents and rejects others', () => {
    expect(parseParent('', ['artists'])).toEqual({ kind: 'none' });
    expect(parseParent(`artists/${ID}`, ['artists', 'albums'])).toEqual({ kind: 'artist', id: ID });
    expect(parseParent(`albums/${ID}`, ['artists', 'albums'])).toEqual({ kind: 'album', id: ID });
    expect(code(() => parseParent(`albums/${ID}`, ['artists']))).toBe(3);
    expect(code(() => parseParent(ID, ['artists']))).toBe(3);
  });
});

describe('normalizePageSize', () => {
  it('defaults, clamps and rejects negatives', () => {
    expect(normalizePageSize(0)).toBe(50);
    expect(normalizePageSize(1)).toBe(1);
    expect(normalizePageSize(1000)).toBe(1000);
    expect(normalizePageSize(2_147_483_647)).toBe(1000);
    expect(code(() => normalizePageSize(-1))).toBe(3);
    expect(code(() => normalizePageSize(-2_147_483_648))).toBe(3);
  });
});

describe('parseOrderBy', () => {
  const fields = { name: { expression: 'a.name', cursorText: 'a.name', cast: 'text' }, last_synced_at: { expression: 'x', cursorText: 'x', cast: 'timestamptz' } };
  it('parses one field with an optional direction', () => {
    expect(parseOrderBy('', fields, {}, 'name')).toEqual({ field: 'name', descending: false, canonical: 'name' });
    expect(parseOrderBy('  last_synced_at   DESC ', fields, {}, 'name')).toEqual({ field: 'last_synced_at', descending: true, canonical: 'last_synced_at desc' });
    expect(parseOrderBy('title asc', fields, { title: 'name' }, 'name').canonical).toBe('name');
  });
  it.each(['genre', 'name sideways', 'name, last_synced_at', 'name desc extra', '__proto__'])('rejects %j', (value) => {
    expect(code(() => parseOrderBy(value, fields, {}, 'name'))).toBe(3);
  });
});

describe('status details', () => {
  it('round-trips field violations through google.rpc.Status', () => {
    const violations = [{ field: 'page_size', description: 'must be >= 0' }, { field: 'filter', description: 'unknown field "x" é' }];
    expect(decodeFieldViolations(encodeBadRequestStatus(3, 'bad', violations))).toEqual(violations);
  });
});
