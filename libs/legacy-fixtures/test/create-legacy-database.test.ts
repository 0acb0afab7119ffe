import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { createLegacyDatabase, LEGACY_TABLE_NAMES, type LegacyDatabase } from '../src';

describe('createLegacyDatabase', () => {
  let server: ProvisionedPostgres;
  let db: pg.Client;
  let fixture: LegacyDatabase;
  const one = async (sql: string) => Number((await db.query(sql)).rows[0].n);

  beforeAll(async () => {
    server = await provisionPostgres();
    fixture = await createLegacyDatabase(server.url, { artists: 60, albums: 500, tracks: 5000, seed: 'fixture-test', overlapWithSoulspot: 0.2 });
    db = new pg.Client({ connectionString: server.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await server?.stop();
  });

  it('creates every legacy table', async () => {
    const { rows } = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(rows.map((r) => r.table_name).sort()).toEqual([...LEGACY_TABLE_NAMES].sort());
  });

  it('loads exactly what expectedOutcomes describes', async () => {
    const { legacy, soulspot } = fixture.expected;
    expect(await one(`SELECT count(*) AS n FROM spotify_artists`)).toBe(legacy.artists);
    expect(await one(`SELECT count(*) AS n FROM spotify_tracks`)).toBe(legacy.tracks);
    expect(await one(`SELECT count(*) AS n FROM spotify_artists WHERE genres IS NULL`)).toBe(legacy.artistsWithNullGenres);
    expect(await one(`SELECT count(*) AS n FROM spotify_tracks WHERE isrc IS NULL`)).toBe(legacy.tracksWithoutIsrc);
    expect(await one(`SELECT count(*) AS n FROM spotify_tracks WHERE isrc = 'UNKNOWN'`)).toBe(legacy.tracksWithInvalidIsrc);
    expect(await one(`SELECT count(*) - count(DISTINCT upper(isrc)) AS n FROM spotify_tracks WHERE isrc <> 'UNKNOWN'`)).toBe(legacy.tracksWithDuplicateIsrc);
    expect(await one(`SELECT count(*) AS n FROM spotify_albums WHERE release_date_precision = 'month' AND length(release_date) = 7`)).toBe(legacy.albumsByPrecision.month);
    expect(await one(`SELECT count(*) AS n FROM spotify_albums WHERE release_date_precision = 'year' AND length(release_date) = 4`)).toBe(legacy.albumsByPrecision.year);
    expect(await one(`SELECT count(*) AS n FROM soulspot_artists`)).toBe(soulspot.artists);
    expect(await one(`SELECT count(*) AS n FROM soulspot_albums`)).toBe(soulspot.albums);
    expect(await one(`SELECT count(*) AS n FROM soulspot_tracks WHERE source = 'deezer' AND deezer_id IS NOT NULL`)).toBe(soulspot.overlappingDeezerTracks);
    expect(await one(`SELECT count(*) AS n FROM soulspot_tracks WHERE file_path IS NOT NULL`)).toBe(soulspot.overlappingLocalTracks + soulspot.localOnlyTracks);
  });

  it('overlaps soulspot_tracks with legacy tracks by ISRC, through consistent artists and albums', async () => {
    expect(await one(`SELECT count(DISTINCT t.id) AS n FROM soulspot_tracks t JOIN spotify_tracks s ON upper(s.isrc) = t.isrc`)).toBe(
      fixture.expected.soulspot.overlappingTracks,
    );
    expect(await one(`SELECT count(*) AS n FROM soulspot_tracks t JOIN soulspot_artists a ON a.id = t.artist_id WHERE t.source <> a.source`)).toBe(0);
    expect(await one(`SELECT count(*) AS n FROM spotify_tracks WHERE local_track_id IS NOT NULL`)).toBe(fixture.expected.soulspot.overlappingTracks);
    expect(await one(`SELECT count(*) AS n FROM soulspot_artists a JOIN spotify_artists s ON a.spotify_uri = 'spotify:artist:' || s.spotify_id`)).toBe(
      fixture.expected.soulspot.alreadyUnifiedArtists,
    );
  });

  it('writes 22-character base62 Spotify ids and refuses a non-empty database', async () => {
    const ids = (await db.query(`SELECT spotify_id FROM spotify_tracks ORDER BY spotify_id LIMIT 3`)).rows;
    await expect(createLegacyDatabase(server.url, { artists: 1, albums: 1, tracks: 1 })).rejects.toThrow(/already has/);
    expect(ids).toHaveLength(3);
    expect(ids[0].spotify_id).toMatch(/^[A-Za-z0-9]{22}$/);
  });
});
