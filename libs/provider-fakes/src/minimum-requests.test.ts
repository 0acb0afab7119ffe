import { describe, expect, it } from 'vitest';
import { generateLibraries } from './generator/generate';
import { deezerMinimumRequests, spotifyMinimumRequests } from './minimum-requests';

describe('minimum sync requests', () => {
  it('Spotify dev mode at benchmark scale: per-id albums and tracks, 10-album artist pages', () => {
    const libs = generateLibraries({ seed: 1, artists: 2000, albumsPerArtist: 10, tracksPerAlbum: 12, savedAlbums: 500 });
    const minimum = spotifyMinimumRequests(libs.spotify, { artistAlbumsMaxLimit: 10, batchEndpointsForbidden: true });
    expect(minimum.byEndpoint).toEqual({
      'GET /v1/me/following': 40,
      'GET /v1/me/albums': 10,
      'GET /v1/artists/{id}/albums': 2000,
      'GET /v1/albums/{id}': 19_500,
      'GET /v1/tracks/{id}': 240_000,
    });
    expect(minimum.total).toBe(40 + 10 + 2000 + 19_500 + 240_000);
  });

  it('Spotify extended mode uses the batch endpoints; albums over 50 tracks need extra track pages', () => {
    const libs = generateLibraries({ seed: 2, artists: 10, albumsPerArtist: 3, tracksPerAlbum: 60, savedAlbums: 0 });
    expect(spotifyMinimumRequests(libs.spotify, { artistAlbumsMaxLimit: 50, batchEndpointsForbidden: false }).byEndpoint).toEqual({
      'GET /v1/me/following': 1,
      'GET /v1/me/albums': 1,
      'GET /v1/artists/{id}/albums': 10,
      'GET /v1/albums': 2,
      'GET /v1/albums/{id}/tracks': 30,
      'GET /v1/tracks': 36,
    });
  });

  it('Deezer: one full album and one track list per album, pages as large as allowed; unfollows count', () => {
    const libs = generateLibraries({ seed: 3, artists: 250, albumsPerArtist: 4, tracksPerAlbum: 30, savedAlbums: 30 });
    libs.deezer.unfollowArtist(libs.deezer.idOf('artist', 0));
    expect(deezerMinimumRequests(libs.deezer, { pageMaxLimit: 25 }).byEndpoint).toEqual({
      'GET /user/me/artists': 10,
      'GET /user/me/albums': 2,
      'GET /artist/{id}/albums': 249,
      'GET /album/{id}': 249 * 4 + [0, 1, 2, 3].filter((k) => libs.deezer.isSaved(k)).length,
      'GET /album/{id}/tracks': 2 * (249 * 4 + [0, 1, 2, 3].filter((k) => libs.deezer.isSaved(k)).length),
    });
  });
});
