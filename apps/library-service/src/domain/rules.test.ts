import { describe, expect, it } from 'vitest';
import { decodeEnvelope, type KafkaEvent } from '@soulspot/contracts';
import { albumEvent, artistEvent, at, snapshotEvent, trackEvent } from '../../test/support/events';
import { toObservation } from './from-envelope';
import { entityIdFor } from './identity-keys';
import { ReferenceProjection } from './reference-projection';

function project(events: KafkaEvent[]) {
  const projection = new ReferenceProjection();
  for (const event of events) projection.apply(toObservation(decodeEnvelope(event.value)));
  return projection.library();
}

const beyonceSpotify = { id: '6vWDO969PvNqNYHIOW5v0m', name: 'Beyoncé' };
const beyonceDeezer = { id: '145', name: 'Beyonce' };

describe('identity resolution and merge (architecture §4)', () => {
  it('Spotify track then Deezer track with the same ISRC -> one hybrid track', () => {
    const lib = project([
      trackEvent('spotify', '0ZG7TNrLVxkmNeNNaoy9Yn', 'Halo', [beyonceSpotify], { isrc: 'USSM10803999', at: at(1) }),
      trackEvent('deezer', '3135556', 'Halo', [beyonceDeezer], { isrc: 'USSM10803999', at: at(2) }),
    ]);
    expect(lib.tracks).toHaveLength(1);
    expect(lib.tracks[0]).toMatchObject({
      source: 'hybrid',
      isrc: 'USSM10803999',
      spotifyUri: 'spotify:track:0ZG7TNrLVxkmNeNNaoy9Yn',
      deezerId: '3135556',
    });
    // the shared ISRC plus the same normalized name is evidence that the two artists are one
    expect(lib.artists).toHaveLength(1);
    expect(lib.artists[0]).toMatchObject({ source: 'hybrid', spotifyUri: 'spotify:artist:6vWDO969PvNqNYHIOW5v0m', deezerId: '145' });
    expect(lib.tracks[0].artistId).toBe(lib.artists[0].id);
  });

  it('Deezer album and Spotify album with the same UPC -> one album; their same-named artists -> one artist with both ids', () => {
    const lib = project([
      albumEvent('deezer', '302127', 'Discovery', [{ id: '27', name: 'Daft Punk' }], { upc: '724384960650', at: at(1) }),
      albumEvent('spotify', '2noRn2Aes5aoNVsU6iWThc', 'Discovery', [{ id: '4tZwfgrHOc3mvqYlEYSvVi', name: 'DAFT PUNK' }], {
        upc: '0724384960650',
        at: at(2),
      }),
    ]);
    expect(lib.albums).toHaveLength(1);
    expect(lib.albums[0]).toMatchObject({
      source: 'hybrid',
      upc: '0724384960650',
      spotifyUri: 'spotify:album:2noRn2Aes5aoNVsU6iWThc',
      deezerId: '302127',
    });
    expect(lib.artists).toHaveLength(1);
    expect(lib.artists[0]).toMatchObject({
      spotifyUri: 'spotify:artist:4tZwfgrHOc3mvqYlEYSvVi',
      deezerId: '27',
      source: 'hybrid',
      name: 'DAFT PUNK',
    });
    expect(lib.albums[0].artistId).toBe(lib.artists[0].id);
  });

  it('two different artists with the same name and no shared release stay two', () => {
    const lib = project([
      artistEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaaa', 'Nirvana', { at: at(1) }),
      artistEvent('deezer', '1', 'Nirvana', { at: at(1) }),
      albumEvent('spotify', 'bbbbbbbbbbbbbbbbbbbbbb', 'Nevermind', [{ id: 'aaaaaaaaaaaaaaaaaaaaaa', name: 'Nirvana' }], {
        upc: '0720642442524',
      }),
      albumEvent('deezer', '2', 'Local Anaesthetic', [{ id: '1', name: 'Nirvana' }], { upc: '5013929800120' }),
    ]);
    expect(lib.artists).toHaveLength(2);
    expect(lib.artists.map((a) => a.source).sort()).toEqual(['deezer', 'spotify']);
    expect(lib.albums).toHaveLength(2);
  });

  it('"&" and "and" are one spelling: the same artist on two providers merges through a shared UPC', () => {
    const lib = project([
      albumEvent('spotify', 'oooooooooooooooooooooo', 'Bridge over Troubled Water', [{ id: 'pppppppppppppppppppppp', name: 'Simon & Garfunkel' }], {
        upc: '0074640914829',
      }),
      albumEvent('deezer', '700', 'Bridge Over Troubled Water', [{ id: '70', name: 'Simon and Garfunkel' }], { upc: '0074640914829' }),
    ]);
    expect(lib.albums).toHaveLength(1);
    expect(lib.artists).toHaveLength(1);
    expect(lib.artists[0]).toMatchObject({ spotifyUri: 'spotify:artist:pppppppppppppppppppppp', deezerId: '70', source: 'hybrid' });
  });

  it('local artists tagged "Simon & Garfunkel" and "Simon and Garfunkel" keep their name keys (and ids); a shared ISRC merges them', () => {
    const boxer = trackEvent('local', '/music/a.flac', 'The Boxer', [{ id: '', name: 'Simon & Garfunkel' }], { isrc: 'USSM16900001' });
    const apart = project([boxer, trackEvent('local', '/music/b.flac', 'Cecilia', [{ id: '', name: 'Simon and Garfunkel' }])]);
    expect(apart.artists).toHaveLength(2);
    expect(apart.artists.map((a) => a.id).sort()).toEqual(
      [entityIdFor('artist', 'local:artist:name:simon and garfunkel'), entityIdFor('artist', 'local:artist:name:simon garfunkel')].sort(),
    );
    const merged = project([boxer, trackEvent('local', '/music/c.flac', 'The Boxer', [{ id: '', name: 'Simon and Garfunkel' }], { isrc: 'USSM16900001' })]);
    expect(merged.tracks).toHaveLength(1);
    expect(merged.artists).toHaveLength(1);
  });

  it("a track's album UPC is no artist evidence: homonyms on one compilation stay apart", () => {
    // the track event does not say who the album's artist is (parentKey is just the track's primary artist), and a
    // compilation shares one UPC among many artists: two different "Nirvana"s on it must not become one
    const compilation = { id: 'qqqqqqqqqqqqqqqqqqqqqq', name: 'Grunge & Beyond' };
    const lib = project([
      trackEvent('spotify', 'rrrrrrrrrrrrrrrrrrrrrr', 'Lithium', [{ id: 'ssssssssssssssssssssss', name: 'Nirvana' }], {
        album: compilation,
        albumUpc: '0074640914829',
        isrc: 'USGF19100001',
      }),
      trackEvent('spotify', 'uuuuuuuuuuuuuuuuuuuuuu', 'Rainbow Chaser', [{ id: 'vvvvvvvvvvvvvvvvvvvvvv', name: 'Nirvana' }], {
        album: compilation,
        albumUpc: '0074640914829',
        isrc: 'GBAAA6800001',
      }),
      trackEvent('deezer', '800', 'Rainbow Chaser (Remastered)', [{ id: '80', name: 'NIRVANA' }], {
        album: { id: '801', name: 'Grunge & Beyond' },
        albumUpc: '74640914829',
        isrc: 'GBAAA6800002',
      }),
    ]);
    expect(lib.albums).toHaveLength(1);
    expect(lib.artists).toHaveLength(3);
  });

  it('a shared release alone does not merge artists whose names differ', () => {
    const lib = project([
      trackEvent('spotify', 'cccccccccccccccccccccc', 'Song', [{ id: 'dddddddddddddddddddddd', name: 'Artist A' }], { isrc: 'GBAYE0000001' }),
      trackEvent('deezer', '9', 'Song', [{ id: '8', name: 'Artist B' }], { isrc: 'GBAYE0000001' }),
    ]);
    expect(lib.tracks).toHaveLength(1);
    expect(lib.artists).toHaveLength(2);
  });

  it('an older observation arriving after a newer one changes nothing', () => {
    const newer = artistEvent('spotify', 'eeeeeeeeeeeeeeeeeeeeee', 'New Name', { at: at(10), popularity: 80 });
    const older = artistEvent('spotify', 'eeeeeeeeeeeeeeeeeeeeee', 'Old Name', { at: at(5), popularity: 20 });
    expect(project([newer, older])).toEqual(project([newer]));
    expect(project([newer, older]).artists[0]).toMatchObject({ name: 'New Name', popularity: 80 });
  });

  it('a provider that lacks a field does not erase it', () => {
    const lib = project([
      artistEvent('spotify', 'ffffffffffffffffffffff', 'Massive Attack', {
        at: at(1),
        genres: ['trip hop'],
        popularity: 70,
        imageUrl: 'https://i.scdn.co/image/ma',
        mbid: '10adbe5e-a2c0-4bf3-8249-2b4cbf6e6ca8',
      }),
      // later Deezer observation of the same artist (same MBID): no genres, no popularity, no image
      artistEvent('deezer', '33', 'Massive Attack', { at: at(2), followers: 1000, mbid: '10adbe5e-a2c0-4bf3-8249-2b4cbf6e6ca8' }),
    ]);
    expect(lib.artists).toHaveLength(1);
    expect(lib.artists[0]).toMatchObject({
      genres: JSON.stringify(['trip hop']),
      popularity: 70,
      imageUrl: 'https://i.scdn.co/image/ma',
      followerCount: 1000,
      musicbrainzId: '10adbe5e-a2c0-4bf3-8249-2b4cbf6e6ca8',
      source: 'hybrid',
      lastSyncedAt: at(2),
    });
  });

  it('equal observation times fall back to provider precedence (spotify over deezer)', () => {
    const lib = project([
      trackEvent('deezer', '11', 'Title (Deezer)', [beyonceDeezer], { isrc: 'USSM10803998', at: at(3) }),
      trackEvent('spotify', 'gggggggggggggggggggggg', 'Title (Spotify)', [beyonceSpotify], { isrc: 'USSM10803998', at: at(3) }),
    ]);
    expect(lib.tracks[0].title).toBe('Title (Spotify)');
  });

  it('ids come from the best identity key and do not depend on event order', () => {
    const events = [
      trackEvent('spotify', 'hhhhhhhhhhhhhhhhhhhhhh', 'A', [beyonceSpotify], { isrc: 'USSM10800001', at: at(1) }),
      trackEvent('deezer', '12', 'A', [beyonceDeezer], { isrc: 'USSM10800001', at: at(2) }),
      artistEvent('deezer', '145', 'Beyoncé', { at: at(3), mbid: '859d0860-d480-4efd-970c-c05d5f1776b8' }),
    ];
    const forward = project(events);
    expect(project([...events].reverse())).toEqual(forward);
    expect(project([events[1], events[2], events[0]])).toEqual(forward);
  });

  it("a track without a title takes another provider's title, never erases it, and is '' when no one states one", () => {
    const untitled = trackEvent('local', '/music/untitled.flac', '', [{ id: '', name: 'Beyoncé' }], { isrc: 'USSM10803997', at: at(5) });
    const alone = project([untitled]);
    expect(alone.tracks).toHaveLength(1);
    expect(alone.tracks[0]).toMatchObject({ title: '', isrc: 'USSM10803997', source: 'local' });
    const titled = trackEvent('spotify', 'nnnnnnnnnnnnnnnnnnnnnn', 'Halo', [beyonceSpotify], { isrc: 'USSM10803997', at: at(1) });
    const merged = project([titled, untitled]);
    expect(merged.tracks).toHaveLength(1);
    expect(merged.tracks[0]).toMatchObject({ title: 'Halo', source: 'hybrid', lastSyncedAt: at(5) });
    expect(project([untitled, titled])).toEqual(merged);
  });

  it('entities referenced before their own events exist as rows (an album from a track reference)', () => {
    const lib = project([
      trackEvent('spotify', 'iiiiiiiiiiiiiiiiiiiiii', 'One More Time', [{ id: '4tZwfgrHOc3mvqYlEYSvVi', name: 'Daft Punk' }], {
        album: { id: '2noRn2Aes5aoNVsU6iWThc', name: 'Discovery' },
      }),
    ]);
    expect(lib.albums).toHaveLength(1);
    expect(lib.albums[0]).toMatchObject({ title: 'Discovery', spotifyUri: 'spotify:album:2noRn2Aes5aoNVsU6iWThc', lastSyncedAt: null });
    expect(lib.tracks[0].albumId).toBe(lib.albums[0].id);
    expect(lib.albums[0].artistId).toBe(lib.artists[0].id);
  });

  it('complete snapshots flag unfollowed artists per provider; incomplete ones never clear', () => {
    const base = [
      artistEvent('spotify', 'jjjjjjjjjjjjjjjjjjjjjj', 'Followed', { at: at(0) }),
      artistEvent('spotify', 'kkkkkkkkkkkkkkkkkkkkkk', 'Unfollowed', { at: at(0) }),
      snapshotEvent('spotify', 'followed_artists', ['jjjjjjjjjjjjjjjjjjjjjj', 'kkkkkkkkkkkkkkkkkkkkkk'], { at: at(1) }),
    ];
    const followed = (lib: ReturnType<typeof project>) =>
      Object.fromEntries(lib.artists.map((a) => [a.name, [a.isFollowed, a.spotifyFollowed, a.deezerFollowed]]));
    expect(followed(project(base))).toEqual({ Followed: [true, true, false], Unfollowed: [true, true, false] });
    const partial = snapshotEvent('spotify', 'followed_artists', ['jjjjjjjjjjjjjjjjjjjjjj'], { at: at(2), complete: false });
    expect(followed(project([...base, partial]))).toEqual({ Followed: [true, true, false], Unfollowed: [true, true, false] });
    const complete = snapshotEvent('spotify', 'followed_artists', ['jjjjjjjjjjjjjjjjjjjjjj'], { at: at(3) });
    const after = project([...base, complete]);
    expect(followed(after)).toEqual({ Followed: [true, true, false], Unfollowed: [false, false, false] });
    expect(after.artists).toHaveLength(2); // flagged, not deleted
    expect(project([complete, ...base])).toEqual(after);
  });

  it('saved albums: the saved flag of album events and snapshots', () => {
    const saved = albumEvent('deezer', '500', 'Saved', [{ id: '1', name: 'X' }], { saved: true, at: at(1) });
    expect(project([saved]).albums[0]).toMatchObject({ isSaved: true, deezerSaved: true, spotifySaved: false });
    const unsaved = snapshotEvent('deezer', 'saved_albums', [], { at: at(2) });
    expect(project([saved, unsaved]).albums[0]).toMatchObject({ isSaved: false, deezerSaved: false });
  });

  it('merging through a MusicBrainz id keeps one row whose id is derived from the mbid', () => {
    const lib = project([
      albumEvent('spotify', 'llllllllllllllllllllll', 'OK Computer', [{ id: 'mmmmmmmmmmmmmmmmmmmmmm', name: 'Radiohead' }], {
        mbid: 'b1392450-e666-3926-a536-22c65f834433',
      }),
      albumEvent('deezer', '600', 'OK Computer', [{ id: '399', name: 'Radiohead' }], { mbid: 'B1392450-E666-3926-A536-22C65F834433' }),
    ]);
    expect(lib.albums).toHaveLength(1);
    expect(lib.albums[0].musicbrainzId).toBe('b1392450-e666-3926-a536-22c65f834433');
    // no UPC/ISRC: an mbid-merged album is not evidence for its artists (never merge artists on name alone)
    expect(lib.artists).toHaveLength(2);
  });
});

describe('references are weaker evidence than observations (merge.ts, candidatesOf)', () => {
  const band = { id: '0TnOYISbd1XYRBk9myaseg', name: 'Band' };
  const album = { id: '1DFixLWuPkv3KT3TnV35m3', name: 'Record' };
  const albumObserved = (opts: { at: Date; mbid?: string; upc?: string }) => albumEvent('spotify', album.id, album.name, [band], opts);
  const trackOn = (id: string, albumRef: { id: string; name: string; mbid?: string }, minutes: number, provider: 'spotify' | 'deezer' = 'spotify') =>
    trackEvent(provider, id, `Track ${id}`, [provider === 'spotify' ? band : { id: '9', name: 'Band' }], {
      album: albumRef,
      albumUpc: provider === 'deezer' ? '0724384960650' : undefined,
      at: at(minutes),
    });

  it("a newer track's reference does not move its observed album's title, times or last sync", () => {
    const lib = project([albumObserved({ at: at(1) }), trackOn('tttttttttttttttttttttt', { ...album, name: 'Record (Deluxe)' }, 5)]);
    expect(lib.albums).toHaveLength(1);
    expect(lib.albums[0]).toMatchObject({ title: 'Record', createdAt: at(1), updatedAt: at(1), lastSyncedAt: at(1) });
  });

  it('an album known only through references takes the latest reference, and its times from it', () => {
    const lib = project([
      trackOn('uuuuuuuuuuuuuuuuuuuuuu', { ...album, name: 'Record' }, 2),
      trackOn('vvvvvvvvvvvvvvvvvvvvvv', { ...album, name: 'Record (2)' }, 7),
    ]);
    // (the state keeps the greatest reference per provider key, as it keeps the latest observation)
    expect(lib.albums[0]).toMatchObject({ title: 'Record (2)', createdAt: at(7), updatedAt: at(7), lastSyncedAt: null });
  });

  it("a reference fills a field no observation supplies, never one an observation does (the album's MusicBrainz id)", () => {
    const fromTrack = '5b11f4ce-a62d-471e-81fc-a69a8278c7da';
    const filled = project([albumObserved({ at: at(1) }), trackOn('wwwwwwwwwwwwwwwwwwwwww', { ...album, mbid: fromTrack }, 5)]);
    expect(filled.albums[0].musicbrainzId).toBe(fromTrack);
    const own = 'b1392450-e666-3926-a536-22c65f834433';
    const kept = project([albumObserved({ at: at(1), mbid: own }), trackOn('wwwwwwwwwwwwwwwwwwwwww', { ...album, mbid: fromTrack }, 5)]);
    expect(kept.albums[0].musicbrainzId).toBe(own);
  });

  it("a newer reference to another provider's key of the same album does not beat the observation", () => {
    const lib = project([
      albumObserved({ at: at(1), upc: '724384960650' }),
      trackOn('123', { id: '302127', name: 'Record (Deezer spelling)' }, 9, 'deezer'),
    ]);
    expect(lib.albums).toHaveLength(1);
    // the Deezer key is known from the reference: it contributes its id and the source, not the title or the times
    expect(lib.albums[0]).toMatchObject({ title: 'Record', deezerId: '302127', source: 'hybrid', updatedAt: at(1), lastSyncedAt: at(1) });
  });

  it('the latest reference to an observed album still supplies the gaps, dated by the observation, in any order', () => {
    const first = '5b11f4ce-a62d-471e-81fc-a69a8278c7da';
    const events = [
      albumObserved({ at: at(3) }),
      trackOn('xxxxxxxxxxxxxxxxxxxxxx', { ...album, mbid: first }, 2),
      trackOn('yyyyyyyyyyyyyyyyyyyyyy', { ...album, name: 'Record (Deluxe)' }, 8),
    ];
    const forward = project(events);
    // the greatest reference (at 8) has no MusicBrainz id: the album's column follows it
    expect(forward.albums[0]).toMatchObject({ title: 'Record', musicbrainzId: null, updatedAt: at(3) });
    expect(project([...events].reverse())).toEqual(forward);
    expect(project([events[1], events[0], events[2]])).toEqual(forward);
  });
});
