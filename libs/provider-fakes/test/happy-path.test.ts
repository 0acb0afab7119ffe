import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLibraries, startFakeDeezer, startFakeSpotify, type FakeDeezer, type FakeSpotify } from '../src/index';
import { deezerGet, deezerLogin, spotifyGet, spotifyLogin } from './helpers';

/**
 * A connector-style sync over both fakes with the largest page sizes: it must see exactly the expected
 * library and make exactly `minimumSyncRequests()` requests.
 */
describe('happy path: a complete, minimal sync walk over both fakes', () => {
  const libs = generateLibraries({ seed: 11, artists: 12, albumsPerArtist: 11, tracksPerAlbum: 2, savedAlbums: 7 });
  let spotify: FakeSpotify;
  let deezer: FakeDeezer;

  beforeAll(async () => {
    spotify = await startFakeSpotify({ library: libs.spotify });
    // This walk makes ~250 requests at full speed: quota enforcement has its own tests.
    deezer = await startFakeDeezer({ library: libs.deezer, faults: { quota: false, pageMaxLimit: 100 } });
  });
  afterAll(async () => {
    await spotify.close();
    await deezer.close();
  });

  it('Spotify: followed artists -> albums -> tracks (with ISRC) + saved albums', async () => {
    const { access_token } = await spotifyLogin(spotify);
    spotify.resetStats();
    const artistIds: string[] = [];
    let next: string | null = '/me/following?type=artist&limit=50';
    while (next) {
      const page = await spotifyGet(spotify, next, access_token);
      expect(page.status).toBe(200);
      artistIds.push(...page.body.artists.items.map((a: { id: string }) => a.id));
      next = page.body.artists.next;
    }
    const fullAlbums = new Map<string, any>();
    next = '/me/albums?limit=50';
    while (next) {
      const page = await spotifyGet(spotify, next, access_token);
      for (const item of page.body.items) fullAlbums.set(item.album.id, item.album);
      next = page.body.next;
    }
    const albumIds = new Set<string>(fullAlbums.keys());
    for (const id of artistIds) {
      let url: string | null = `/artists/${id}/albums?limit=10`;
      while (url) {
        const page = await spotifyGet(spotify, url, access_token);
        expect(page.status).toBe(200);
        for (const album of page.body.items) albumIds.add(album.id);
        url = page.body.next;
      }
    }
    // The first probe of a batch endpoint costs a request too; a dev-mode connector goes per id.
    expect((await spotifyGet(spotify, `/albums?ids=${[...albumIds].slice(0, 20).join(',')}`, access_token)).status).toBe(403);
    const isrcs = new Set<string>();
    const upcs = new Set<string>();
    for (const id of albumIds) {
      const album = fullAlbums.get(id) ?? (await spotifyGet(spotify, `/albums/${id}`, access_token)).body;
      upcs.add(album.external_ids.upc.padStart(13, '0'));
      for (const track of album.tracks.items) {
        const full = await spotifyGet(spotify, `/tracks/${track.id}`, access_token);
        isrcs.add(full.body.external_ids.isrc);
      }
    }
    const expected = libs.expectedUnifiedCounts().spotify;
    expect(artistIds.length).toBe(expected.followedArtists);
    expect(new Set(artistIds).size).toBe(expected.followedArtists);
    expect(albumIds.size).toBe(expected.albums);
    expect(upcs.size).toBe(expected.albums);
    expect(isrcs.size).toBe(expected.tracks);
    const minimum = spotify.minimumSyncRequests();
    expect({ ...spotify.stats().byEndpoint, 'GET /v1/albums': undefined }).toEqual({ ...minimum.byEndpoint, 'GET /v1/albums': undefined });
    expect(spotify.stats().total).toBe(minimum.total + 1);
    expect(spotify.violations()).toEqual([]);
  });

  it('Deezer: favourites -> artist albums -> full albums (UPC) + album tracks (ISRC) + saved albums', async () => {
    const token = await deezerLogin(deezer);
    deezer.resetStats();
    const list = async (first: string) => {
      const items: any[] = [];
      let next: string | undefined = first;
      while (next) {
        const page = await deezerGet(deezer, next);
        expect(page.body.error).toBeUndefined();
        items.push(...page.body.data);
        next = page.body.next;
      }
      return items;
    };
    const artists = await list(`/user/me/artists?access_token=${token}&limit=100`);
    const albumIds = new Set<number>((await list(`/user/me/albums?access_token=${token}&limit=100`)).map((a) => a.id));
    for (const artist of artists) for (const album of await list(`/artist/${artist.id}/albums?access_token=${token}&limit=100`)) albumIds.add(album.id);
    const upcs = new Set<string>();
    const isrcs = new Set<string>();
    for (const id of albumIds) {
      upcs.add((await deezerGet(deezer, `/album/${id}?access_token=${token}`)).body.upc);
      for (const track of await list(`/album/${id}/tracks?access_token=${token}&limit=100`)) isrcs.add(track.isrc);
    }
    const expected = libs.expectedUnifiedCounts().deezer;
    expect(artists.length).toBe(expected.followedArtists);
    expect(albumIds.size).toBe(expected.albums);
    expect(upcs.size).toBe(expected.albums);
    expect(isrcs.size).toBe(expected.tracks);
    expect(deezer.stats().byEndpoint).toEqual(deezer.minimumSyncRequests().byEndpoint);
    expect(deezer.violations()).toEqual([]);
  });

  it('the unified expectation matches the union of what both walks saw', () => {
    const counts = libs.expectedUnifiedCounts();
    const shared = Math.round(12 * 0.3);
    expect(counts).toMatchObject({ artists: 24 - shared, albums: (24 - shared) * 11, hybridArtists: shared, hybridAlbums: shared * 11, hybridTracks: shared * 11 * 2 });
  });
});
