import { AlbumType, ReleaseDatePrecision } from '@soulspot/contracts';
import { normalizeIsrc, normalizeUpc, parseReleaseDate, spotifyIdFromUri, type SpotifyUriType } from '@soulspot/music-model';

/**
 * Pure conversions from legacy column values to DTO values. Anything the projection would reject (and
 * dead-letter) is cleaned here instead: a bad optional identifier is dropped (and counted by the caller),
 * never sent.
 */

/**
 * A Spotify id the projection can key (library-service checkProviderId): no ':' or whitespace, at most 200 UTF-16
 * units. Real ids are base62, but the legacy tables hold what they hold; the same rule for bare ids and URIs, so a row
 * is not skipped (and verify not failed for good) only because its id was stored bare.
 */
const SPOTIFY_ID_RE = /^[^:\s]{1,200}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PROVIDER_ID_RE = /^\S{1,50}$/;
const DEEZER_PSEUDO_URI_RE = /^deezer:(?:(?:artist|album|track):)?([^:\s]+)$/;

/** The bare Spotify id of a legacy value: either a bare id (spotify_* tables) or a full URI (soulspot_* tables, or the seed plan's `spotify_uri` columns). */
export function bareSpotifyId(raw: string | null | undefined, type: SpotifyUriType): string | null {
  if (raw == null) return null;
  const value = raw.trim();
  const id = value.startsWith('spotify:') ? spotifyIdFromUri(value, type) : value;
  return id !== null && SPOTIFY_ID_RE.test(id) ? id : null;
}

/** A Deezer / other provider id usable in a provider key (no whitespace, fits deezer_id varchar(50)). */
export function cleanProviderId(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const value = raw.trim();
  return PROVIDER_ID_RE.test(value) ? value : null;
}

/**
 * The Deezer id of a soulspot_* row: its deezer_id, else a Deezer pseudo-URI the old Deezer sync stored in spotify_uri
 * ('deezer:<id>'; SoulSpot's later migration aa38023ccD73 moved those to deezer_id, but a database from before the
 * consolidation still has them).
 */
export function unifiedDeezerId(deezerId: string | null | undefined, spotifyUri: string | null | undefined): string | null {
  return cleanProviderId(deezerId) ?? cleanProviderId(DEEZER_PSEUDO_URI_RE.exec(spotifyUri?.trim() ?? '')?.[1]);
}

/** The same rule in SQL, for verify: the id part of a Deezer pseudo-URI (NULL otherwise). */
export const deezerPseudoUriIdSql = (expr: string): string => `substring(trim(${expr}) from '^deezer:(?:(?:artist|album|track):)?([^:[:space:]]+)$')`;

export function cleanMbid(raw: string | null | undefined): string {
  const value = raw?.trim().toLowerCase() ?? '';
  return UUID_RE.test(value) ? value : '';
}

export function cleanIsrc(raw: string | null | undefined): { isrc: string; dropped: boolean } {
  if (raw == null || raw.trim() === '') return { isrc: '', dropped: false };
  const isrc = normalizeIsrc(raw);
  return isrc ? { isrc, dropped: false } : { isrc: '', dropped: true };
}

export function cleanUpc(raw: string | null | undefined): string {
  return normalizeUpc(raw) ?? '';
}

/** Genres as SoulSpot stored them: JSON text of a list (sometimes a comma list, often NULL). */
export function parseGenres(raw: string | null | undefined): string[] {
  if (raw == null || raw.trim() === '') return [];
  let values: unknown[];
  try {
    const parsed = JSON.parse(raw);
    values = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    values = raw.split(',');
  }
  const out: string[] = [];
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const genre = value.trim();
    if (genre && !out.includes(genre)) out.push(genre);
  }
  return out;
}

const PRECISIONS = {
  year: ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR,
  month: ReleaseDatePrecision.RELEASE_DATE_PRECISION_MONTH,
  day: ReleaseDatePrecision.RELEASE_DATE_PRECISION_DAY,
} as const;
const DATE_LENGTH = { year: 4, month: 7, day: 10 } as const;

/**
 * Release date + precision. The legacy precision column is trusted when it is coarser than the string
 * (Spotify pads year-precision dates, e.g. '1994-01-01' with precision 'year'); a finer claim than the
 * string carries is ignored. Without a usable date, `release_year` (soulspot_albums) gives a year date.
 */
export function legacyReleaseDate(
  raw: string | null | undefined,
  precision: string | null | undefined,
  year?: number | null,
): { releaseDate: string; releaseDatePrecision: ReleaseDatePrecision } {
  const parsed = parseReleaseDate(raw);
  if (parsed) {
    const claimed = precision?.trim().toLowerCase();
    let effective = parsed.precision;
    if (claimed && claimed in DATE_LENGTH && DATE_LENGTH[claimed as keyof typeof DATE_LENGTH] < DATE_LENGTH[effective]) {
      effective = claimed as keyof typeof DATE_LENGTH;
    }
    return { releaseDate: parsed.date.slice(0, DATE_LENGTH[effective]), releaseDatePrecision: PRECISIONS[effective] };
  }
  if (year != null && year >= 1 && year <= 9999) {
    return { releaseDate: String(year).padStart(4, '0'), releaseDatePrecision: PRECISIONS.year };
  }
  return { releaseDate: '', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_UNSPECIFIED };
}

/** Spotify's album_type (album/single/compilation) or SoulSpot's primary_type + secondary_types. */
export function albumTypeOf(primary: string | null | undefined, secondaryJson?: string | null): AlbumType {
  const secondary = parseGenres(secondaryJson).map((s) => s.toLowerCase());
  if (secondary.includes('compilation')) return AlbumType.ALBUM_TYPE_COMPILATION;
  switch (primary?.trim().toLowerCase()) {
    case 'album':
      return AlbumType.ALBUM_TYPE_ALBUM;
    case 'single':
      return AlbumType.ALBUM_TYPE_SINGLE;
    case 'ep':
      return AlbumType.ALBUM_TYPE_EP;
    case 'compilation':
      return AlbumType.ALBUM_TYPE_COMPILATION;
    default:
      return AlbumType.ALBUM_TYPE_UNSPECIFIED;
  }
}

export const optionalInt = (value: number | string | null | undefined): number | undefined => {
  if (value == null) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.trunc(n) : undefined;
};
