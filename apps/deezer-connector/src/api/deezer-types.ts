/** Deezer API object shapes as the connector reads them (provider-apis.md §5). Ids are integers; durations seconds. */
export interface DeezerPictures {
  picture?: string;
  picture_small?: string;
  picture_medium?: string;
  picture_big?: string;
  picture_xl?: string;
}

export interface DeezerArtist extends DeezerPictures {
  id: number;
  name: string;
  nb_album?: number;
  nb_fan?: number;
  time_add?: number;
  type?: 'artist';
}

export interface DeezerCovers {
  cover?: string;
  cover_small?: string;
  cover_medium?: string;
  cover_big?: string;
  cover_xl?: string;
}

/** Album as listed by /user/me/albums and /artist/{id}/albums (no upc, label or genres there). */
export interface DeezerAlbumSummary extends DeezerCovers {
  id: number;
  title: string;
  release_date?: string;
  record_type?: string;
  nb_tracks?: number;
  time_add?: number;
  artist?: { id: number; name: string };
}

export interface DeezerContributor {
  id: number;
  name: string;
  role?: string;
}

/** GET /album/{id}. */
export interface DeezerAlbum extends DeezerAlbumSummary {
  upc?: string;
  label?: string;
  genres?: { data: Array<{ id: number; name: string }> };
  contributors?: DeezerContributor[];
  artist?: { id: number; name: string };
}

/** Items of GET /album/{id}/tracks. */
export interface DeezerTrack {
  id: number;
  title: string;
  title_short?: string;
  isrc?: string;
  duration?: number;
  track_position?: number;
  disk_number?: number;
  explicit_lyrics?: boolean;
  preview?: string;
  readable?: boolean;
  artist?: { id: number; name: string };
}

export interface DeezerPage<T> {
  data: T[];
  total?: number;
  next?: string;
  prev?: string;
  checksum?: string;
}
