import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KafkaEvent } from '@soulspot/contracts';
import { ReferenceProjection } from '../src/domain/reference-projection';
import { applyObservations, applyState } from '../src/projection/apply-observations';
import { writeRows } from '../src/projection/row-writer';
import { resetProjection } from './support/dump';
import { albumEvent, artistEvent, at, trackEvent } from './support/events';
import { observe, useProjectionDatabase } from './support/projection-db';
import { splitRandomly } from './support/random-batches';

/**
 * The projector skips entities whose only change is a newer reference to a provider key that has its own
 * observation, unless the reference differs in a field that observation leaves empty (state-store.ts
 * `storeReferences`). Skipping is only right if the skipped recomputation would not have changed the row: these
 * tests compare the rows, after any batch split and interleaving, with the in-memory reference projection, which
 * recomputes everything from the set of events.
 */
const band = { id: '0TnOYISbd1XYRBk9myaseg', name: 'Band' };
const bandOnDeezer = { id: '9', name: 'BAND' };
const solo = { id: '1vCWHaC5f2uS3yhpwWbIA6', name: 'Solo' };
const record = { id: '1DFixLWuPkv3KT3TnV35m3', name: 'Record' };
const recordOnDeezer = { id: '70', name: 'Record' };
const onlyReferenced = { id: '2noRn2Aes5aoNVsU6iWThc', name: 'Only Referenced' };
const UPC = '724384960650';
const MBID_1 = '5b11f4ce-a62d-471e-81fc-a69a8278c7da';
const MBID_2 = '0cc5ab0c-4f6e-4d73-9e21-8bb6a5c1e0f4';

/**
 * Reference churn around one observed album (no MusicBrainz id of its own, so references fill it), its Deezer twin
 * known only through Deezer tracks (same UPC), an album and an artist known only through references, and an artist
 * whose observation is older than the references to it.
 */
const churn = observe([
  artistEvent('spotify', band.id, 'Band', { at: at(1) }),
  albumEvent('spotify', record.id, 'Record', [band], { upc: UPC, at: at(10) }),
  trackEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaa1', 'One', [band], { album: { ...record, mbid: MBID_1 }, isrc: 'GBXYZ2600101', at: at(20) }),
  trackEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaa2', 'Two', [{ ...band, name: 'The Band' }], { album: { ...record, name: 'Record (Deluxe)' }, at: at(30) }),
  trackEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaa3', 'Three', [band], { album: { ...record, mbid: MBID_1 }, at: at(25) }),
  trackEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaa4', 'Four', [band], { album: { ...record, mbid: MBID_1 }, at: at(40) }),
  trackEvent('deezer', '401', 'One', [bandOnDeezer], { album: recordOnDeezer, albumUpc: UPC, isrc: 'GBXYZ2600101', at: at(15) }),
  trackEvent('deezer', '402', 'Two', [bandOnDeezer], { album: { ...recordOnDeezer, name: 'Record (Deezer)' }, albumUpc: UPC, at: at(35) }),
  trackEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaa5', 'Alone', [solo], { album: onlyReferenced, at: at(12) }),
  trackEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaa6', 'Alone Again', [{ ...solo, name: 'Solo Project' }], { album: { ...onlyReferenced, name: 'Only Referenced (2)', mbid: MBID_2 }, at: at(45) }),
  albumEvent('spotify', record.id, 'Record (Remaster)', [band], { upc: UPC, at: at(50) }),
]);

const time = (d: Date | null) => (d === null ? null : d.getTime());

describe('reference churn on PostgreSQL', () => {
  const database = useProjectionDatabase();
  const client = () => database.client;
  const inTransaction = database.inWriterTransaction;

  async function rowsOf() {
    const artists = await client().query(
      'select id, name, musicbrainz_id, spotify_uri, deezer_id, source, created_at, updated_at, last_synced_at from soulspot_artists order by id collate "C"',
    );
    const albums = await client().query(
      `select id, title, artist_id, musicbrainz_id, spotify_uri, deezer_id, upc, source, created_at, updated_at, last_synced_at
       from soulspot_albums order by id collate "C"`,
    );
    return {
      artists: artists.rows.map((a) => [a.id, a.name, a.musicbrainz_id, a.spotify_uri, a.deezer_id, a.source, time(a.created_at), time(a.updated_at), time(a.last_synced_at)]),
      albums: albums.rows.map((a) => [
        a.id,
        a.title,
        a.artist_id,
        a.musicbrainz_id,
        a.spotify_uri,
        a.deezer_id,
        a.upc,
        a.source,
        time(a.created_at),
        time(a.updated_at),
        time(a.last_synced_at),
      ]),
    };
  }

  function expectedRows() {
    const reference = new ReferenceProjection();
    for (const observation of churn) reference.apply(observation);
    const library = reference.library();
    const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
    return {
      artists: byId(library.artists).map((a) => [
        a.id,
        a.name,
        a.musicbrainzId,
        a.spotifyUri,
        a.deezerId,
        a.source,
        time(a.createdAt),
        time(a.updatedAt),
        time(a.lastSyncedAt),
      ]),
      albums: byId(library.albums).map((a) => [
        a.id,
        a.title,
        a.artistId,
        a.musicbrainzId,
        a.spotifyUri,
        a.deezerId,
        a.upc,
        a.source,
        time(a.createdAt),
        time(a.updatedAt),
        time(a.lastSyncedAt),
      ]),
    };
  }

  it('any interleaving and batch split gives the rows the reference projection computes from the whole set', async () => {
    const expected = expectedRows();
    // the scenario does what it says: the observed album's MusicBrainz id comes from a reference, the other album is
    // named by its latest reference
    expect(expected.albums.map((a) => [a[1], a[3]])).toEqual(
      expect.arrayContaining([
        ['Record (Remaster)', MBID_1],
        ['Only Referenced (2)', MBID_2],
      ]),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 6 }), async (seed, maxBatch) => {
        await resetProjection(client());
        for (const batch of splitRandomly(churn, seed, maxBatch)) await inTransaction(() => applyObservations(client(), batch));
        expect(await rowsOf()).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('a newer reference to an observed album recomputes it only when it changes a field the observation leaves empty', async () => {
    const albumKey = `spotify:album:${record.id}`;
    const apply = (events: KafkaEvent[]) =>
      inTransaction(async () => {
        const state = await applyState(client(), observe(events));
        await writeRows(client(), state.rows);
        return state;
      });
    const albumRow = async () => (await client().query(`select title, musicbrainz_id, updated_at from soulspot_albums`)).rows;
    const albumWrites = async () => Number((await client().query(`select count(*) from projection_changes where entity_type = 'album'`)).rows[0].count);

    // the first reference brings the MusicBrainz id the album's observation lacks (and links it: a new identity)
    await apply([
      artistEvent('spotify', band.id, 'Band', { at: at(1) }),
      albumEvent('spotify', record.id, 'Record', [band], { at: at(10) }),
      trackEvent('spotify', 'bbbbbbbbbbbbbbbbbbbbb1', 'One', [band], { album: { ...record, mbid: MBID_1 }, at: at(20) }),
    ]);
    expect(await albumRow()).toEqual([{ title: 'Record', musicbrainz_id: MBID_1, updated_at: at(10) }]);

    // a later reference without it: the gap's content changes (no identity change), so the album is recomputed
    const withoutMbid = await apply([trackEvent('spotify', 'bbbbbbbbbbbbbbbbbbbbb2', 'Two', [band], { album: { ...record, name: 'Record (Deluxe)' }, at: at(30) })]);
    expect(withoutMbid.references).toEqual({ stored: 2, relevant: 1 });
    expect(withoutMbid.rows.changes.filter((c) => c.type !== 'track')).toEqual([]);
    expect([...withoutMbid.rows.affected.album]).toHaveLength(1);
    expect(await albumRow()).toEqual([{ title: 'Record', musicbrainz_id: null, updated_at: at(10) }]);

    // later references that differ only in what the observations supply (names): state only, nothing recomputed
    const writes = await albumWrites();
    const sameGaps = await apply([
      trackEvent('spotify', 'bbbbbbbbbbbbbbbbbbbbb3', 'Three', [{ ...band, name: 'The Band' }], { album: { ...record, name: 'Record (Live)' }, at: at(35) }),
    ]);
    expect(sameGaps.references).toEqual({ stored: 2, relevant: 0 });
    expect([...sameGaps.rows.affected.album, ...sameGaps.rows.affected.artist]).toEqual([]);
    const stored = await client().query(`select ref_name, ref_observed_at from projection_entity_members where member_key = $1`, [albumKey]);
    expect(stored.rows).toEqual([{ ref_name: 'Record (Live)', ref_observed_at: at(35) }]);
    expect(await albumWrites()).toBe(writes);

    // and the id again: recomputed, filled
    const withMbid = await apply([trackEvent('spotify', 'bbbbbbbbbbbbbbbbbbbbb4', 'Four', [band], { album: { ...record, mbid: MBID_1 }, at: at(40) })]);
    expect(withMbid.references).toEqual({ stored: 2, relevant: 1 });
    expect(await albumRow()).toEqual([{ title: 'Record', musicbrainz_id: MBID_1, updated_at: at(10) }]);
  });
});
