import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLibraries, startFakeDeezer, startFakeSpotify, type FakeDeezer, type FakeSpotify } from '../src/index';
import { deezerGet, deezerLogin, spotifyGet, spotifyLogin } from './helpers';

describe('happy path: a connector-style walk over both fakes', () => {
  const libs = generateLibraries({ seed: 11, artists: 23, albumsPerArtist: 3, tracksPerAlbum: 4, savedAlbums: 7 });
  let spotify: FakeSpotify;
  let deezer: FakeDeezer;

  beforeAll(async () => {
    spotify = await startFakeSpotify({ library: libs.spotify });
    // This walk makes ~95 requests at full speed: quota enforcement has its own tests.
    deezer = await startFakeDeezer({ library: libs.deezer, faults: { quota: false } });
  });
  afterAll(async () => {
    await spotify.close();
    await deezer.close();
  });

  it('Spotify: followed artists -> albums -> tracks (with ISRC) match the expected counts', async () => {
    const { access_token } = await spotifyLogin(spotify);
    const artistIds: string[] = [];
    let next: string | null = '/me/following?type=artist&limit=10';
    while (next) {
      const page = await spotifyGet(spotify, next, access_token);
      expect(page.status).toBe(200);
      artistIds.push(...page.body.artists.items.map((a: { id: string }) => a.id));
      next = page.body.artists.next;
    }
    const albumIds = new Set<string>();
    for (const id of artistIds) {
      let url: string | null = `/artists/${id}/albums?limit=10`;
      while (url) {
        const page = await spotifyGet(spotify, url, access_token);
        expect(page.status).toBe(200);
        for (const album of page.body.items) albumIds.add(album.id);
        url = page.body.next;
      }
    }
    const isrcs = new Set<string>();
    for (const id of albumIds) {
      const album = await spotifyGet(spotify, `/albums/${id}`, access_token);
      expect(album.body.external_ids.upc).toMatch(/^\d{12,13}$/);
      for (const track of album.body.tracks.items) {
        const full = await spotifyGet(spotify, `/tracks/${track.id}`, access_token);
        isrcs.add(full.body.external_ids.isrc);
      }
    }
    const expected = libs.expectedUnifiedCounts().spotify;
    expect(artistIds.length).toBe(expected.followedArtists);
    expect(new Set(artistIds).size).toBe(expected.followedArtists);
    expect(albumIds.size).toBe(expected.albums);
    expect(isrcs.size).toBe(expected.tracks);
    expect(spotify.violations()).toEqual([]);
  });

  it('Deezer: favourites -> artist albums -> album tracks match the expected counts', async () => {
    const token = await deezerLogin(deezer);
    const artistIds: number[] = [];
    let next: string | undefined = `/user/me/artists?access_token=${token}&limit=10`;
    while (next) {
      const page = await deezerGet(deezer, next);
      expect(page.body.error).toBeUndefined();
      artistIds.push(...page.body.data.map((a: { id: number }) => a.id));
      next = page.body.next;
    }
    const albumIds = new Set<number>();
    for (const id of artistIds) {
      const page = await deezerGet(deezer, `/artist/${id}/albums?access_token=${token}`);
      for (const album of page.body.data) albumIds.add(album.id);
    }
    const isrcs = new Set<string>();
    for (const id of albumIds) {
      const page = await deezerGet(deezer, `/album/${id}/tracks?access_token=${token}`);
      for (const track of page.body.data) isrcs.add(track.isrc);
    }
    const expected = libs.expectedUnifiedCounts().deezer;
    expect(artistIds.length).toBe(expected.followedArtists);
    expect(albumIds.size).toBe(expected.albums);
    expect(isrcs.size).toBe(expected.tracks);
    expect(deezer.violations()).toEqual([]);
  });
});
