import { MIGRATIONS_TABLE } from '@soulspot/library-db';
import { listColumns, listTables, type Queryable } from '../db';

export type SchemaState =
  /** No soulspot tables at all: the fresh path creates everything. */
  | { kind: 'empty' }
  /** MikroORM migration history present: the fresh path applies what is pending (maybe nothing). */
  | { kind: 'managed'; appliedMigrations: number }
  /** A SoulSpot database from the Python era: the legacy path converts it. */
  | { kind: 'legacy'; legacyTables: string[] };

/** Tables whose presence (without migration history) marks a legacy SoulSpot database. */
export const LEGACY_MARKER_TABLES = [
  'soulspot_artists',
  'soulspot_albums',
  'soulspot_tracks',
  'spotify_artists',
  'spotify_albums',
  'spotify_tracks',
  'spotify_sync_status',
  'alembic_version',
] as const;

export async function detectSchemaState(db: Queryable): Promise<SchemaState> {
  const tables = await listTables(db, 'public');
  if (tables.has(MIGRATIONS_TABLE)) {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`);
    const applied = Number(rows[0].n);
    // An empty history table is what a rolled-back legacy conversion can leave behind (MikroORM creates the
    // table outside the conversion transaction): treat it as absent.
    if (applied > 0) return { kind: 'managed', appliedMigrations: applied };
  }
  const legacy: string[] = LEGACY_MARKER_TABLES.filter((t) => tables.has(t));
  if (tables.has('provider_sync_status') && (await listColumns(db, 'public', 'provider_sync_status')).includes('sync_type')) {
    legacy.push('provider_sync_status');
  }
  return legacy.length > 0 ? { kind: 'legacy', legacyTables: legacy } : { kind: 'empty' };
}
