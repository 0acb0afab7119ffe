import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Origin, Provider, toKafkaEvent } from '@soulspot/contracts';
import { provisionKafka, provisionPostgres, type ProvisionedKafka, type ProvisionedPostgres } from '@soulspot/devstack';
import { createLegacyDatabase } from '@soulspot/legacy-fixtures';
import { createEventPublisher, createKafka } from '@soulspot/messaging';
import { runReplay } from '../src/replay/run-replay';
import { runSchema } from '../src/schema/run-schema';
import { runVerify } from '../src/verify/run-verify';
import { query, quietLogger, startProjector } from './helpers';

/**
 * Verify against the real projector, with projected rows that legitimately differ from their legacy row: the
 * projection's merge rules, not the migration, decided their fields.
 */
describe('migrator verify field spot-checks', () => {
  let kafka: ProvisionedKafka;
  let db: ProvisionedPostgres;
  let projector: ReturnType<typeof startProjector> | undefined;
  const topic = 'verify-spot';
  let deezerIds: Array<{ id: string }> = [];
  let linkedLocalFiles: Array<{ id: string; spotify_id: string }> = [];
  let report: Awaited<ReturnType<typeof runVerify>>;

  beforeAll(async () => {
    [kafka, db] = await Promise.all([provisionKafka(), provisionPostgres()]);
    await createLegacyDatabase(db.url, { artists: 4, albums: 8, tracks: 40, seed: 'verify-spot', overlapWithSoulspot: 0.5 });
    // Deezer rows as the old Deezer sync wrote some of them: a pseudo-URI in spotify_uri, no deezer_id (reference §3.5)
    for (const table of ['soulspot_artists', 'soulspot_albums', 'soulspot_tracks']) {
      const { length } = await query(db.url, `UPDATE ${table} SET spotify_uri = 'deezer:' || deezer_id, deezer_id = NULL WHERE deezer_id IS NOT NULL AND spotify_uri IS NULL RETURNING id`);
      expect(length, table).toBeGreaterThan(0);
    }
    // local files as the old scanner stored them: without ISRC (it reads none from tags); the Spotify track the old
    // app linked to each (spotify_tracks.local_track_id) is what says they are one recording
    linkedLocalFiles = await query(
      db.url,
      `UPDATE soulspot_tracks t SET isrc = NULL FROM spotify_tracks s
       WHERE s.local_track_id = t.id AND t.file_path IS NOT NULL RETURNING t.id, s.spotify_id`,
    );
    expect(linkedLocalFiles.length).toBeGreaterThan(0);
    deezerIds = await query(db.url, `SELECT substring(spotify_uri from 8) AS id FROM soulspot_tracks WHERE spotify_uri LIKE 'deezer:%' ORDER BY 1`);
    await runSchema(db.url, { dryRun: false, logger: quietLogger });
  }, 120_000);
  afterAll(async () => {
    await projector?.stop();
    await Promise.all([kafka?.stop(), db?.stop()]);
  });

  it('does not fail rows whose projected fields came from a fresher observation or a merged twin, odd ids or ISRCs', async () => {
    // Two legacy Spotify tracks of one recording (same ISRC, the projection merges them into one track): the newer
    // one does not know its duration (0), so the merged row takes the older one's.
    const [album] = await query(db.url, `SELECT spotify_id FROM spotify_albums ORDER BY spotify_id LIMIT 1`);
    await query(
      db.url,
      `INSERT INTO spotify_tracks (spotify_id, album_id, name, track_number, disc_number, duration_ms, explicit, isrc, created_at, updated_at) VALUES
         ('0TwinOlderTrack0000001', $1, 'Twin', 1, 1, 215000, false, 'QZZZZ2600001', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
         ('0TwinNewerTrack0000002', $1, 'Twin', 2, 1, 0, false, 'QZZZZ2600001', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')`,
      [album.spotify_id],
    );
    await query(db.url, `INSERT INTO spotify_artists (spotify_id, name, last_synced_at) VALUES ('0LoneArtist00000000001', 'Lone Artist', '2024-03-01T00:00:00Z')`);
    // a taken-down album: Spotify names it "" (its tracks still name it, with the title they knew)
    await query(
      db.url,
      `INSERT INTO spotify_albums (spotify_id, artist_id, name, album_type, total_tracks, is_saved, release_date, release_date_precision)
       VALUES ('0TakenDownAlbum0000001', '0LoneArtist00000000001', '', 'album', 1, true, '2019', 'year')`,
    );
    // and a track taken down on Spotify: it has no name any more, but still its ISRC and album
    await query(
      db.url,
      `INSERT INTO spotify_tracks (spotify_id, album_id, name, track_number, disc_number, duration_ms, explicit, isrc)
       VALUES ('0TakenDownTrack0000001', '0TakenDownAlbum0000001', '', 1, 1, 180000, false, 'QZZZZ2600002')`,
    );
    // a junk ISRC that upper-cases into a valid one ('ı' -> 'I'): the replay drops it, so it matches no track
    await query(
      db.url,
      `INSERT INTO spotify_tracks (spotify_id, album_id, name, track_number, disc_number, duration_ms, explicit, isrc) VALUES
         ('0DotlessIsrcTrack00001', $1, 'Dotless', 3, 1, 200000, false, 'qzzzı2600003'),
         ('0RealIsrcTrack00000001', $1, 'Real', 4, 1, 200000, false, 'QZZZI2600003')`,
      [album.spotify_id],
    );
    // a variant layout's text column holding a title longer than the projection's 255 characters
    await query(db.url, `ALTER TABLE spotify_tracks ALTER COLUMN name TYPE text`);
    await query(
      db.url,
      `INSERT INTO spotify_tracks (spotify_id, album_id, name, track_number, disc_number, duration_ms, explicit, isrc)
       VALUES ('0LongTitleTrack0000001', $1, $2, 5, 1, 200000, false, 'QZZZZ2600004')`,
      [album.spotify_id, `Symphony No. 9 in D minor, Op. 125 'Choral': IV. ${'Presto – Allegro assai – '.repeat(12)}🎻🎻`],
    );
    // an id with a stray space (the replay publishes it trimmed, as spotify:artist:0SpacedArtist0000000000v)
    await query(db.url, `INSERT INTO spotify_artists (spotify_id, name, last_synced_at) VALUES ('0SpacedArtist0000000000v ', 'Spaced Artist', '2024-03-01T00:00:00Z')`);
    const replay = await runReplay({ databaseUrl: db.url, brokers: kafka.brokers, clientId: 'test', topic, partitions: 2, chunkSize: 100, maxInFlight: 2, dryRun: false, logger: quietLogger });
    expect(replay.events).toBeGreaterThan(0);

    // The live Spotify connector saw an artist after the legacy app did, under a new name: that name wins (observed_at).
    const artist = { spotify_id: '0LoneArtist00000000001', name: 'Lone Artist' };
    const kafkaClient = createKafka({ brokers: kafka.brokers, clientId: 'live-sync', logger: quietLogger });
    const publisher = await createEventPublisher(kafkaClient, { topic, partitioner: 'int32-murmur2' });
    await publisher.publish([
      toKafkaEvent({
        observedAt: new Date(),
        provider: Provider.PROVIDER_SPOTIFY,
        origin: Origin.ORIGIN_LIVE_SYNC,
        producer: 'spotify-connector',
        correlationId: 'live',
        payload: {
          $case: 'artistObserved',
          value: {
            artist: {
              provider: Provider.PROVIDER_SPOTIFY,
              providerId: artist.spotify_id,
              name: `${artist.name} (renamed)`,
              musicbrainzId: '',
              genres: [],
              imageUrl: '',
              popularity: undefined,
              followerCount: undefined,
              disambiguation: '',
            },
          },
        },
      }),
    ]);
    await publisher.disconnect();

    projector = startProjector({ DATABASE_URL: db.url, KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC: topic });
    report = await runVerify({
      databaseUrl: db.url,
      brokers: kafka.brokers,
      clientId: 'test',
      topic,
      projection: 'library',
      timeoutMs: 60_000,
      sampleSize: 500,
      logger: quietLogger,
    });
    // the situation is the one described: both rows are projected as their merge rules say
    const [renamed] = await query(db.url, `SELECT name, source FROM soulspot_artists WHERE spotify_uri = $1`, [`spotify:artist:${artist.spotify_id}`]);
    expect(renamed).toEqual({ name: `${artist.name} (renamed)`, source: 'spotify' });
    expect(await query(db.url, `SELECT title, is_saved, release_date FROM soulspot_albums WHERE spotify_uri = 'spotify:album:0TakenDownAlbum0000001'`))
      .toEqual([{ title: '', is_saved: true, release_date: '2019' }]);
    expect(await query(db.url, `SELECT title, duration_ms FROM soulspot_tracks WHERE isrc = 'QZZZZ2600002'`)).toEqual([{ title: '', duration_ms: 180000 }]);
    const [twin] = await query(db.url, `SELECT spotify_uri, duration_ms, source FROM soulspot_tracks WHERE isrc = 'QZZZZ2600001'`);
    expect(twin).toEqual({ spotify_uri: 'spotify:track:0TwinNewerTrack0000002', duration_ms: 215000, source: 'spotify' });

    expect(report.spotChecks.flatMap((s) => s.mismatches)).toEqual([]);
    expect(report.tables.every((t) => t.missing === 0 && t.split === 0 && t.unobserved === 0), JSON.stringify(report.tables)).toBe(true);
    expect(report.passed).toBe(true);
    // every row was sampled (the renamed artist and the twin among them)
    expect(report.spotChecks.find((s) => s.source === 'public.spotify_artists')?.sampled).toBe(6);
    expect(report.spotChecks.find((s) => s.source === 'public.spotify_tracks')?.sampled).toBe(45);

    // a projected row that really lost its legacy value still fails
    const [damaged] = await query(db.url, `SELECT spotify_uri FROM soulspot_tracks WHERE source = 'spotify' AND isrc NOT LIKE 'QZZZZ%' ORDER BY spotify_uri LIMIT 1`);
    await query(db.url, `UPDATE soulspot_tracks SET title = 'Wrong' WHERE spotify_uri = $1`, [damaged.spotify_uri]);
    const again = await runVerify({ databaseUrl: db.url, clientId: 'test', topic, projection: 'library', timeoutMs: 1000, sampleSize: 500, dryRun: true, logger: quietLogger });
    expect(again.passed).toBe(false);
    expect(again.spotChecks.flatMap((s) => s.mismatches)).toEqual([expect.stringMatching(/\.title: legacy ".*" != projected "Wrong"$/)]);
  }, 120_000);

  it("projects a Deezer pseudo-URI in spotify_uri as the row's Deezer identity, and verify finds it", async () => {
    const projected = await query(db.url, `SELECT deezer_id AS id FROM soulspot_tracks WHERE deezer_id = ANY($1::text[]) ORDER BY 1`, [deezerIds.map((r) => r.id)]);
    expect(projected).toEqual(deezerIds);
    expect(await query(db.url, `SELECT id FROM soulspot_tracks WHERE spotify_uri LIKE 'deezer:%'`)).toEqual([]);
    for (const source of ['legacy_backup.soulspot_artists', 'legacy_backup.soulspot_albums', 'legacy_backup.soulspot_tracks']) {
      expect(report.tables.find((t) => t.source === source), source).toMatchObject({ missing: 0 });
    }
  });

  it('merges a local file without ISRC with the Spotify track the legacy app linked to it (local_track_id)', async () => {
    const entities = await query<{ local: string | null; spotify: string | null }>(
      db.url,
      `SELECT (SELECT entity_id FROM projection_entity_members WHERE member_key = 'local:track:' || l.id) AS local,
              (SELECT entity_id FROM projection_entity_members WHERE member_key = 'spotify:track:' || l.spotify_id) AS spotify
       FROM jsonb_to_recordset($1::jsonb) AS l(id text, spotify_id text)`,
      [JSON.stringify(linkedLocalFiles)],
    );
    expect(entities.every((e) => e.local !== null && e.local === e.spotify), JSON.stringify(entities)).toBe(true);
    expect((await query(db.url, `SELECT count(*)::int AS n FROM soulspot_tracks WHERE id = ANY($1::text[]) AND source = 'hybrid'`, [entities.map((e) => e.local)]))[0].n)
      .toBe(entities.length);
  });

  it('lists a legacy row as NOT PROJECTED when its key holds only an older observation (its own event never applied)', async () => {
    // as if the legacy album's event had been dead-lettered (or parked) after an earlier live observation of it applied
    const [album] = await query(db.url, `SELECT spotify_id FROM spotify_albums WHERE name <> '' ORDER BY spotify_id LIMIT 1`);
    await query(db.url, `UPDATE projection_observations SET observed_at = observed_at - interval '1 day' WHERE provider_key = $1`, [`spotify:album:${album.spotify_id}`]);
    const again = await runVerify({ databaseUrl: db.url, clientId: 'test', topic, projection: 'library', timeoutMs: 1000, sampleSize: 0, dryRun: true, logger: quietLogger });
    expect(again.tables.find((t) => t.source === 'public.spotify_albums')).toMatchObject({ missing: 0, unobserved: 1, unobservedIds: [album.spotify_id] });
    expect(again.tables.filter((t) => t.source !== 'public.spotify_albums').every((t) => t.unobserved === 0)).toBe(true);
  });
});
