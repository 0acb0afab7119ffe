import { parseIsrc, parseUpc, spotifyIdFromUri, type SpotifyUriType } from '@soulspot/music-model';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Spotify ids are base62; Deezer ids are decimal. Anything else cannot exist, so it is a client error. */
const SPOTIFY_ID = /^[0-9A-Za-z]{1,64}$/;
const DEEZER_ID = /^[0-9]{1,20}$/;

export function isMusicBrainzId(value: string): boolean {
  return UUID.test(value);
}

/**
 * Accepts a Spotify id as the full URI ("spotify:artist:<id>"), an open.spotify.com link or the bare id, and
 * returns the full URI stored in spotify_uri. Throws with a reason for anything else.
 */
export function parseSpotifyId(value: string, type: SpotifyUriType): string {
  const trimmed = value.trim();
  let id: string | null = trimmed;
  if (trimmed.startsWith('spotify:')) {
    id = spotifyIdFromUri(trimmed, type);
    if (id === null) throw new Error(`is not a Spotify ${type} URI ("spotify:${type}:<id>")`);
  } else if (/^https?:\/\/open\.spotify\.com\//.test(trimmed)) {
    const match = new RegExp(`^https?://open\\.spotify\\.com/(?:intl-[a-z]+/)?${type}/([0-9A-Za-z]+)(?:[?#].*)?$`).exec(trimmed);
    if (!match) throw new Error(`is not an open.spotify.com ${type} link`);
    id = match[1];
  }
  if (!SPOTIFY_ID.test(id)) throw new Error('is not a Spotify id (base62)');
  return `spotify:${type}:${id}`;
}

export function parseDeezerId(value: string): string {
  const trimmed = value.trim();
  if (!DEEZER_ID.test(trimmed)) throw new Error('is not a Deezer id (digits)');
  return trimmed;
}

export function parseIsrcOrThrow(value: string): string {
  let isrc: string | null;
  try {
    isrc = parseIsrc(value);
  } catch {
    throw new Error('is not a valid ISRC (12 characters, e.g. USRC17607839)');
  }
  if (isrc === null) throw new Error('must not be empty');
  return isrc;
}

export function parseUpcOrThrow(value: string): string {
  let upc: string | null;
  try {
    upc = parseUpc(value);
  } catch {
    throw new Error('is not a valid UPC/EAN (8 to 13 digits, or 14 starting with 0, with a correct check digit)');
  }
  if (upc === null) throw new Error('must not be empty');
  return upc;
}
