import pg from 'pg';
import { expectedOutcomes, type LegacyExpectations } from './expected';
import { LEGACY_FOREIGN_KEYS, LEGACY_INDEXES, LEGACY_TABLES_DDL } from './legacy-ddl';
import {
  FIXTURE_TRACKS_SQL,
  SOULSPOT_LOCAL_ONLY_SQL,
  SOULSPOT_OVERLAP_ALBUMS_SQL,
  SOULSPOT_OVERLAP_ARTISTS_SQL,
  SOULSPOT_OVERLAP_TRACKS_SQL,
  SOULSPOT_UNIFIED_ARTISTS_SQL,
  SPOTIFY_ALBUMS_SQL,
  SPOTIFY_ARTISTS_SQL,
  SPOTIFY_TRACKS_SQL,
  SYNC_STATUS_AND_AUTH_SQL,
  bindFixtureSql,
} from './load-sql';
import { resolveOptions, type LegacyFixtureOptions, type ResolvedOptions } from './plan';

export interface LegacyDatabase {
  options: ResolvedOptions;
  expected: LegacyExpectations;
  /** Wall time of the load in milliseconds. */
  loadMs: number;
}

/**
 * Builds a legacy (pre-consolidation) SoulSpot database in the empty database at `url`, in one
 * transaction: tables, bulk data (set-based INSERT … SELECT over generate_series), then indexes and
 * foreign keys, then ANALYZE. Returns the expected outcomes of a correct migration.
 */
export async function createLegacyDatabase(url: string, options: LegacyFixtureOptions): Promise<LegacyDatabase> {
  const resolved = resolveOptions(options);
  const started = Date.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const existing = await client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('soulspot_artists', 'spotify_artists')`,
    );
    if (existing.rowCount) {
      throw new Error(`legacy fixture: database already has ${existing.rows.map((r) => r.table_name).join(', ')}; use an empty database`);
    }
    const bind = (sql: string): string => bindFixtureSql(sql, resolved);
    await client.query("SET TIME ZONE 'UTC'");
    await client.query('BEGIN');
    await client.query(LEGACY_TABLES_DDL);
    for (const sql of [
      FIXTURE_TRACKS_SQL,
      SPOTIFY_ARTISTS_SQL,
      SPOTIFY_ALBUMS_SQL,
      SPOTIFY_TRACKS_SQL,
      SOULSPOT_OVERLAP_ARTISTS_SQL,
      SOULSPOT_OVERLAP_ALBUMS_SQL,
      SOULSPOT_OVERLAP_TRACKS_SQL,
      SOULSPOT_UNIFIED_ARTISTS_SQL,
      SOULSPOT_LOCAL_ONLY_SQL,
      ...SYNC_STATUS_AND_AUTH_SQL,
    ]) {
      await client.query(bind(sql));
    }
    await client.query(LEGACY_INDEXES);
    await client.query(LEGACY_FOREIGN_KEYS);
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
  return { options: resolved, expected: expectedOutcomes(resolved), loadMs: Date.now() - started };
}
