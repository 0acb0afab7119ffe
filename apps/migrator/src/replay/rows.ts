/** Rows as the page queries (queries.ts) return them; `key` is the source row's id. */
export interface SpotifyArtistRow {
  key: string;
  name: string | null;
  image_url: string | null;
  genres: string | null;
  popularity: number | null;
  follower_count: string | null;
  observed_at: Date | null;
}

export interface SpotifyAlbumRow {
  key: string;
  title: string | null;
  artist_id: string | null;
  artist_name: string | null;
  image_url: string | null;
  release_date: string | null;
  release_date_precision: string | null;
  album_type: string | null;
  total_tracks: number | null;
  is_saved: boolean | null;
  upc: string | null;
  observed_at: Date | null;
}

export interface SpotifyTrackRow {
  key: string;
  title: string | null;
  album_id: string | null;
  album_title: string | null;
  artist_id: string | null;
  artist_name: string | null;
  track_number: number | null;
  disc_number: number | null;
  duration_ms: number | null;
  explicit: boolean | null;
  preview_url: string | null;
  isrc: string | null;
  observed_at: Date | null;
}

export interface UnifiedIds {
  source: string | null;
  spotify_uri: string | null;
  deezer_id: string | null;
  musicbrainz_id: string | null;
}

export interface UnifiedArtistRow extends UnifiedIds {
  key: string;
  name: string | null;
  image_url: string | null;
  genres: string | null;
  disambiguation: string | null;
  popularity: number | null;
  follower_count: string | null;
  observed_at: Date | null;
}

/** The artist a unified album or track row is joined to (its identifiers, for the event's artist reference). */
export interface UnifiedArtistColumns {
  artist_id: string | null;
  artist_name: string | null;
  artist_source: string | null;
  artist_spotify_uri: string | null;
  artist_deezer_id: string | null;
  artist_musicbrainz_id: string | null;
}

export interface UnifiedAlbumRow extends UnifiedIds, UnifiedArtistColumns {
  key: string;
  title: string | null;
  upc: string | null;
  release_date: string | null;
  release_date_precision: string | null;
  release_year: number | null;
  image_url: string | null;
  primary_type: string | null;
  secondary_types: string | null;
  total_tracks: number | null;
  is_saved: boolean | null;
  observed_at: Date | null;
}

export interface UnifiedTrackRow extends UnifiedIds, UnifiedArtistColumns {
  key: string;
  title: string | null;
  isrc: string | null;
  track_number: number | null;
  disc_number: number | null;
  duration_ms: number | null;
  explicit: boolean | null;
  preview_url: string | null;
  file_path: string | null;
  observed_at: Date | null;
  album_id: string | null;
  album_title: string | null;
  album_source: string | null;
  album_spotify_uri: string | null;
  album_deezer_id: string | null;
  album_musicbrainz_id: string | null;
  album_upc: string | null;
  /** ISRC of the legacy Spotify track that links to this row (spotify_tracks.local_track_id). */
  linked_isrc?: string | null;
}
