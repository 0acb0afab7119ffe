import type { ProviderLibrary } from './generator/provider-library';

/**
 * The fewest requests a complete sync of the CURRENT library can make, given the page sizes the fake
 * allows — the denominator of the connector benchmark's "requests made vs minimum" ratio.
 * Assumed sync (issue 6): followed artists -> each artist's albums -> full albums (UPC) and tracks
 * (ISRC), plus saved albums; every album fetched once even if several lists mention it.
 */
export interface MinimumRequests {
  total: number;
  byEndpoint: Record<string, number>;
}

const pages = (items: number, pageSize: number) => Math.max(1, Math.ceil(items / pageSize));

function finish(byEndpoint: Record<string, number>): MinimumRequests {
  for (const key of Object.keys(byEndpoint)) if (byEndpoint[key] === 0) delete byEndpoint[key];
  return { total: Object.values(byEndpoint).reduce((a, b) => a + b, 0), byEndpoint };
}

/** Albums of followed artists, and the saved ones. */
function reachableAlbums(lib: ProviderLibrary): { followedArtists: number; all: Set<number>; saved: Set<number> } {
  const all = new Set<number>();
  let followedArtists = 0;
  for (let artist = 0; artist < lib.artistCount; artist++) {
    if (!lib.isFollowed(artist)) continue;
    followedArtists++;
    for (let k = 0; k < lib.albumsPerArtist; k++) all.add(artist * lib.albumsPerArtist + k);
  }
  const saved = new Set<number>();
  for (let position = 0; position < lib.savedCount; position++) saved.add(lib.savedAlbumAt(position)!);
  for (const album of saved) all.add(album);
  return { followedArtists, all, saved };
}

export function spotifyMinimumRequests(lib: ProviderLibrary, settings: { artistAlbumsMaxLimit: number; batchEndpointsForbidden: boolean }): MinimumRequests {
  const { followedArtists, all, saved } = reachableAlbums(lib);
  // Saved-album items already carry the full album (UPC + first 50 tracks); the others need fetching.
  const albumsToFetch = [...all].filter((album) => !saved.has(album)).length;
  const tracks = all.size * lib.tracksPerAlbum;
  const extraTrackPages = lib.tracksPerAlbum > 50 ? all.size * Math.ceil((lib.tracksPerAlbum - 50) / 50) : 0;
  return finish({
    'GET /v1/me/following': pages(followedArtists, 50),
    'GET /v1/me/albums': pages(saved.size, 50),
    'GET /v1/artists/{id}/albums': followedArtists * pages(lib.albumsPerArtist, settings.artistAlbumsMaxLimit),
    'GET /v1/albums/{id}': settings.batchEndpointsForbidden ? albumsToFetch : 0,
    'GET /v1/albums': settings.batchEndpointsForbidden || albumsToFetch === 0 ? 0 : Math.ceil(albumsToFetch / 20),
    'GET /v1/albums/{id}/tracks': extraTrackPages,
    // Simplified tracks have no ISRC: one full track each (dev mode) or 50 per batch.
    'GET /v1/tracks/{id}': settings.batchEndpointsForbidden ? tracks : 0,
    'GET /v1/tracks': settings.batchEndpointsForbidden || tracks === 0 ? 0 : Math.ceil(tracks / 50),
  });
}

export function deezerMinimumRequests(lib: ProviderLibrary, settings: { pageMaxLimit: number }): MinimumRequests {
  const { followedArtists, all, saved } = reachableAlbums(lib);
  return finish({
    'GET /user/me/artists': pages(followedArtists, settings.pageMaxLimit),
    'GET /user/me/albums': pages(saved.size, settings.pageMaxLimit),
    'GET /artist/{id}/albums': followedArtists * pages(lib.albumsPerArtist, settings.pageMaxLimit),
    // UPC only on the full album; ISRC and positions only on the album-tracks list.
    'GET /album/{id}': all.size,
    'GET /album/{id}/tracks': all.size * pages(lib.tracksPerAlbum, settings.pageMaxLimit),
  });
}
