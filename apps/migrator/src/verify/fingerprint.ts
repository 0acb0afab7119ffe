import type { Queryable } from '../db';
import { listTables } from '../db';
import { ALL_SOURCES } from '../replay/sources';

/** The legacy tables finalize drops; their content fingerprint proves nothing changed since verify. */
export const DROPPED_LEGACY_TABLES = ['spotify_artists', 'spotify_albums', 'spotify_tracks'] as const;

export type Fingerprint = Record<string, { rows: string; hash: string }>;

/**
 * Row count and an order-independent content hash (sum of 64-bit hashes of every row's text form) per table the
 * replay reads: the `spotify_*` tables finalize drops (keyed by bare name) and the pre-existing `soulspot_*` rows in
 * `legacy_backup` (keyed `legacy_backup.<table>`). Any insert, update or delete after verify (or after the replay
 * began) changes it.
 */
export async function legacyFingerprint(db: Queryable): Promise<Fingerprint> {
  const tablesBySchema = new Map<string, Set<string>>();
  const out: Fingerprint = {};
  for (const { schema, table } of ALL_SOURCES) {
    if (!tablesBySchema.has(schema)) tablesBySchema.set(schema, await listTables(db, schema));
    if (!tablesBySchema.get(schema)!.has(table)) continue;
    const { rows } = await db.query<{ rows: string; hash: string }>(
      `SELECT count(*)::text AS rows, coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text AS hash FROM ${schema}."${table}" t`,
    );
    out[schema === 'public' ? table : `${schema}.${table}`] = rows[0];
  }
  return out;
}

/** The legacy content a replay's cursors were built from (`migrator_state` key `replay_source`). */
export interface ReplaySource {
  fingerprint: Fingerprint;
  at: string;
}

export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (a[key]?.rows !== b[key]?.rows || a[key]?.hash !== b[key]?.hash) return false;
  }
  return true;
}
