import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLibraries, SPOTIFY_USER_ID, startFakeSpotify, type FakeSpotify } from '../src/index';
import { spotifyGet, spotifyLogin } from './helpers';

/** Follows `next` from `first` and returns every page body. */
async function walk(fake: FakeSpotify, token: string, first: string, unwrap: (body: any) => any = (b) => b) {
  const pages: any[] = [];
  let next: string | null = first;
  while (next) {
    const reply = await spotifyGet(fake, next, token);
    expect(reply.status).toBe(200);
    const page = unwrap(reply.body);
    pages.push(page);
    next = page.next;
  }
  return pages;
}

describe('fake Spotify Web API: paging and shapes', () => {
  const libs = generateLibraries({ seed: 21, artists: 57, albumsPerArtist: 13, tracksPerAlbum: 23, savedAlbums: 31 });
  let fake: FakeSpotify;
  let token: string;
  beforeAll(async () => {
    fake = await startFakeSpotify({ library: libs.spotify });
    token = (await spotifyLogin(fake)).access_token;
  });
  afterAll(async () => fake.close());

  it('cursor paging over /me/following visits every followed artist exactly once; offset is ignored', async () => {
    const pages = await walk(fake, token, '/me/following?type=artist&limit=7', (b) => b.artists);
    const ids = pages.flatMap((p) => p.items.map((a: any) => a.id));
    expect(ids).toEqual(libs.spotify.followedArtistIds());
    expect(pages).toHaveLength(Math.ceil(57 / 7));
    expect(pages.every((p) => p.total === 57 && p.limit === 7)).toBe(true);
    const last = pages.at(-1);
    expect(last.next).toBeNull();
    expect(last.cursors).toEqual({ after: null });
    expect(pages[0].cursors.after).toBe(pages[0].items.at(-1).id);
    expect(pages[0].next).toBe(`${fake.baseUrl}/me/following?type=artist&after=${pages[0].items.at(-1).id}&limit=7`);
    expect(pages[0]).not.toHaveProperty('offset');
    const withOffset = await spotifyGet(fake, '/me/following?type=artist&limit=7&offset=14', token);
    expect(withOffset.body.artists.items.map((a: any) => a.id)).toEqual(ids.slice(0, 7));
  });

  it('validates limit and type like the real API', async () => {
    expect((await spotifyGet(fake, '/me/following?type=artist&limit=51', token)).body).toEqual({ error: { status: 400, message: 'Invalid limit' } });
    expect((await spotifyGet(fake, '/me/following?type=artist&limit=0', token)).status).toBe(400);
    expect((await spotifyGet(fake, '/me/following', token)).status).toBe(400);
    expect((await spotifyGet(fake, '/me/albums?limit=50', token)).status).toBe(200);
  });

  it('offset paging over /me/albums returns saved albums newest first with full albums', async () => {
    const pages = await walk(fake, token, '/me/albums?limit=8');
    const items = pages.flatMap((p) => p.items);
    expect(items.map((i: any) => i.album.id)).toEqual(libs.spotify.savedAlbumIds());
    const added = items.map((i: any) => Date.parse(i.added_at));
    expect([...added].sort((a, b) => b - a)).toEqual(added);
    expect(items[0].added_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(items[0].album.tracks.items).toHaveLength(23);
    expect(pages[1].previous).toBe(`${fake.baseUrl}/me/albums?offset=0&limit=8`);
  });

  it('artist albums: dev-mode limit cap of 10, include_groups filter, offset paging', async () => {
    const artist = libs.spotify.idOf('artist', 3) as string;
    expect((await spotifyGet(fake, `/artists/${artist}/albums?limit=11`, token)).body).toEqual({ error: { status: 400, message: 'Invalid limit' } });
    const defaults = await spotifyGet(fake, `/artists/${artist}/albums`, token);
    expect(defaults.body.limit).toBe(5);
    const pages = await walk(fake, token, `/artists/${artist}/albums?limit=10`);
    expect(pages.map((p) => p.items.length)).toEqual([10, 3]);
    const all = pages.flatMap((p) => p.items);
    expect(new Set(all.map((a: any) => a.id)).size).toBe(13);
    expect(all.every((a: any) => !('album_group' in a) && !('available_markets' in a))).toBe(true);
    const albumsOnly = await walk(fake, token, `/artists/${artist}/albums?limit=10&include_groups=album`);
    const onlyAlbums = albumsOnly.flatMap((p) => p.items);
    expect(onlyAlbums.every((a: any) => a.album_type === 'album')).toBe(true);
    expect(onlyAlbums.length).toBe(all.filter((a: any) => a.album_type === 'album').length);
    expect(albumsOnly[0].href).toContain('include_groups=album');
  });

  it('album tracks page through /albums/{id}/tracks; full tracks carry the ISRC', async () => {
    const album = libs.spotify.idOf('album', 40) as string;
    const pages = await walk(fake, token, `/albums/${album}/tracks?limit=10`);
    expect(pages.map((p) => p.items.length)).toEqual([10, 10, 3]);
    const tracks = pages.flatMap((p) => p.items);
    expect(tracks.map((t: any) => t.id)).toEqual(Array.from({ length: 23 }, (_, i) => libs.spotify.idOf('track', 40 * 23 + i)));
    expect(tracks[0]).not.toHaveProperty('external_ids');
    const full = await spotifyGet(fake, `/tracks/${tracks[0].id}`, token);
    expect(full.body.external_ids.isrc).toBe(libs.spotify.canonicalTrack(40 * 23).isrc);
    expect(full.body.album.id).toBe(album);
    expect(full.body).not.toHaveProperty('popularity');
  });

  it('full album shape: UPC (12 or 13 digits), release date precision, embedded first tracks page', async () => {
    let twelve = 0;
    let thirteen = 0;
    const precisions = new Set<string>();
    for (let a = 0; a < 120; a++) {
      const reply = await spotifyGet(fake, `/albums/${libs.spotify.idOf('album', a)}`, token);
      const album = reply.body;
      const canonical = libs.spotify.canonicalAlbum(a);
      expect(album.external_ids.upc.padStart(13, '0')).toBe(canonical.barcode.padStart(13, '0'));
      if (album.external_ids.upc.length === 12) twelve++;
      else thirteen++;
      precisions.add(album.release_date_precision);
      const expectedDate = { year: /^\d{4}$/, month: /^\d{4}-\d\d$/, day: /^\d{4}-\d\d-\d\d$/ }[album.release_date_precision as 'year'];
      expect(album.release_date).toMatch(expectedDate);
      expect(album.genres).toEqual([]);
      expect(album).not.toHaveProperty('label');
      expect(album).not.toHaveProperty('popularity');
      expect(album.tracks).toMatchObject({ offset: 0, limit: 50, total: 23, next: null });
      expect(album.copyrights[0]).toMatchObject({ type: 'C' });
    }
    expect(twelve).toBeGreaterThan(0);
    expect(thirteen).toBeGreaterThan(0);
    expect(precisions).toEqual(new Set(['year', 'month', 'day']));
  });

  it('artists: dev mode strips followers/popularity but keeps genres and images', async () => {
    const reply = await spotifyGet(fake, `/artists/${libs.spotify.idOf('artist', 0)}`, token);
    expect(Object.keys(reply.body).sort()).toEqual(['external_urls', 'genres', 'href', 'id', 'images', 'name', 'type', 'uri']);
    expect(reply.body.uri).toBe(`spotify:artist:${reply.body.id}`);
    expect(reply.body.href).toBe(`${fake.baseUrl}/artists/${reply.body.id}`);
  });

  it('/me: the current user without the fields dev mode removed', async () => {
    const me = await spotifyGet(fake, '/me', token);
    expect(me.body).toMatchObject({ id: SPOTIFY_USER_ID, type: 'user', uri: `spotify:user:${SPOTIFY_USER_ID}`, account_id: expect.any(String) });
    expect(me.body).not.toHaveProperty('email');
    expect(me.body).not.toHaveProperty('product');
  });

  it('bad and unknown ids: 400 Invalid base62 id, 404 non existing id', async () => {
    expect((await spotifyGet(fake, '/albums/not!valid', token)).body).toEqual({ error: { status: 400, message: 'Invalid base62 id' } });
    const unknown = await spotifyGet(fake, `/albums/${'0'.repeat(22)}`, token);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { status: 404, message: 'non existing id' } });
    // An artist id is not an album id.
    expect((await spotifyGet(fake, `/albums/${libs.spotify.idOf('artist', 1)}`, token)).status).toBe(404);
  });

  it('batch endpoints are 403 for a Development-Mode app', async () => {
    for (const path of ['/artists?ids=', '/albums?ids=', '/tracks?ids=']) {
      const reply = await spotifyGet(fake, `${path}${libs.spotify.idOf('artist', 0)}`, token);
      expect(reply.status).toBe(403);
      expect(reply.body.error.status).toBe(403);
    }
  });

  it('batch endpoints can be removed with a 404 instead', async () => {
    fake.setFaults({ batchEndpointsRemovedStatus: 404 });
    try {
      for (const path of ['/artists?ids=', '/albums?ids=', '/tracks?ids=']) {
        const reply = await spotifyGet(fake, `${path}${libs.spotify.idOf('artist', 0)}`, token);
        expect(reply.status).toBe(404);
        expect(reply.body).toEqual({ error: { status: 404, message: 'Service not found' } });
      }
    } finally {
      fake.setFaults({ batchEndpointsRemovedStatus: null });
    }
    expect((await spotifyGet(fake, `/tracks?ids=${libs.spotify.idOf('track', 0)}`, token)).status).toBe(403);
  });

  it('a taken-down album keeps its place everywhere but its name is ""', async () => {
    const album = String(libs.spotify.savedAlbumIds()[0]);
    const trackOfAlbum = String(libs.spotify.idOf('track', libs.spotify.indexOf('album', album)! * 23));
    fake.setFaults({ takenDownAlbums: [album] });
    try {
      expect((await spotifyGet(fake, `/albums/${album}`, token)).body).toMatchObject({ id: album, name: '' });
      expect((await spotifyGet(fake, `/tracks/${trackOfAlbum}`, token)).body.album).toMatchObject({ id: album, name: '' });
      const saved = (await walk(fake, token, '/me/albums?limit=50')).flatMap((page) => page.items.map((item: any) => item.album));
      expect(saved.find((a: any) => a.id === album)).toMatchObject({ name: '' });
      expect(saved.filter((a: any) => a.name === '')).toHaveLength(1);
    } finally {
      fake.setFaults({ takenDownAlbums: null });
    }
    expect((await spotifyGet(fake, `/albums/${album}`, token)).body.name).not.toBe('');
  });

  it('unfollowing shows in the next listing and its total', async () => {
    const victim = libs.spotify.idOf('artist', 5);
    libs.spotify.unfollowArtist(victim);
    try {
      const pages = await walk(fake, token, '/me/following?type=artist&limit=50', (b) => b.artists);
      const ids = pages.flatMap((p) => p.items.map((a: any) => a.id));
      expect(ids).toHaveLength(56);
      expect(ids).not.toContain(victim);
      expect(pages[0].total).toBe(56);
    } finally {
      libs.spotify.followArtist(victim);
    }
  });
});

describe('fake Spotify Web API: extended-quota app profile', () => {
  const libs = generateLibraries({ seed: 22, artists: 5, albumsPerArtist: 30, tracksPerAlbum: 2 });
  let fake: FakeSpotify;
  let token: string;
  beforeAll(async () => {
    fake = await startFakeSpotify({ library: libs.spotify, devMode: false });
    token = (await spotifyLogin(fake)).access_token;
  });
  afterAll(async () => fake.close());

  it('returns the fields dev mode strips and accepts artist-albums limit 50', async () => {
    const artist = await spotifyGet(fake, `/artists/${libs.spotify.idOf('artist', 0)}`, token);
    expect(artist.body.followers).toEqual({ href: null, total: expect.any(Number) });
    expect(artist.body.popularity).toEqual(expect.any(Number));
    const albums = await spotifyGet(fake, `/artists/${libs.spotify.idOf('artist', 0)}/albums?limit=50`, token);
    expect(albums.body.items).toHaveLength(30);
    expect(albums.body.items[0].album_group).toBe(albums.body.items[0].album_type);
    const album = await spotifyGet(fake, `/albums/${libs.spotify.idOf('album', 0)}`, token);
    expect(album.body.label).toEqual(expect.any(String));
    expect(album.body.available_markets).toEqual(expect.any(Array));
  });

  it('batch endpoints answer in request order with null for unknown ids and enforce their maxima', async () => {
    const ids = [libs.spotify.idOf('album', 2), '0'.repeat(22), libs.spotify.idOf('album', 1)];
    const reply = await spotifyGet(fake, `/albums?ids=${ids.join(',')}`, token);
    expect(reply.body.albums.map((a: any) => a?.id ?? null)).toEqual([ids[0], null, ids[2]]);
    const tooMany = Array.from({ length: 21 }, (_, i) => libs.spotify.idOf('album', i)).join(',');
    expect((await spotifyGet(fake, `/albums?ids=${tooMany}`, token)).status).toBe(400);
    const tracks = Array.from({ length: 50 }, (_, i) => libs.spotify.idOf('track', i)).join(',');
    const fifty = await spotifyGet(fake, `/tracks?ids=${tracks}`, token);
    expect(fifty.body.tracks).toHaveLength(50);
    expect(fifty.body.tracks[49].external_ids.isrc).toBe(libs.spotify.canonicalTrack(49).isrc);
    expect(fake.stats().byEndpoint['GET /v1/tracks']).toBe(1);
  });
});
