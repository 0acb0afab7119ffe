/**
 * The data rules of a generated legacy database, as pure functions of row numbers. The SQL loader
 * (load.ts) implements the same rules set-based; `expectedOutcomes` (expected.ts) enumerates them
 * in TypeScript, so tests compare what the migrator produced against numbers derived independently
 * of the database.
 *
 * Row numbers are 1-based: artist `a`, album `k`, track `j`.
 */
export interface LegacyFixtureOptions {
  artists: number;
  albums: number;
  tracks: number;
  /** Any string; the same seed gives the same database. */
  seed?: string;
  /**
   * Fraction (0..1) of legacy tracks that already exist in `soulspot_tracks` with the same ISRC
   * (local files under local artists, Deezer tracks under Deezer artists), with their artist and album rows.
   */
  overlapWithSoulspot?: number;
}

export interface ResolvedOptions extends Required<LegacyFixtureOptions> {
  /** A track overlaps when its multiplicative hash is below this (0 = no overlap, 2^32 = all). */
  overlapThreshold: number;
}

export function resolveOptions(options: LegacyFixtureOptions): ResolvedOptions {
  const { artists, albums, tracks } = options;
  for (const [name, value] of Object.entries({ artists, albums, tracks })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`legacy fixture: ${name} must be a positive integer, got ${value}`);
  }
  if (albums < artists) throw new Error('legacy fixture: need at least as many albums as artists (every artist has an album)');
  if (tracks < albums) throw new Error('legacy fixture: need at least as many tracks as albums (every album has a track)');
  if (tracks > 400_000_000) throw new Error('legacy fixture: at most 400,000,000 tracks (ISRC designation space)');
  const overlap = options.overlapWithSoulspot ?? 0.1;
  if (!(overlap >= 0 && overlap <= 1)) throw new Error(`legacy fixture: overlapWithSoulspot must be in [0, 1], got ${overlap}`);
  return {
    artists,
    albums,
    tracks,
    seed: options.seed ?? 'soulspot',
    overlapWithSoulspot: overlap,
    overlapThreshold: Math.round(overlap * 2 ** 32),
  };
}

/** Moduli of the data rules; the SQL in load.ts uses the same numbers. */
export const RULES = {
  artistGenresNullEvery: 7,
  artistNeverSyncedEvery: 11,
  /** Artist a (a > 1) with a % this == 0 has the same name as artist a-1: two artists, never merged. */
  artistSameNameEvery: 50,
  /** Legacy artists already copied into soulspot_artists by the old Spotify sync (same spotify_uri). */
  artistAlreadyUnifiedEvery: 5,
  albumNoReleaseDateEvery: 53,
  trackNoIsrcEvery: 20,
  trackInvalidIsrcEvery: 1009,
  /**
   * Track j with j % this == 0 repeats the ISRC of track j-A (A = artist count): the same recording on
   * another album of the same artist. One track after migration, not two.
   */
  trackDuplicateIsrcEvery: 97,
  trackLowerCaseIsrcEvery: 31,
} as const;

export const albumOfTrack = (j: number, o: ResolvedOptions): number => ((j - 1) % o.albums) + 1;
export const artistOfAlbum = (k: number, o: ResolvedOptions): number => ((k - 1) % o.artists) + 1;

export function releasePrecision(k: number): 'year' | 'month' | 'day' | null {
  if (k % RULES.albumNoReleaseDateEvery === 0) return null;
  if (k % 10 === 0) return 'year';
  if (k % 10 === 1) return 'month';
  return 'day';
}

const noIsrc = (j: number): boolean => j % RULES.trackNoIsrcEvery === 0;
const invalidIsrc = (j: number): boolean => !noIsrc(j) && j % RULES.trackInvalidIsrcEvery === 0;
const validOwnIsrc = (j: number): boolean => j >= 1 && !noIsrc(j) && !invalidIsrc(j);

/**
 * Track j carries the ISRC of track j-A, which sits on album k-A of the same artist (hence k > A).
 * The source track must have its own valid ISRC and must not be a duplicate itself.
 */
export function isDuplicateIsrc(j: number, o: ResolvedOptions): boolean {
  const source = j - o.artists;
  return (
    j % RULES.trackDuplicateIsrcEvery === 0 &&
    albumOfTrack(j, o) > o.artists &&
    source >= 1 &&
    source % RULES.trackDuplicateIsrcEvery !== 0 &&
    validOwnIsrc(j) &&
    validOwnIsrc(source)
  );
}

export type IsrcKind = 'none' | 'invalid' | 'duplicate' | 'own';
export function isrcKind(j: number, o: ResolvedOptions): IsrcKind {
  if (noIsrc(j)) return 'none';
  if (invalidIsrc(j)) return 'invalid';
  if (isDuplicateIsrc(j, o)) return 'duplicate';
  return 'own';
}

/**
 * Knuth's multiplicative hash of a row number into [0, 2^32): spreads the overlap evenly instead of
 * correlating with the moduli above. The low 32 bits of the product, as the SQL loader's bigint arithmetic gives
 * them: Math.imul is exact for every row number; `j * multiplier` in doubles lost the low bits from j = 3,393,265 on
 * (product above 2^53), so the expected counts of a larger fixture disagreed with the loaded data.
 */
export const mix = (j: number, multiplier: number): number => Math.imul(j, multiplier) >>> 0;
export const OVERLAP_MULTIPLIER = 2654435761;

/** Legacy track j already exists in soulspot_tracks (same ISRC). */
export const overlapsSoulspot = (j: number, o: ResolvedOptions): boolean =>
  mix(j, OVERLAP_MULTIPLIER) < o.overlapThreshold && isrcKind(j, o) === 'own';

/** Existing soulspot artist of legacy artist a (created for overlap) is local (else Deezer). */
export const soulspotArtistIsLocal = (a: number): boolean => a % 2 === 0;

/** The existing soulspot row of an overlapping track is a local file when its artist is local, else a Deezer track. */
export const overlapIsLocal = (j: number, o: ResolvedOptions): boolean => soulspotArtistIsLocal(artistOfAlbum(albumOfTrack(j, o), o));

/** Number of tracks of album k: tracks are dealt round-robin over the albums. */
export const tracksOfAlbum = (k: number, o: ResolvedOptions): number => (k > o.tracks ? 0 : Math.floor((o.tracks - k) / o.albums) + 1);

/** Soulspot-only local files (no legacy counterpart): one per ten overlapping tracks, ten per local-only artist. */
export const localOnlyTrackCount = (overlappingTracks: number): number => Math.ceil(overlappingTracks / 10);
export const LOCAL_ONLY_TRACKS_PER_ARTIST = 10;
export const LOCAL_ONLY_TRACKS_PER_ALBUM = 5;
