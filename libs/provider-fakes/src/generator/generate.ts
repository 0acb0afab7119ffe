import { Catalogue } from './catalogue';
import { resolveGenerateOptions, type GenerateOptions, type ResolvedGenerateOptions } from './options';
import { ProviderLibrary, type ProviderCounts } from './provider-library';

/** What a correct cross-provider merge of both libraries yields (architecture §4 identity rules). */
export interface UnifiedCounts {
  artists: number;
  albums: number;
  tracks: number;
  /** Entities both providers contributed to (`source = hybrid`). */
  hybridArtists: number;
  hybridAlbums: number;
  hybridTracks: number;
  /** Same-name artist pairs present in both libraries that must NOT be merged (no shared release). */
  sameNameDistinctPairs: number;
  spotify: ProviderCounts;
  deezer: ProviderCounts;
}

export interface GeneratedLibraries {
  options: ResolvedGenerateOptions;
  catalogue: Catalogue;
  spotify: ProviderLibrary;
  deezer: ProviderLibrary;
  /** Counts for the libraries' CURRENT state (follow/save mutations included). */
  expectedUnifiedCounts(): UnifiedCounts;
}

/**
 * Builds a seeded pair of provider libraries. Nothing is materialized: entities are derived on demand,
 * so 2,000 artists / 20,000 albums / 240,000 tracks cost a few kilobytes until served.
 */
export function generateLibraries(options: GenerateOptions = {}): GeneratedLibraries {
  const resolved = resolveGenerateOptions(options);
  const catalogue = new Catalogue(resolved);
  const spotify = new ProviderLibrary('spotify', catalogue);
  const deezer = new ProviderLibrary('deezer', catalogue);
  return {
    options: resolved,
    catalogue,
    spotify,
    deezer,
    expectedUnifiedCounts: () => computeUnifiedCounts(spotify, deezer),
  };
}

/**
 * Albums merge by UPC and tracks by ISRC, so shared canonical albums/tracks count once. Artists merge
 * only on evidence: same name AND a release both sides actually observed — a shared artist reached on
 * each side only through different albums stays two artists, and same-name pairs never merge.
 */
export function computeUnifiedCounts(spotify: ProviderLibrary, deezer: ProviderLibrary): UnifiedCounts {
  const s = spotify.reachableCanon();
  const d = deezer.reachableCanon();
  const albumsPerArtist = spotify.albumsPerArtist;
  const tracksPerAlbum = spotify.tracksPerAlbum;
  let hybridAlbums = 0;
  const hybridArtistSet = new Set<number>();
  for (const album of s.albums) {
    if (!d.albums.has(album)) continue;
    hybridAlbums++;
    hybridArtistSet.add(Math.floor(album / albumsPerArtist));
  }
  const albums = s.albums.size + d.albums.size - hybridAlbums;
  const { artists: artistCount, sameNameDifferentArtists } = spotify.catalogue.options;
  let sameNameDistinctPairs = 0;
  for (let p = 0; p < sameNameDifferentArtists; p++) if (s.artists.has(p) && d.artists.has(artistCount + p)) sameNameDistinctPairs++;
  return {
    artists: s.artists.size + d.artists.size - hybridArtistSet.size,
    albums,
    tracks: albums * tracksPerAlbum,
    hybridArtists: hybridArtistSet.size,
    hybridAlbums,
    hybridTracks: hybridAlbums * tracksPerAlbum,
    sameNameDistinctPairs,
    spotify: spotify.expectedCounts(),
    deezer: deezer.expectedCounts(),
  };
}
