import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionKafka, provisionPostgres, type ProvisionedKafka, type ProvisionedPostgres } from '@soulspot/devstack';
import { createLegacyDatabase, type LegacyDatabase } from '@soulspot/legacy-fixtures';
import { runFinalize } from '../src/finalize/run-finalize';
import { projectionDump, query, quietLogger, readTopic, runCli, startCli, startProjector, withDb } from './helpers';

/**
 * schema -> replay -> (library-service projects) -> verify -> finalize -> restore-legacy, on real PostgreSQL, the
 * embedded broker over TCP and the real projector process. Two identical legacy databases: A runs uninterrupted,
 * B's replay is SIGKILLed five times; both projections must end identical.
 */
describe('legacy migration end to end', () => {
  let kafka: ProvisionedKafka;
  let a: ProvisionedPostgres;
  let b: ProvisionedPostgres;
  let fixture: LegacyDatabase;
  const projectors: Array<{ stop(): Promise<void>; output(): string }> = [];
  const options = { artists: 25, albums: 200, tracks: 2000, seed: 'e2e', overlapWithSoulspot: 0.15 };
  const env = (db: ProvisionedPostgres, topic: string, extra: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    LIBRARY_EVENTS_TOPIC: topic,
    TOPIC_PARTITIONS: '4',
    VERIFY_TIMEOUT_SECONDS: '60',
    ...extra,
  });

  beforeAll(async () => {
    [kafka, a, b] = await Promise.all([provisionKafka(), provisionPostgres(), provisionPostgres()]);
    [fixture] = await Promise.all([createLegacyDatabase(a.url, options), createLegacyDatabase(b.url, options)]);
    for (const [db, topic] of [[a, 'e2e-a'], [b, 'e2e-b']] as const) {
      const schema = await runCli(['schema'], { DATABASE_URL: db.url });
      expect(schema.status, schema.stderr).toBe(0);
      projectors.push(startProjector({ DATABASE_URL: db.url, KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC: topic }));
    }
  });
  afterAll(async () => {
    await Promise.all(projectors.map((p) => p.stop()));
    await Promise.all([kafka?.stop(), a?.stop(), b?.stop()]);
  });

  it('finalize refuses without a passing verify (a dry-run verify stores nothing)', async () => {
    const dryVerify = await runCli(['verify', '--no-wait', '--dry-run'], env(a, 'e2e-a'));
    expect(dryVerify.status).toBe(1); // nothing is replayed yet
    const result = await runCli(['finalize', '--confirm'], env(a, 'e2e-a'));
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/no verify has run yet/);
    expect((await query(a.url, `SELECT count(*)::int AS n FROM spotify_tracks`))[0].n).toBe(options.tracks);
  });

  it('replays, the projection merges with the pre-existing rows, and verify proves every legacy row is there once', async () => {
    const replay = await runCli(['replay'], env(a, 'e2e-a'));
    expect(replay.status, replay.stderr).toBe(0);
    const verify = await runCli(['verify'], env(a, 'e2e-a'));
    expect(verify.status, `${verify.stdout}\n${verify.stderr}\n${projectors[0].output()}`).toBe(0);
    expect(verify.stdout).toMatch(/verify PASSED/);

    const [counts] = await query(
      a.url,
      `SELECT (SELECT count(*) FROM soulspot_artists)::int AS artists, (SELECT count(*) FROM soulspot_albums)::int AS albums,
              (SELECT count(*) FROM soulspot_tracks)::int AS tracks,
              (SELECT count(*) FROM soulspot_tracks WHERE source = 'hybrid')::int AS hybrid_tracks,
              (SELECT count(*) FROM soulspot_artists WHERE source = 'hybrid')::int AS hybrid_artists`,
    );
    expect(counts).toEqual({
      artists: fixture.expected.projected.artists,
      albums: fixture.expected.projected.albums,
      tracks: fixture.expected.projected.tracks,
      hybrid_tracks: fixture.expected.projected.hybridTracks,
      hybrid_artists: fixture.expected.projected.hybridArtists,
    });
    // Every pre-existing track with an ISRC was merged (ISRC first) into the Spotify track: one row, both identities.
    const merged = await query(
      a.url,
      `SELECT count(*)::int AS n FROM legacy_backup.soulspot_tracks o JOIN soulspot_tracks s ON s.isrc = o.isrc
       WHERE s.spotify_uri IS NOT NULL AND s.source = 'hybrid' AND (o.deezer_id IS NULL OR s.deezer_id = o.deezer_id)`,
    );
    expect(merged[0].n).toBe(fixture.expected.soulspot.overlappingTracks);
  }, 120_000);

  it('resumes a replay SIGKILLed 5 times: verify passes and the projection equals the uninterrupted one', async () => {
    // Each kill lands at a random point after this run has published something of its own (a fixed delay raced the
    // whole replay on a fast machine, or killed it before it started on a slow one).
    let kills = 0;
    await withDb(b.url, async (db) => {
      const rowsDone = async () => Number((await db.query(`SELECT coalesce(sum(rows_done), 0)::int AS n FROM migrator_replay_cursors`)).rows[0].n);
      for (let attempt = 0; kills < 5 && attempt < 20; attempt++) {
        const killAt = (await rowsDone()) + 100 + Math.floor(Math.random() * 300);
        const run = startCli(['replay'], env(b, 'e2e-b', { REPLAY_CHUNK_SIZE: '100' }));
        while (run.child.exitCode === null && (await rowsDone()) < killAt) await new Promise((r) => setTimeout(r, 5));
        if (run.child.exitCode === null) {
          run.child.kill('SIGKILL');
          kills++;
        }
        await run.done;
      }
    });
    expect(kills).toBe(5);
    const resumed = await runCli(['replay'], env(b, 'e2e-b', { REPLAY_CHUNK_SIZE: '100' }));
    expect(resumed.status, resumed.stderr).toBe(0);
    const verify = await runCli(['verify'], env(b, 'e2e-b'));
    expect(verify.status, verify.stdout).toBe(0);
    expect(await projectionDump(b.url)).toBe(await projectionDump(a.url));

    // No gaps, and re-published pages are byte-identical events (same ids as the uninterrupted run's).
    const [uninterrupted, resumedEvents] = await Promise.all([readTopic(kafka.brokers, 'e2e-a'), readTopic(kafka.brokers, 'e2e-b')]);
    const byId = new Map<string, Buffer>();
    for (const event of resumedEvents) {
      const previous = byId.get(event.eventId);
      if (previous) expect(previous.equals(event.value)).toBe(true);
      byId.set(event.eventId, event.value);
    }
    expect(new Set(byId.keys())).toEqual(new Set(uninterrupted.map((e) => e.eventId)));
  }, 120_000);

  it('verify fails when a legacy track has no counterpart or is split over two rows, and lists the missing one', async () => {
    // (B is not used after this: its projection is damaged on purpose, behind the projector's back)
    const [gone] = await query(
      b.url,
      `SELECT s.id, l.spotify_id FROM spotify_tracks l JOIN soulspot_tracks s ON s.spotify_uri = 'spotify:track:' || l.spotify_id
       WHERE s.source = 'spotify' AND s.isrc IS NULL ORDER BY l.spotify_id LIMIT 1`,
    );
    const [kept, other] = await query(
      b.url,
      `SELECT id, isrc FROM soulspot_tracks WHERE source = 'spotify' AND isrc IS NOT NULL AND spotify_uri IS NOT NULL ORDER BY id LIMIT 2`,
    );
    await query(b.url, `DELETE FROM soulspot_tracks WHERE id = $1`, [gone.id]);
    // kept's legacy track: its URI stays on one row while its ISRC moves to another
    await query(b.url, `UPDATE soulspot_tracks SET isrc = NULL WHERE id = $1`, [kept.id]);
    await query(b.url, `UPDATE soulspot_tracks SET isrc = $2 WHERE id = $1`, [other.id, kept.isrc]);

    // an album whose own event never applied (as if dead-lettered) keeps a row, built from its tracks' references
    const [album] = await query(b.url, `SELECT spotify_id FROM spotify_albums ORDER BY spotify_id LIMIT 1`);
    await query(b.url, `DELETE FROM projection_observations WHERE provider_key = $1`, [`spotify:album:${album.spotify_id}`]);

    const verify = await runCli(['verify', '--no-wait'], env(b, 'e2e-b'));
    expect(verify.status, verify.stderr).toBe(1);
    expect(verify.stdout).toMatch(/verify FAILED/);
    expect(verify.stdout).toMatch(/public\.spotify_tracks\s+\d+ rows\s+1 MISSING, 1 SPLIT\n/);
    expect(verify.stdout).toContain(`missing: ${gone.spotify_id}`);
    expect(verify.stdout).toMatch(/public\.spotify_albums\s+\d+ rows\s+all represented, 1 NOT PROJECTED/);
    expect(verify.stdout).toContain(`not projected: ${album.spotify_id}`);
  });

  it('after a legacy write newer than the last verify: finalize refuses, verify fails, replay starts over, then all pass', async () => {
    const [row] = await query(a.url, `SELECT spotify_id, name FROM spotify_tracks ORDER BY spotify_id LIMIT 1`);
    const renamed = `${row.name} (live)`;
    await query(a.url, `UPDATE spotify_tracks SET name = $2, updated_at = now() WHERE spotify_id = $1`, [row.spotify_id, renamed]);
    await expect(runFinalize(a.url, { confirm: true, dryRun: false, logger: quietLogger })).rejects.toThrow(/legacy tables changed since the last verify/);
    // the track exists, so every counterpart check passes; what fails is that the replay read an older content
    const stale = await runCli(['verify'], env(a, 'e2e-a'));
    expect(stale.status, stale.stdout).toBe(1);
    expect(stale.stdout).toMatch(/changed since the replay read them/);
    // a completed replay sees the change and publishes everything again (unchanged rows as identical events)
    const replay = await runCli(['replay'], env(a, 'e2e-a'));
    expect(replay.status, replay.stderr).toBe(0);
    const verify = await runCli(['verify'], env(a, 'e2e-a'));
    expect(verify.status, `${verify.stdout}\n${verify.stderr}`).toBe(0);
    const [projected] = await query(a.url, `SELECT title FROM soulspot_tracks WHERE spotify_uri = $1`, [`spotify:track:${row.spotify_id}`]);
    expect(projected.title).toBe(renamed);
    const dryRun = await runFinalize(a.url, { confirm: false, dryRun: true, logger: quietLogger });
    expect(dryRun.dropped).toEqual(['spotify_tracks', 'spotify_albums', 'spotify_artists']);
    expect((await query(a.url, `SELECT count(*)::int AS n FROM spotify_tracks`))[0].n).toBe(options.tracks);
  }, 120_000);

  it('finalize backs up and drops the legacy tables; restore-legacy brings them back', async () => {
    const foreignKeys = () =>
      query(
        a.url,
        `SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition, k.convalidated AS validated
         FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
         WHERE c.relnamespace = 'public'::regnamespace AND c.relname LIKE 'spotify\\_%' AND k.contype = 'f' ORDER BY 1, 2`,
      );
    const keysBefore = await foreignKeys();
    expect(keysBefore.length).toBeGreaterThan(0);
    const finalize = await runCli(['finalize', '--confirm'], env(a, 'e2e-a'));
    expect(finalize.status, finalize.stderr).toBe(0);
    const tables = await query(a.url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'spotify\\_%'`);
    expect(tables.map((t) => t.table_name).sort()).toEqual(['spotify_sessions', 'spotify_tokens']);
    const backup = await query(a.url, `SELECT (SELECT count(*) FROM legacy_backup.spotify_tracks)::int AS tracks, (SELECT count(*) FROM legacy_backup.spotify_artists)::int AS artists`);
    expect(backup[0]).toEqual({ tracks: options.tracks, artists: options.artists });

    const again = await runCli(['finalize', '--confirm'], env(a, 'e2e-a'));
    expect(again.status).toBe(3);

    const restore = await runCli(['restore-legacy'], env(a, 'e2e-a'));
    expect(restore.status, restore.stderr).toBe(0);
    const restored = await query(a.url, `SELECT (SELECT count(*) FROM spotify_tracks)::int AS tracks, (SELECT count(*) FROM spotify_albums)::int AS albums`);
    expect(restored[0]).toEqual({ tracks: options.tracks, albums: options.albums });
    // the database's own foreign keys come back, validated (local_track_id's references, the pre-migration
    // soulspot_tracks in legacy_backup, are all still there)
    const keysAfter = await foreignKeys();
    expect(keysAfter).toEqual(keysBefore);
    for (const key of keysAfter) expect(key.validated, key.name).toBe(true);
    const status = await runCli(['status'], env(a, 'e2e-a'));
    expect(status.stdout).toMatch(/next: run `migrator verify`/);
  }, 120_000);
});
