import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@soulspot/observability';
import type { Observation } from '../src/domain/observation';
import { ReferenceProjection } from '../src/domain/reference-projection';
import { applyObservations, applyState } from '../src/projection/apply-observations';
import { createPendingRowsWriter, recordPendingRows } from '../src/projection/pending-rows';
import { lockProjection } from '../src/projection/sql';
import { dumpLibrary, resetProjection } from './support/dump';
import { albumEvent, artistEvent, at, trackEvent } from './support/events';
import { generateLibrary } from './support/library-generator';
import { observe, useProjectionDatabase } from './support/projection-db';
import { splitRandomly } from './support/random-batches';

describe('applyObservations on PostgreSQL', () => {
  const database = useProjectionDatabase();

  async function apply(batches: Observation[][]): Promise<void> {
    for (const batch of batches) await database.inWriterTransaction(() => applyObservations(database.client, batch));
  }

  const scenario = observe([...generateLibrary({ artists: 24, albumsPerArtist: 2, tracksPerAlbum: 3, overlap: 0.5, seed: 7, twists: true })]);

  it('produces the rows of the reference projection (same ids, merges, sources, flags)', async () => {
    await apply([scenario]);
    const reference = new ReferenceProjection();
    for (const obs of scenario) reference.apply(obs);
    const expected = reference.library();
    const artists = (await database.client.query('select * from soulspot_artists order by id collate "C"')).rows;
    const albums = (await database.client.query('select * from soulspot_albums order by id collate "C"')).rows;
    const tracks = (await database.client.query('select * from soulspot_tracks order by id collate "C"')).rows;
    const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(artists.map((a) => [a.id, a.name, a.source, a.spotify_uri, a.deezer_id, a.musicbrainz_id, a.is_followed])).toEqual(
      byId(expected.artists).map((a) => [a.id, a.name, a.source, a.spotifyUri, a.deezerId, a.musicbrainzId, a.isFollowed]),
    );
    expect(albums.map((a) => [a.id, a.title, a.artist_id, a.source, a.upc, a.is_saved, a.release_date, a.secondary_types])).toEqual(
      byId(expected.albums).map((a) => [a.id, a.title, a.artistId, a.source, a.upc, a.isSaved, a.releaseDate, a.secondaryTypes]),
    );
    expect(tracks.map((t) => [t.id, t.title, t.artist_id, t.album_id, t.source, t.isrc, t.duration_ms, t.last_synced_at?.getTime()])).toEqual(
      byId(expected.tracks).map((t) => [t.id, t.title, t.artistId, t.albumId, t.source, t.isrc, t.durationMs, t.lastSyncedAt?.getTime()]),
    );
    expect(tracks.some((t) => t.source === 'hybrid')).toBe(true);
    expect(artists.some((a) => a.source === 'hybrid')).toBe(true);
  });

  it('is idempotent: applying everything again writes nothing and changes nothing', async () => {
    await apply([scenario]);
    const before = await dumpLibrary(database.client);
    const changes = Number((await database.client.query('select count(*) from projection_changes')).rows[0].count);
    await apply([scenario.slice(0, 100), scenario.slice(100)]);
    expect(await dumpLibrary(database.client)).toBe(before);
    expect(Number((await database.client.query('select count(*) from projection_changes')).rows[0].count)).toBe(changes);
  });

  it('merges retire the old id: redirect recorded, children moved, change feed tells', async () => {
    const spotifyTrack = trackEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaaa', 'Song', [{ id: 'bbbbbbbbbbbbbbbbbbbbbb', name: 'Singer' }], {
      album: { id: 'cccccccccccccccccccccc', name: 'Record' },
      at: at(1),
    });
    const deezerTrack = trackEvent('deezer', '77', 'Song', [{ id: '88', name: 'Singer' }], { isrc: 'GBXYZ2600001', at: at(2) });
    await apply([observe([spotifyTrack]), observe([deezerTrack])]);
    const before = (await database.client.query(`select id from soulspot_tracks`)).rows.map((r) => r.id);
    expect(before).toHaveLength(2);
    // the Spotify track learns its ISRC: both tracks are one now, named after the ISRC
    const withIsrc = trackEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaaa', 'Song', [{ id: 'bbbbbbbbbbbbbbbbbbbbbb', name: 'Singer' }], {
      album: { id: 'cccccccccccccccccccccc', name: 'Record' },
      isrc: 'GBXYZ2600001',
      at: at(3),
    });
    await apply([observe([withIsrc])]);
    const after = (await database.client.query(`select id, source, spotify_uri, deezer_id, album_id from soulspot_tracks`)).rows;
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ source: 'hybrid', spotify_uri: 'spotify:track:aaaaaaaaaaaaaaaaaaaaaa', deezer_id: '77' });
    expect(after[0].album_id).not.toBeNull();
    const redirects = (await database.client.query(`select old_id, new_id from projection_id_redirects where entity_type = 'track'`)).rows;
    // the Deezer track was already named after the ISRC; only the Spotify track's id goes away
    expect(before).toContain(after[0].id);
    expect(redirects.map((r) => r.old_id)).toEqual(before.filter((id) => id !== after[0].id));
    expect(new Set(redirects.map((r) => r.new_id))).toEqual(new Set([after[0].id]));
    const deletes = (await database.client.query(`select entity_id, redirect_to from projection_changes where op = 'delete' and entity_type = 'track'`)).rows;
    expect(deletes).toEqual(redirects.map((r) => ({ entity_id: r.old_id, redirect_to: after[0].id })));
    // and the two artists are one too: same name on a shared ISRC
    expect(Number((await database.client.query('select count(*) from soulspot_artists')).rows[0].count)).toBe(1);
  });

  it('a provider lacking a field keeps what another provider said; older events change nothing', async () => {
    await apply([
      observe([artistEvent('spotify', 'dddddddddddddddddddddd', 'Air', { at: at(5), genres: ['french house'], popularity: 60, mbid: 'cb67438a-7f50-4f2b-a6f1-2bb2729fd538' })]),
      observe([artistEvent('deezer', '5', 'Air', { at: at(6), mbid: 'cb67438a-7f50-4f2b-a6f1-2bb2729fd538' })]),
      observe([albumEvent('spotify', 'eeeeeeeeeeeeeeeeeeeeee', 'Moon Safari', [{ id: 'dddddddddddddddddddddd', name: 'Air' }], { at: at(1) })]),
      observe([artistEvent('spotify', 'dddddddddddddddddddddd', 'Old Air', { at: at(2), popularity: 1 })]),
    ]);
    const artists = (await database.client.query('select name, genres, popularity, source, last_synced_at from soulspot_artists')).rows;
    expect(artists).toEqual([
      { name: 'Air', genres: '["french house"]', popularity: 60, source: 'hybrid', last_synced_at: at(6) },
    ]);
  });

  it('split into a state transaction and a later row transaction (what the projector does), gives the same library', async () => {
    await apply([scenario]);
    const baseline = await dumpLibrary(database.client);
    await resetProjection(database.client);
    const pool = new pg.Pool({ connectionString: database.db.url, max: 2 });
    try {
      const writer = createPendingRowsWriter({ pool, projection: 'split-test', logger: createLogger('split-test') });
      const batches = [scenario.slice(0, 40), scenario.slice(40, 41), scenario.slice(41, 150), scenario.slice(150)];
      for (const [index, batch] of batches.entries()) {
        await database.client.query('begin');
        await lockProjection(database.client, 'state');
        const state = await applyState(database.client, batch);
        const end = { topic: 't', positions: [{ partition: 0, nextOffset: BigInt(index + 1) }] };
        await recordPendingRows(database.client, 'split-test', end, state.rows);
        await database.client.query('commit');
        // committed state, rows not yet written: the checkpoint has not moved (a crash here leaves the record)
        const checkpoint = await database.client.query(`select next_offset from projection_checkpoints where projection = 'split-test'`);
        expect(checkpoint.rows.map((r) => Number(r.next_offset))).toEqual(index === 0 ? [] : [index]);
        // a restarted projector writes what is recorded: rows, checkpoint, record gone
        expect(await writer.drain()).toBe(1);
        const after = await database.client.query(`select next_offset from projection_checkpoints where projection = 'split-test'`);
        expect(after.rows.map((r) => Number(r.next_offset))).toEqual([index + 1]);
      }
      expect(Number((await database.client.query('select count(*) from projection_pending_rows')).rows[0].count)).toBe(0);
      expect(await dumpLibrary(database.client)).toBe(baseline);
    } finally {
      await pool.end();
    }
  });

  it('row work whose record went away after its state committed (tables exchanged meanwhile) writes nothing', async () => {
    await resetProjection(database.client);
    const pool = new pg.Pool({ connectionString: database.db.url, max: 2 });
    try {
      const writer = createPendingRowsWriter({ pool, projection: 'stale-test', logger: createLogger('stale-test', { level: 'silent' }) });
      await database.client.query('begin');
      await lockProjection(database.client, 'state');
      const state = await applyState(database.client, scenario);
      const pending = await recordPendingRows(database.client, 'stale-test', { topic: 't', positions: [{ partition: 0, nextOffset: 7n }] }, state.rows);
      await database.client.query('commit');
      // what a rollback, a swap or an in-place truncation does between the two transactions: the record's tables go
      await database.inWriterTransaction(() => database.client.query('delete from projection_pending_rows'));
      writer.start(pending);
      await writer.settle();
      const counts = await database.client.query(
        `select (select count(*) from soulspot_tracks)::int as tracks, (select count(*) from projection_checkpoints)::int as checkpoints`,
      );
      expect(counts.rows[0]).toEqual({ tracks: 0, checkpoints: 0 });
      // the same work with its record in place is written
      await database.client.query('begin');
      await lockProjection(database.client, 'state');
      const again = await recordPendingRows(database.client, 'stale-test', { topic: 't', positions: [{ partition: 0, nextOffset: 7n }] }, state.rows);
      await database.client.query('commit');
      writer.start(again);
      await writer.settle();
      const after = await database.client.query(`select (select count(*) from soulspot_tracks)::int as tracks, (select next_offset from projection_checkpoints) as next`);
      expect(after.rows[0].tracks).toBeGreaterThan(0);
      expect(Number(after.rows[0].next)).toBe(7);
    } finally {
      await pool.end();
    }
  });

  it('order independence: any interleaving and batch split of the same events gives the identical dump', async () => {
    await apply([scenario]);
    const baseline = await dumpLibrary(database.client);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 4, max: 120 }), async (seed, maxBatch) => {
        await resetProjection(database.client);
        const batches = splitRandomly(scenario, seed, maxBatch);
        await apply(batches);
        expect(await dumpLibrary(database.client)).toBe(baseline);
      }),
      { numRuns: 10 },
    );
  }, 240_000); // ~10 s on an idle machine; generous for loaded CI machines
});
