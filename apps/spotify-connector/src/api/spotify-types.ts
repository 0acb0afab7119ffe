/**
 * Spotify Web API object shapes as the connector reads them (provider-apis.md §2.6). Fields that development-mode
 * apps no longer receive (followers, popularity, genres, label, album_group, available_markets, preview_url) are
 * optional: the connector must work without them.
 */
export interface SpotifyImage {
  url: string;
  width?: number | null;
  height?: number | null;
}

export interface SpotifySimplifiedArtist {
  id: string;
  name: string;
  uri?: string;
}

export interface SpotifyArtist extends SpotifySimplifiedArtist {
  images?: SpotifyImage[];
  genres?: string[];
  popularity?: number;
  followers?: { href: null | string; total: number };
}

export interface SpotifyPage<T> {
  href?: string;
  items: T[];
  limit: number;
  next: string | null;
  offset?: number;
  previous?: string | null;
  total?: number;
}

export interface SpotifyCursorPage<T> extends SpotifyPage<T> {
  cursors?: { after?: string | null; before?: string | null } | null;
}

export interface SpotifySimplifiedAlbum {
  id: string;
  name: string;
  album_type?: string;
  album_group?: string;
  total_tracks?: number;
  release_date?: string;
  release_date_precision?: string;
  images?: SpotifyImage[];
  artists: SpotifySimplifiedArtist[];
  uri?: string;
}

export interface SpotifySimplifiedTrack {
  id: string;
  name: string;
  artists: SpotifySimplifiedArtist[];
  disc_number?: number;
  track_number?: number;
  duration_ms?: number;
  explicit?: boolean;
  preview_url?: string | null;
  is_local?: boolean;
  uri?: string;
}

export interface SpotifyTrack extends SpotifySimplifiedTrack {
  album?: SpotifySimplifiedAlbum;
  external_ids?: { isrc?: string; ean?: string; upc?: string };
  popularity?: number;
}

export interface SpotifyAlbum extends SpotifySimplifiedAlbum {
  tracks: SpotifyPage<SpotifySimplifiedTrack>;
  external_ids?: { upc?: string; ean?: string; isrc?: string };
  genres?: string[];
  label?: string;
  popularity?: number;
}

export interface SpotifySavedAlbum {
  added_at: string;
  album: SpotifyAlbum;
}

export interface SpotifyTokenResponse {
  access_token: string;
  token_type: string;
  scope?: string;
  expires_in: number;
  refresh_token?: string;
}
