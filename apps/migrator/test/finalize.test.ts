import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionKafka, provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { createLegacyDatabase } from '@soulspot/legacy-fixtures';
import { createKafka } from '@soulspot/messaging';
import { runFinalize } from '../src/finalize/run-finalize';
import { runRestoreLegacy } from '../src/finalize/restore-legacy';
import { runReplay } from '../src/replay/run-replay';
import { catalogSnapshot } from '../src/schema/catalog-snapshot';
import { runSchema } from '../src/schema/run-schema';
import { runVerify } from '../src/verify/run-verify';
import { query, quietLogger, runCli, withDb } from './helpers';

const LEGACY = ['spotify_artists', 'spotify_albums', 'spotify_tracks'];

/** The catalog entries (columns, constraints, indexes, sequences) of the legacy spotify_* tables in public. */
async function legacyCatalog(url: string): Promise<string[]> {
  const snapshot = await withDb(url, (c) => catalogSnapshot(c, 'public'));
  return [...snapshot.columns, ...snapshot.constraints, ...snapshot.indexes, ...snapshot.sequences]
    .filter((line) => LEGACY.some((t) => line.startsWith(`${t} `) || line.startsWith(`${t}.`) || line.startsWith(`${t}_`)))
    .sort();
}

/** A passing verify of what is there (nothing to project: the legacy tables are empty), which finalize's gate needs. */
async function passingVerify(url: string): Promise<void> {
  const report = await runVerify({ databaseUrl: url, clientId: 'test', topic: 'unused', projection: 'library', timeoutMs: 1000, sampleSize: 10, logger: quietLogger });
  expect(report.passed, JSON.stringify(report.tables)).toBe(true);
}

describe('migrator finalize / restore-legacy', () => {
  let db: ProvisionedPostgres;

  beforeAll(async () => {
    db = await provisionPostgres();
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
  });

  it('restores the legacy tables exactly as they were: columns, constraints, index names and definitions', async () => {
    await createLegacyDatabase(db.url, { artists: 1, albums: 1, tracks: 1, seed: 'finalize', overlapWithSoulspot: 0 });
    await query(db.url, `TRUNCATE spotify_tracks, spotify_albums, spotify_artists, soulspot_tracks, soulspot_albums, soulspot_artists`);
    await runSchema(db.url, { dryRun: false, logger: quietLogger });
    const before = await legacyCatalog(db.url);
    expect(before.some((line) => line.startsWith('spotify_artists ix_spotify_artists_name '))).toBe(true);

    await passingVerify(db.url);
    await runFinalize(db.url, { confirm: true, dryRun: false, logger: quietLogger });
    expect(await legacyCatalog(db.url)).toEqual([]);
    await runRestoreLegacy(db.url, { dryRun: false, logger: quietLogger });
    // (the foreign key into legacy_backup.soulspot_tracks, which is not restored with them, validated as before)
    expect(await legacyCatalog(db.url)).toEqual(before);

    // and again: finalize replaces the backup of the earlier run, restore brings the same tables back — with a track
    // whose local file row is gone meanwhile, so that foreign key can only come back NOT VALID (and the restore works)
    await passingVerify(db.url);
    await runFinalize(db.url, { confirm: true, dryRun: false, logger: quietLogger });
    await query(db.url, `
      INSERT INTO legacy_backup.spotify_artists (spotify_id, name) VALUES ('0ArtistOfADanglingLink', 'X');
      INSERT INTO legacy_backup.spotify_albums (spotify_id, artist_id, name, album_type, total_tracks) VALUES ('0AlbumOfADanglingLink0', '0ArtistOfADanglingLink', 'A', 'album', 1);
      INSERT INTO legacy_backup.spotify_tracks (spotify_id, album_id, name, track_number, disc_number, duration_ms, explicit, local_track_id)
      VALUES ('0TrackOfADanglingLink0', '0AlbumOfADanglingLink0', 'T', 1, 1, 1000, false, '00000000-0000-0000-0000-00000000dead');`);
    await runRestoreLegacy(db.url, { dryRun: false, logger: quietLogger });
    expect(await legacyCatalog(db.url)).toEqual(before.map((line) => (line.startsWith('spotify_tracks spotify_tracks_local_track_id_fkey ') ? `${line} NOT VALID` : line)));
    expect((await query(db.url, `SELECT count(*)::int AS n FROM spotify_tracks`))[0].n).toBe(1);
    await expect(runRestoreLegacy(db.url, { dryRun: false, logger: quietLogger })).rejects.toThrow(/already exist; nothing to restore/);
  }, 120_000);

  it('finalizes and restores a layout with serial, identity and generated columns; ids number on where they stopped', async () => {
    const other = await provisionPostgres();
    try {
      await query(other.url, `
        CREATE TABLE spotify_artists (id serial PRIMARY KEY, spotify_id varchar(32) NOT NULL UNIQUE, name text NOT NULL);
        CREATE TABLE spotify_albums (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, spotify_id varchar(32) NOT NULL UNIQUE, title text NOT NULL,
                                     title_key text GENERATED ALWAYS AS (lower(title)) STORED, artist_spotify_id varchar(32));
        CREATE TABLE spotify_tracks (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, spotify_id varchar(32) NOT NULL UNIQUE, title text NOT NULL, album_spotify_id varchar(32));
        SELECT setval('spotify_artists_id_seq', 41);
        SELECT setval(pg_get_serial_sequence('spotify_tracks', 'id'), 77);`);
      await runSchema(other.url, { dryRun: false, logger: quietLogger });
      const before = await legacyCatalog(other.url);
      await passingVerify(other.url);
      const finalized = await runFinalize(other.url, { confirm: true, dryRun: false, logger: quietLogger });
      expect(finalized.dropped).toEqual(['spotify_tracks', 'spotify_albums', 'spotify_artists']);
      expect(await legacyCatalog(other.url)).toEqual([]);
      await runRestoreLegacy(other.url, { dryRun: false, logger: quietLogger });
      expect(await legacyCatalog(other.url)).toEqual(before);
      // the restored tables number on where they stopped
      expect(await query(other.url, `INSERT INTO spotify_artists (spotify_id, name) VALUES ('x', 'X') RETURNING id`)).toEqual([{ id: 42 }]);
      expect(await query(other.url, `INSERT INTO spotify_tracks (spotify_id, title) VALUES ('x', 'X') RETURNING id::int`)).toEqual([{ id: 78 }]);
    } finally {
      await other.stop();
    }
  }, 120_000);

  it('run on a database it already finalized succeeds without doing anything (the Job can run again)', async () => {
    const [other, kafka] = await Promise.all([provisionPostgres(), provisionKafka()]);
    try {
      await createLegacyDatabase(other.url, { artists: 1, albums: 1, tracks: 1, seed: 'finalized', overlapWithSoulspot: 0 });
      await query(other.url, `TRUNCATE spotify_tracks, spotify_albums, spotify_artists, soulspot_tracks, soulspot_albums, soulspot_artists`);
      await runSchema(other.url, { dryRun: false, logger: quietLogger });
      await runReplay({ databaseUrl: other.url, brokers: kafka.brokers, clientId: 'test', topic: 'finalized-replay', partitions: 1, chunkSize: 10, maxInFlight: 1, dryRun: false, logger: quietLogger });
      await passingVerify(other.url);
      await runFinalize(other.url, { confirm: true, dryRun: false, logger: quietLogger });
      // a verify after finalize: the dropped tables are not 'legacy tables changed since the replay'
      const after = await runVerify({ databaseUrl: other.url, clientId: 'test', topic: 'finalized-replay', projection: 'library', timeoutMs: 1000, sampleSize: 10, dryRun: true, logger: quietLogger });
      expect(after.legacyChangedSinceReplay).toBe(false);
      expect(after.passed).toBe(true);
      const state = await query(other.url, `SELECT key, value FROM migrator_state ORDER BY key`);

      const env = { DATABASE_URL: other.url, KAFKA_BROKERS: kafka.brokers.join(','), LIBRARY_EVENTS_TOPIC: 'finalized-rerun' };
      const run = await runCli(['run'], env);
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/already finalized/);
      expect(await query(other.url, `SELECT key, value FROM migrator_state ORDER BY key`)).toEqual(state);
      const admin = createKafka({ brokers: kafka.brokers, clientId: 'finalize-test', logger: quietLogger }).admin();
      await admin.connect();
      try {
        expect(await admin.listTopics()).not.toContain('finalized-rerun');
      } finally {
        await admin.disconnect();
      }
    } finally {
      await Promise.all([other.stop(), kafka.stop()]);
    }
  }, 120_000);
});
