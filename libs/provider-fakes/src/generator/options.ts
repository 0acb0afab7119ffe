/** Options of the library generator, their defaults and validation. */

export interface GenerateOptions {
  /** Seed of every generated value (default 1). Same seed + options => byte-identical libraries. */
  seed?: number;
  /** Followed artists per provider (default 20). */
  artists?: number;
  /** Albums per artist (default 3); every artist has exactly this many releases. */
  albumsPerArtist?: number;
  /** Tracks per album (default 6). */
  tracksPerAlbum?: number;
  /**
   * Fraction in [0, 1] of each provider's artists that are the SAME real artist on both providers
   * (default 0.3): same name, and every one of their albums exists on both with the same UPC and the
   * same track ISRCs. Rounded to a whole number of artists.
   */
  overlap?: number;
  /** Pairs of unrelated artists that share a name across the providers (no shared release). Default 2. */
  sameNameDifferentArtists?: number;
  /** Saved albums per provider (default 5), spread over the followed artists' albums. */
  savedAlbums?: number;
}

export type ResolvedGenerateOptions = Required<GenerateOptions>;

export const GENERATE_DEFAULTS: ResolvedGenerateOptions = {
  seed: 1,
  artists: 20,
  albumsPerArtist: 3,
  tracksPerAlbum: 6,
  overlap: 0.3,
  sameNameDifferentArtists: 2,
  savedAlbums: 5,
};

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`generateLibraries: ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

export function resolveGenerateOptions(options: GenerateOptions = {}): ResolvedGenerateOptions {
  const resolved: ResolvedGenerateOptions = { ...GENERATE_DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (resolved as unknown as Record<string, unknown>)[key] = value;
  }
  requireInteger('seed', resolved.seed, 0, 2 ** 32 - 1);
  requireInteger('artists', resolved.artists, 1, 500_000);
  requireInteger('albumsPerArtist', resolved.albumsPerArtist, 1, 200);
  requireInteger('tracksPerAlbum', resolved.tracksPerAlbum, 1, 100);
  if (!(resolved.overlap >= 0 && resolved.overlap <= 1)) {
    throw new RangeError(`generateLibraries: overlap must be a fraction in [0, 1], got ${resolved.overlap}`);
  }
  const shared = sharedArtistCount(resolved);
  // Defaults shrink to fit tiny libraries; explicit values are validated as given.
  if (options.sameNameDifferentArtists === undefined) resolved.sameNameDifferentArtists = Math.min(resolved.sameNameDifferentArtists, resolved.artists - shared);
  if (options.savedAlbums === undefined) resolved.savedAlbums = Math.min(resolved.savedAlbums, resolved.artists * resolved.albumsPerArtist);
  requireInteger('sameNameDifferentArtists', resolved.sameNameDifferentArtists, 0, resolved.artists - shared);
  const albums = resolved.artists * resolved.albumsPerArtist;
  requireInteger('savedAlbums', resolved.savedAlbums, 0, albums);
  if (albums * 2 >= 99_000_000 || albums * resolved.tracksPerAlbum * 2 >= 100_000_000) {
    throw new RangeError('generateLibraries: library too large for the id ranges');
  }
  return resolved;
}

export function sharedArtistCount(options: Pick<ResolvedGenerateOptions, 'artists' | 'overlap'>): number {
  return Math.round(options.artists * options.overlap);
}
