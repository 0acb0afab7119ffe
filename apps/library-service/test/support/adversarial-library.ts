import fc from 'fast-check';
import type pg from 'pg';
import type { KafkaEvent } from '@soulspot/contracts';
import type { ProjectedLibrary } from '../../src/domain/reference-projection';
import { albumEvent, artistEvent, at, snapshotEvent, trackEvent, type P, type Ref } from './events';

/**
 * Small, collision-heavy event sets for adversarial property tests: a handful of provider ids per type, two or three
 * values per identifier (so ISRC / UPC / MusicBrainz id chains form), homonym and near-homonym artist names, four
 * observation times (so ties are frequent, broken by provider precedence then event id), identifiers that come and go
 * between re-observations of one key, references that claim identifiers for keys observed elsewhere, snapshots.
 */
const SPOTIFY = (kind: string, n: number) => `${kind}${String(n).padStart(21, '0')}`;
// local references may come without an id (then keyed by name within the local provider): the '' entries
const ARTIST_IDS: Record<P, string[]> = { spotify: [SPOTIFY('a', 0), SPOTIFY('a', 1), SPOTIFY('a', 2)], deezer: ['100', '101', '102'], local: ['la0', 'la1', ''] };
const ALBUM_IDS: Record<P, string[]> = { spotify: [SPOTIFY('b', 0), SPOTIFY('b', 1)], deezer: ['200', '201'], local: ['lb0', ''] };
const TRACK_IDS: Record<P, string[]> = { spotify: [SPOTIFY('c', 0), SPOTIFY('c', 1), SPOTIFY('c', 2)], deezer: ['300', '301', '302'], local: ['lc0', 'lc1', 'lc2'] };
const observable = (id: string, fallback: string) => id || fallback;
const NAMES = ['Nova', 'NOVA', 'Nóva', 'Echo'];
const ARTIST_MBIDS = ['00000000-0000-4000-8000-00000000a001', '00000000-0000-4000-8000-00000000a002'];
const ALBUM_MBIDS = ['00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b002'];
const TRACK_MBIDS = ['00000000-0000-4000-8000-00000000c001', '00000000-0000-4000-8000-00000000c002'];
const UPCS = ['1111111111116', '2222222222222'];
const ISRCS = ['GBXYZ2600001', 'GBXYZ2600002', 'GBXYZ2600003'];

const provider = fc.constantFrom<P>('spotify', 'deezer', 'local');
const time = fc.integer({ min: 0, max: 3 });
const maybe = <T>(values: readonly T[]) => fc.option(fc.constantFrom(...values), { nil: undefined, freq: 2 });

const artistRef = (p: P) =>
  fc.record({ idx: fc.integer({ min: 0, max: 2 }), name: fc.constantFrom(...NAMES), mbid: maybe(ARTIST_MBIDS) }).map(
    (r): Ref => ({ id: ARTIST_IDS[p][r.idx], name: r.name, mbid: r.mbid }),
  );

const artist = provider.chain((p) =>
  fc
    .record({ idx: fc.integer({ min: 0, max: 2 }), name: fc.constantFrom(...NAMES), mbid: maybe(ARTIST_MBIDS), t: time, popularity: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }) })
    .map((a) => artistEvent(p, observable(ARTIST_IDS[p][a.idx], 'la2'), a.name, { mbid: a.mbid, at: at(a.t), popularity: a.popularity })),
);

const album = provider.chain((p) =>
  fc
    .record({
      idx: fc.integer({ min: 0, max: 1 }),
      title: fc.constantFrom('Record', 'Record (Deluxe)', ''),
      upc: maybe(UPCS),
      mbid: maybe(ALBUM_MBIDS),
      artists: fc.array(artistRef(p), { minLength: 1, maxLength: 2 }),
      saved: fc.boolean(),
      t: time,
    })
    .map((a) => albumEvent(p, observable(ALBUM_IDS[p][a.idx], 'lb1'), a.title, a.artists, { upc: a.upc, mbid: a.mbid, saved: a.saved, at: at(a.t) })),
);

const track = provider.chain((p) =>
  fc
    .record({
      idx: fc.integer({ min: 0, max: 2 }),
      title: fc.constantFrom('Song', 'Song (Remix)'),
      isrc: maybe(ISRCS),
      mbid: maybe(TRACK_MBIDS),
      artists: fc.array(artistRef(p), { minLength: 1, maxLength: 2 }),
      album: fc.option(
        fc.record({ idx: fc.integer({ min: 0, max: 1 }), name: fc.constantFrom('Record', 'Other'), mbid: maybe(ALBUM_MBIDS) }),
        { nil: undefined },
      ),
      albumUpc: maybe(UPCS),
      durationMs: fc.option(fc.constantFrom(1000, 2000), { nil: undefined }),
      t: time,
    })
    .map((tr) =>
      trackEvent(p, TRACK_IDS[p][tr.idx], tr.title, tr.artists, {
        isrc: tr.isrc,
        mbid: tr.mbid,
        album: tr.album ? { id: ALBUM_IDS[p][tr.album.idx], name: tr.album.name, mbid: tr.album.mbid } : undefined,
        albumUpc: tr.album ? tr.albumUpc : undefined,
        durationMs: tr.durationMs,
        at: at(tr.t),
      }),
    ),
);

const snapshot = provider.chain((p) =>
  fc
    .record({
      listing: fc.constantFrom<'followed_artists' | 'saved_albums'>('followed_artists', 'saved_albums'),
      members: fc.subarray([0, 1, 2]),
      complete: fc.boolean(),
      t: time,
    })
    .map((s) => {
      const ids = s.listing === 'followed_artists' ? ARTIST_IDS[p] : ALBUM_IDS[p];
      const listed = s.members.filter((i) => i < ids.length && ids[i] !== '').map((i) => ids[i]);
      return snapshotEvent(p, s.listing, listed, { complete: s.complete, at: at(s.t) });
    }),
);

/** A set of nasty events, plus some of them delivered again (the same event, same id) later in the stream. */
export const adversarialEvents = (maxEvents = 24): fc.Arbitrary<KafkaEvent[]> =>
  fc
    .tuple(
      fc.array(fc.oneof({ arbitrary: track, weight: 3 }, { arbitrary: album, weight: 2 }, { arbitrary: artist, weight: 2 }, { arbitrary: snapshot, weight: 1 }), {
        minLength: 1,
        maxLength: maxEvents,
      }),
      fc.array(fc.nat(), { maxLength: 4 }),
    )
    .map(([events, again]) => [...events, ...again.map((i) => events[i % events.length])]);

const ms = (d: Date | null) => (d === null ? null : d.getTime());

/** Every projection-owned column of the three tables, ordered by id, as plain values. */
export async function ownedRows(client: Pick<pg.Client, 'query'>) {
  const artists = await client.query(
    `select id, name, spotify_uri, musicbrainz_id, deezer_id, image_url, genres, disambiguation, popularity, follower_count,
            source, last_synced_at, created_at, updated_at, is_followed, spotify_followed, deezer_followed
     from soulspot_artists order by id collate "C"`,
  );
  const albums = await client.query(
    `select id, title, artist_id, release_year, release_date, release_date_precision, spotify_uri, musicbrainz_id, deezer_id,
            upc, cover_url, album_artist, primary_type, secondary_types, total_tracks, source, last_synced_at, created_at,
            updated_at, is_saved, spotify_saved, deezer_saved
     from soulspot_albums order by id collate "C"`,
  );
  const tracks = await client.query(
    `select id, title, artist_id, album_id, duration_ms, track_number, disc_number, explicit, preview_url, spotify_uri,
            musicbrainz_id, isrc, deezer_id, source, last_synced_at, created_at, updated_at
     from soulspot_tracks order by id collate "C"`,
  );
  return {
    artists: artists.rows.map((a) => [
      a.id, a.name, a.spotify_uri, a.musicbrainz_id, a.deezer_id, a.image_url, a.genres, a.disambiguation, a.popularity,
      a.follower_count, a.source, ms(a.last_synced_at), ms(a.created_at), ms(a.updated_at), a.is_followed, a.spotify_followed,
      a.deezer_followed,
    ]),
    albums: albums.rows.map((a) => [
      a.id, a.title, a.artist_id, a.release_year, a.release_date, a.release_date_precision, a.spotify_uri, a.musicbrainz_id,
      a.deezer_id, a.upc, a.cover_url, a.album_artist, a.primary_type, a.secondary_types, a.total_tracks, a.source,
      ms(a.last_synced_at), ms(a.created_at), ms(a.updated_at), a.is_saved, a.spotify_saved, a.deezer_saved,
    ]),
    tracks: tracks.rows.map((t) => [
      t.id, t.title, t.artist_id, t.album_id, t.duration_ms, t.track_number, t.disc_number, t.explicit, t.preview_url,
      t.spotify_uri, t.musicbrainz_id, t.isrc, t.deezer_id, t.source, ms(t.last_synced_at), ms(t.created_at), ms(t.updated_at),
    ]),
  };
}

/** The reference projection's library in the shape of `ownedRows`. */
export function referenceRows(library: ProjectedLibrary) {
  const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    artists: byId(library.artists).map((a) => [
      a.id, a.name, a.spotifyUri, a.musicbrainzId, a.deezerId, a.imageUrl, a.genres, a.disambiguation, a.popularity,
      a.followerCount, a.source, ms(a.lastSyncedAt), ms(a.createdAt), ms(a.updatedAt), a.isFollowed, a.spotifyFollowed,
      a.deezerFollowed,
    ]),
    albums: byId(library.albums).map((a) => [
      a.id, a.title, a.artistId, a.releaseYear, a.releaseDate, a.releaseDatePrecision, a.spotifyUri, a.musicbrainzId,
      a.deezerId, a.upc, a.coverUrl, a.albumArtist, a.primaryType, a.secondaryTypes, a.totalTracks, a.source,
      ms(a.lastSyncedAt), ms(a.createdAt), ms(a.updatedAt), a.isSaved, a.spotifySaved, a.deezerSaved,
    ]),
    tracks: byId(library.tracks).map((t) => [
      t.id, t.title, t.artistId, t.albumId, t.durationMs, t.trackNumber, t.discNumber, t.explicit, t.previewUrl, t.spotifyUri,
      t.musicbrainzId, t.isrc, t.deezerId, t.source, ms(t.lastSyncedAt), ms(t.createdAt), ms(t.updatedAt),
    ]),
  };
}
