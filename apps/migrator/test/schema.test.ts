import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { createLegacyDatabase, type LegacyDatabase } from '@soulspot/legacy-fixtures';
import { MIGRATIONS_TABLE } from '@soulspot/library-db';
import { catalogSnapshot } from '../src/schema/catalog-snapshot';
import { runSchema } from '../src/schema/run-schema';
import { query, quietLogger, runCli, withDb } from './helpers';

/** The legacy cache tables are kept in public for the replay; everything else must be identical. */
const KEPT_LEGACY_TABLES = ['spotify_artists', 'spotify_albums', 'spotify_tracks'];
const snapshot = (url: string) => withDb(url, (c) => catalogSnapshot(c, 'public', KEPT_LEGACY_TABLES));
const publicTables = async (url: string) =>
  (await query(url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).map((r) => r.table_name);

describe('migrator schema', () => {
  let fresh: ProvisionedPostgres;
  let legacy: ProvisionedPostgres;
  let fixture: LegacyDatabase;

  beforeAll(async () => {
    [fresh, legacy] = await Promise.all([provisionPostgres(), provisionPostgres()]);
    fixture = await createLegacyDatabase(legacy.url, { artists: 30, albums: 200, tracks: 2000, seed: 'schema-test', overlapWithSoulspot: 0.2 });
  });
  afterAll(async () => {
    await Promise.all([fresh?.stop(), legacy?.stop()]);
  });

  it('dry run on a legacy database changes nothing', async () => {
    const before = await publicTables(legacy.url);
    const result = await runSchema(legacy.url, { dryRun: true, logger: quietLogger });
    expect(result.path).toBe('legacy');
    expect(result.conversion?.movedTables).toContain('spotify_sync_status');
    expect(await publicTables(legacy.url)).toEqual(before);
    expect(await query(legacy.url, `SELECT 1 FROM information_schema.tables WHERE table_schema = 'legacy_backup'`)).toHaveLength(0);
  });

  it('creates the fresh schema through the CLI and converts the legacy database to exactly the same schema', async () => {
    const cli = await runCli(['schema'], { DATABASE_URL: fresh.url });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/fresh path from state 'empty'/);
    const converted = await runSchema(legacy.url, { dryRun: false, logger: quietLogger });
    expect(converted.path).toBe('legacy');

    const [a, b] = await Promise.all([snapshot(fresh.url), snapshot(legacy.url)]);
    expect(b.tables).toEqual(a.tables);
    expect(b.columns).toEqual(a.columns);
    expect(b.constraints).toEqual(a.constraints);
    expect(b.indexes).toEqual(a.indexes);
    expect(b.sequences).toEqual(a.sequences);
    expect(a.tables).toEqual(expect.arrayContaining(['soulspot_tracks', 'provider_sync_status', 'migrator_replay_cursors', MIGRATIONS_TABLE]));
    // Same migration history, so migrateUp continues from the same place on both.
    const history = (url: string) => query(url, `SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`);
    expect(await history(legacy.url)).toEqual(await history(fresh.url));
  });

  it('keeps the legacy data: spotify_* in place, pre-existing soulspot_* rows in legacy_backup, sync status carried', async () => {
    const [counts] = await query(
      legacy.url,
      `SELECT (SELECT count(*) FROM spotify_tracks)::int AS tracks, (SELECT count(*) FROM legacy_backup.soulspot_tracks)::int AS backup_tracks,
              (SELECT count(*) FROM legacy_backup.soulspot_artists)::int AS backup_artists, (SELECT count(*) FROM soulspot_tracks)::int AS live_tracks`,
    );
    expect(counts).toEqual({ tracks: fixture.expected.legacy.tracks, backup_tracks: fixture.expected.soulspot.tracks, backup_artists: fixture.expected.soulspot.artists, live_tracks: 0 });
    const status = await query(legacy.url, `SELECT provider, entity_type, entity_id, status, next_sync_allowed_at IS NOT NULL AS has_next FROM provider_sync_status ORDER BY entity_type`);
    expect(status).toEqual([
      { provider: 'spotify', entity_type: 'followed_artists', entity_id: 'me', status: 'idle', has_next: false },
      { provider: 'spotify', entity_type: 'liked_songs', entity_id: 'me', status: 'idle', has_next: true },
      { provider: 'spotify', entity_type: 'saved_albums', entity_id: 'me', status: 'error', has_next: true },
    ]);
  });

  it('is a no-op when run again, on both databases', async () => {
    for (const db of [fresh, legacy]) {
      const before = await snapshot(db.url);
      const rows = await query(db.url, `SELECT (SELECT count(*) FROM ${MIGRATIONS_TABLE})::int AS m, (SELECT count(*) FROM provider_sync_status)::int AS s`);
      const again = await runSchema(db.url, { dryRun: false, logger: quietLogger });
      expect(again.before.kind).toBe('managed');
      expect(again.appliedMigrations).toEqual([]);
      expect(await snapshot(db.url)).toEqual(before);
      expect(await query(db.url, `SELECT (SELECT count(*) FROM ${MIGRATIONS_TABLE})::int AS m, (SELECT count(*) FROM provider_sync_status)::int AS s`)).toEqual(rows);
    }
  });
});
