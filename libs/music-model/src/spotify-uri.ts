import { InvalidIdentifierError } from './invalid-identifier-error';

export type SpotifyUriType = 'artist' | 'album' | 'track' | 'playlist' | 'user';

const URI_RE = /^spotify:(artist|album|track|playlist|user):([^:\s]+)$/;

/** The full Spotify URI SoulSpot stores in `spotify_uri`, e.g. `spotify:artist:4Z8W4fKeB5YxbusRsdQVPb`. */
export function spotifyUri(type: SpotifyUriType, id: string): string {
  if (!id || /[:\s]/.test(id)) throw new InvalidIdentifierError('spotify_uri', `spotify:${type}:${id}`);
  return `spotify:${type}:${id}`;
}

/** The bare id of a Spotify URI (optionally checking its type); null when it is not one. */
export function spotifyIdFromUri(uri: string | null | undefined, type?: SpotifyUriType): string | null {
  if (!uri) return null;
  const match = URI_RE.exec(uri);
  if (!match) return null;
  if (type && match[1] !== type) return null;
  return match[2];
}

/** The type of a Spotify URI, or null when it is not one. */
export function spotifyUriType(uri: string | null | undefined): SpotifyUriType | null {
  if (!uri) return null;
  const match = URI_RE.exec(uri);
  return match ? (match[1] as SpotifyUriType) : null;
}
