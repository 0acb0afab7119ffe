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

  beforeAll(async () => {
    [kafka, db] = await Promise.all([provisionKafka(), provisionPostgres()]);
    await createLegacyDatabase(db.url, { artists: 4, albums: 8, tracks: 40, seed: 'verify-spot', overlapWithSoulspot: 0 });
    await runSchema(db.url, { dryRun: false, logger: quietLogger });
  }, 120_000);
  afterAll(async () => {
    await projector?.stop();
    await Promise.all([kafka?.stop(), db?.stop()]);
  });

  it('does not fail rows whose projected fields came from a fresher observation or a merged twin', async () => {
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
    const replay = await runReplay({ databaseUrl: db.url, brokers: kafka.brokers, clientId: 'test', topic, partitions: 2, chunkSize: 100, maxInFlight: 2, dryRun: false, logger: quietLogger });
    expect(replay.events).toBeGreaterThan(0);

    // The live Spotify connector saw an artist after the legacy app did, under a new name: that name wins (observed_at).
    const [artist] = await query(db.url, `SELECT spotify_id, name FROM spotify_artists ORDER BY spotify_id LIMIT 1`);
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
    const report = await runVerify({
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
    const [twin] = await query(db.url, `SELECT spotify_uri, duration_ms, source FROM soulspot_tracks WHERE isrc = 'QZZZZ2600001'`);
    expect(twin).toEqual({ spotify_uri: 'spotify:track:0TwinNewerTrack0000002', duration_ms: 215000, source: 'spotify' });

    expect(report.spotChecks.flatMap((s) => s.mismatches)).toEqual([]);
    expect(report.tables.every((t) => t.missing === 0 && t.split === 0 && t.unobserved === 0), JSON.stringify(report.tables)).toBe(true);
    expect(report.passed).toBe(true);
    // the renamed artist is set aside; the twin is compared on what its legacy row states
    const artists = report.spotChecks.find((s) => s.source === 'public.spotify_artists')!;
    expect(artists.mergedSkipped).toBe(1);
    expect(artists.compared).toBe(artists.sampled - 1);
    const tracks = report.spotChecks.find((s) => s.source === 'public.spotify_tracks')!;
    expect(tracks.compared).toBe(tracks.sampled);
    expect(tracks.sampled).toBe(41);

    // a projected row that really lost its legacy value still fails
    const [damaged] = await query(db.url, `SELECT spotify_uri FROM soulspot_tracks WHERE source = 'spotify' AND isrc <> 'QZZZZ2600001' ORDER BY spotify_uri LIMIT 1`);
    await query(db.url, `UPDATE soulspot_tracks SET title = 'Wrong' WHERE spotify_uri = $1`, [damaged.spotify_uri]);
    const again = await runVerify({ databaseUrl: db.url, clientId: 'test', topic, projection: 'library', timeoutMs: 1000, sampleSize: 500, dryRun: true, logger: quietLogger });
    expect(again.passed).toBe(false);
    expect(again.spotChecks.flatMap((s) => s.mismatches)).toEqual([expect.stringMatching(/\.title: legacy ".*" != projected "Wrong"$/)]);
  }, 120_000);
});
