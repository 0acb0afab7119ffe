import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionKafka, provisionPostgres, type ProvisionedKafka, type ProvisionedPostgres } from '@soulspot/devstack';
import { createLegacyDatabase, type LegacyDatabase } from '@soulspot/legacy-fixtures';
import { runReplay } from '../src/replay/run-replay';
import { runSchema } from '../src/schema/run-schema';
import { query, quietLogger, readTopic, runCli, startCli } from './helpers';

/** Replay without a projector. The SIGKILL/resume scenario, with the projection, is in e2e.test.ts. */
describe('migrator replay --dry-run', () => {
  let db: ProvisionedPostgres;
  let fixture: LegacyDatabase;

  beforeAll(async () => {
    db = await provisionPostgres();
    fixture = await createLegacyDatabase(db.url, { artists: 40, albums: 400, tracks: 6000, seed: 'replay-test', overlapWithSoulspot: 0.1 });
    await runSchema(db.url, { dryRun: false, logger: quietLogger });
  });
  afterAll(async () => {
    await db?.stop();
  });

  it('dry run builds every event and publishes none', async () => {
    const report = await runReplay({ databaseUrl: db.url, brokers: [], clientId: 'test', chunkSize: 500, maxInFlight: 2, dryRun: true, logger: quietLogger });
    const tracks = report.sources.find((s) => s.source === 'public.spotify_tracks');
    expect(tracks?.rows).toBe(fixture.expected.legacy.tracks);
    expect(tracks?.droppedIsrc).toBe(fixture.expected.legacy.tracksWithInvalidIsrc);
    expect(tracks?.events).toBe(fixture.expected.legacy.tracks);
    // the real layout (NOT NULL, indexed album_id): pages of whole albums, none lost at the page boundaries
    expect(tracks?.order).toEqual(['album_id', 'spotify_id']);
    const backfill = report.sources.find((s) => s.source === 'legacy_backup.soulspot_tracks');
    expect(backfill?.rows).toBe(fixture.expected.soulspot.tracks);
    expect(backfill?.skipped).toBe(0);
    expect((await query(db.url, 'SELECT count(*)::int AS n FROM migrator_replay_cursors'))[0].n).toBe(0);
  });
});

describe('migrator replay on other layouts', () => {
  let kafka: ProvisionedKafka;
  let db: ProvisionedPostgres;

  beforeAll(async () => {
    [kafka, db] = await Promise.all([provisionKafka(), provisionPostgres()]);
  });
  afterAll(async () => {
    await Promise.all([kafka?.stop(), db?.stop()]);
  });

  it("maps the seed plan's variant column names (title, cover_url, artist_spotify_id, bare ids in spotify_uri)", async () => {
    await query(db.url, `
      CREATE TABLE spotify_artists (spotify_uri varchar(64) PRIMARY KEY, name text NOT NULL, updated_at timestamptz);
      CREATE TABLE spotify_albums (spotify_uri varchar(64) PRIMARY KEY, title text NOT NULL, artist_spotify_id varchar(64), cover_url text, release_date text);
      CREATE TABLE spotify_tracks (spotify_uri varchar(64) PRIMARY KEY, title text NOT NULL, album_spotify_id varchar(64), artist_spotify_id varchar(64), isrc text);
      INSERT INTO spotify_artists VALUES ('4Z8W4fKeB5YxbusRsdQVPb', 'Radiohead', '2025-01-02T03:04:05Z');
      INSERT INTO spotify_albums VALUES ('6dVIqQ8qmQ5GBnJ9shOYGE', 'OK Computer', '4Z8W4fKeB5YxbusRsdQVPb', 'https://i.scdn.co/image/x', '1997-05-21');
      INSERT INTO spotify_tracks VALUES ('6LgJvl0Xdtc73RJ1mmpotq', 'Paranoid Android', '6dVIqQ8qmQ5GBnJ9shOYGE', '4Z8W4fKeB5YxbusRsdQVPb', 'GBAYE9700379');`);
    await runSchema(db.url, { dryRun: false, logger: quietLogger });
    const replay = await runReplay({ databaseUrl: db.url, brokers: kafka.brokers, clientId: 'test', topic: 'variants', partitions: 2, chunkSize: 100, maxInFlight: 2, dryRun: false, logger: quietLogger });
    expect(replay.events).toBe(3);
    // a nullable, unindexed album column: tracks are read in id order
    expect(replay.sources.find((r) => r.source === 'public.spotify_tracks')?.order).toEqual(['spotify_uri']);
    const keys = (await readTopic(kafka.brokers, 'variants')).map((e) => e.key).sort();
    expect(keys).toEqual(['spotify:album:6dVIqQ8qmQ5GBnJ9shOYGE', 'spotify:artist:4Z8W4fKeB5YxbusRsdQVPb', 'spotify:track:6LgJvl0Xdtc73RJ1mmpotq']);
  });

  it('fails on an unexpected layout with a message naming the table and the column', async () => {
    await query(db.url, `ALTER TABLE spotify_tracks RENAME COLUMN album_spotify_id TO album_ref`);
    const replay = await runCli(['replay'], { DATABASE_URL: db.url, KAFKA_BROKERS: kafka.brokers.join(','), LIBRARY_EVENTS_TOPIC: 'variants-broken' });
    expect(replay.status).toBe(1);
    expect(replay.stderr).toMatch(/legacy table public\.spotify_tracks: cannot map required field 'album_id'.*album_id, album_spotify_id/);
    expect(replay.stderr).toMatch(/album_ref/);
  });
});

describe('migrator replay of a layout whose Spotify id column is not a key', () => {
  let db: ProvisionedPostgres;

  beforeAll(async () => {
    db = await provisionPostgres();
  });
  afterAll(async () => {
    await db?.stop();
  });

  it('pages by the primary key: NULL and repeated ids neither stall the replay nor lose rows at page boundaries', async () => {
    await query(db.url, `
      CREATE TABLE spotify_artists (id serial PRIMARY KEY, spotify_uri varchar(64), name text NOT NULL);
      CREATE TABLE spotify_albums (id serial PRIMARY KEY, spotify_uri varchar(64), title text NOT NULL, artist_spotify_id varchar(64));
      CREATE TABLE spotify_tracks (id serial PRIMARY KEY, spotify_uri varchar(64), title text NOT NULL, album_spotify_id varchar(64));
      INSERT INTO spotify_artists (spotify_uri, name) VALUES
        ('4Z8W4fKeB5YxbusRsdQVPb', 'Radiohead'), ('4Z8W4fKeB5YxbusRsdQVPb', 'Radiohead (older copy)'), ('0OdUWJ0sBjDrqHygGUXeCF', 'Band of Horses'),
        (NULL, 'No id'), (NULL, 'No id either');`);
    await runSchema(db.url, { dryRun: false, logger: quietLogger });
    const replay = await Promise.race([
      runReplay({ databaseUrl: db.url, brokers: [], clientId: 'test', chunkSize: 2, maxInFlight: 2, dryRun: true, logger: quietLogger }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the replay did not finish')), 20_000)),
    ]);
    const artists = replay.sources.find((s) => s.source === 'public.spotify_artists')!;
    expect(artists.rows).toBe(5);
    expect(artists.events).toBe(3);
    expect(artists.skipped).toBe(2);
    expect(artists.order).toEqual(['id']);

    // neither a key nor a primary key: refused, naming the table and the column
    await query(db.url, `ALTER TABLE spotify_artists DROP CONSTRAINT spotify_artists_pkey`);
    await expect(runReplay({ databaseUrl: db.url, brokers: [], clientId: 'test', chunkSize: 2, maxInFlight: 2, dryRun: true, logger: quietLogger }))
      .rejects.toThrow(/legacy table public\.spotify_artists: cannot use field 'id': column spotify_uri is not a key .* no primary key/);
  }, 60_000);
});

describe('migrator replay of a column holding values of another type', () => {
  let db: ProvisionedPostgres;

  beforeAll(async () => {
    db = await provisionPostgres();
  });
  afterAll(async () => {
    await db?.stop();
  });

  it('fails naming the table, the column and its type', async () => {
    await query(db.url, `
      CREATE TABLE spotify_artists (spotify_id varchar(32) PRIMARY KEY, name text NOT NULL);
      CREATE TABLE spotify_albums (spotify_id varchar(32) PRIMARY KEY, name text NOT NULL, artist_id varchar(32));
      CREATE TABLE spotify_tracks (spotify_id varchar(32) PRIMARY KEY, name text NOT NULL, album_id varchar(32), duration_ms text);
      INSERT INTO spotify_artists VALUES ('4Z8W4fKeB5YxbusRsdQVPb', 'Radiohead');
      INSERT INTO spotify_albums VALUES ('6dVIqQ8qmQ5GBnJ9shOYGE', 'OK Computer', '4Z8W4fKeB5YxbusRsdQVPb');
      INSERT INTO spotify_tracks VALUES ('6LgJvl0Xdtc73RJ1mmpotq', 'Paranoid Android', '6dVIqQ8qmQ5GBnJ9shOYGE', '6:23');`);
    await runSchema(db.url, { dryRun: false, logger: quietLogger });
    const replay = await runCli(['replay', '--dry-run'], { DATABASE_URL: db.url });
    expect(replay.status).toBe(1);
    expect(replay.stderr).toMatch(/legacy table public\.spotify_tracks: .*duration_ms \(text, read as integer\)/);
    expect(replay.stderr).toMatch(/"6:23"/);
  }, 60_000);
});

describe('migrator replay resume', () => {
  let kafka: ProvisionedKafka;
  let db: ProvisionedPostgres;

  beforeAll(async () => {
    [kafka, db] = await Promise.all([provisionKafka(), provisionPostgres()]);
    await createLegacyDatabase(db.url, { artists: 4, albums: 8, tracks: 40, seed: 'replay-resume', overlapWithSoulspot: 0.5 });
    await runSchema(db.url, { dryRun: false, logger: quietLogger });
  });
  afterAll(async () => {
    await Promise.all([kafka?.stop(), db?.stop()]);
  });

  it('replays the pre-existing soulspot_* rows again when legacy_backup changed since its cursors were written', async () => {
    const options = { databaseUrl: db.url, brokers: kafka.brokers, clientId: 'test', topic: 'resume', partitions: 2, chunkSize: 100, maxInFlight: 2, dryRun: false, logger: quietLogger };
    await runReplay(options);
    const [artist] = await query<{ id: string }>(db.url, `SELECT id FROM legacy_backup.soulspot_artists ORDER BY id LIMIT 1`);
    await query(db.url, `UPDATE legacy_backup.soulspot_artists SET name = 'Renamed In The Backup' WHERE id = $1`, [artist.id]);
    const resumed = await runReplay(options);
    // every source starts over (the cursors were kept only while nothing the replay reads changed)
    expect(resumed.sources.find((s) => s.source === 'legacy_backup.soulspot_artists')?.resumedFrom).toBeNull();
    const published = await readTopic(kafka.brokers, 'resume');
    expect(published.some((e) => e.value.includes('Renamed In The Backup'))).toBe(true);
  });
});

describe('migrator replay run twice at the same time (two Jobs)', () => {
  let kafka: ProvisionedKafka;
  let db: ProvisionedPostgres;
  let fixture: LegacyDatabase;

  beforeAll(async () => {
    [kafka, db] = await Promise.all([provisionKafka(), provisionPostgres()]);
    fixture = await createLegacyDatabase(db.url, { artists: 5, albums: 20, tracks: 300, seed: 'replay-twice', overlapWithSoulspot: 0.2 });
    await runSchema(db.url, { dryRun: false, logger: quietLogger });
  });
  afterAll(async () => {
    await Promise.all([kafka?.stop(), db?.stop()]);
  });

  it('runs one after the other: the cursors count every row once', async () => {
    const options = { databaseUrl: db.url, brokers: kafka.brokers, clientId: 'test', topic: 'twice', partitions: 2, chunkSize: 10, maxInFlight: 2, dryRun: false, restart: true, logger: quietLogger };
    await Promise.all([runReplay(options), runReplay(options)]);
    const cursors = await query<{ source_table: string; rows_done: string; completed: boolean }>(db.url, `SELECT source_table, rows_done, completed FROM migrator_replay_cursors ORDER BY 1`);
    const rows = Object.fromEntries(cursors.map((c) => [c.source_table, Number(c.rows_done)]));
    expect(rows['public.spotify_tracks']).toBe(fixture.expected.legacy.tracks);
    expect(rows['public.spotify_albums']).toBe(fixture.expected.legacy.albums);
    expect(rows['legacy_backup.soulspot_tracks']).toBe(fixture.expected.soulspot.tracks);
    expect(cursors.every((c) => c.completed)).toBe(true);
  }, 120_000);

  it('a SIGKILLed replay does not keep the lock: the next one resumes at once', async () => {
    const run = startCli(['replay', '--restart'], { DATABASE_URL: db.url, KAFKA_BROKERS: kafka.brokers.join(','), LIBRARY_EVENTS_TOPIC: 'twice', REPLAY_CHUNK_SIZE: '5' });
    const rowsDone = async () => Number((await query(db.url, `SELECT coalesce(sum(rows_done), 0)::int AS n FROM migrator_replay_cursors`))[0].n);
    const deadline = Date.now() + 60_000;
    while (run.child.exitCode === null && (await rowsDone()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(run.child.exitCode).toBeNull();
    run.child.kill('SIGKILL');
    await run.done;
    const resumed = await Promise.race([
      runReplay({ databaseUrl: db.url, brokers: kafka.brokers, clientId: 'test', topic: 'twice', partitions: 2, chunkSize: 5, maxInFlight: 2, dryRun: false, logger: quietLogger }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the resumed replay waited for the lock of the killed one')), 30_000)),
    ]);
    expect(resumed.sources.find((s) => s.source === 'public.spotify_tracks')?.rows).toBe(fixture.expected.legacy.tracks);
  }, 120_000);
});
