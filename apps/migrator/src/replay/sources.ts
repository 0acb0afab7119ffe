import type { FieldSpec } from './mapping';

/** A legacy table the replay reads, with the logical fields it needs. */
export interface SourceTable {
  schema: string;
  table: string;
  fields: readonly FieldSpec[];
}

const timestamps: FieldSpec[] = [
  { field: 'synced_at', candidates: ['last_synced_at', 'synced_at'] },
  { field: 'updated_at', candidates: ['updated_at'] },
  { field: 'created_at', candidates: ['created_at'] },
];

/** spotify_* cache tables (soulspot-origin §1.4) — in `public` until finalize drops them. */
export const SPOTIFY_ARTISTS: SourceTable = {
  schema: 'public',
  table: 'spotify_artists',
  fields: [
    { field: 'id', candidates: ['spotify_id', 'spotify_uri', 'id'], required: true },
    { field: 'name', candidates: ['name', 'artist_name'], required: true },
    { field: 'image_url', candidates: ['image_url', 'cover_url', 'image'] },
    { field: 'genres', candidates: ['genres'] },
    { field: 'popularity', candidates: ['popularity'] },
    { field: 'follower_count', candidates: ['follower_count', 'followers'] },
    ...timestamps,
  ],
};

export const SPOTIFY_ALBUMS: SourceTable = {
  schema: 'public',
  table: 'spotify_albums',
  fields: [
    { field: 'id', candidates: ['spotify_id', 'spotify_uri', 'id'], required: true },
    { field: 'title', candidates: ['name', 'title'], required: true },
    { field: 'artist_id', candidates: ['artist_id', 'artist_spotify_id'], required: true },
    { field: 'image_url', candidates: ['image_url', 'cover_url'] },
    { field: 'release_date', candidates: ['release_date'] },
    { field: 'release_date_precision', candidates: ['release_date_precision'] },
    { field: 'album_type', candidates: ['album_type', 'type'] },
    { field: 'total_tracks', candidates: ['total_tracks'] },
    { field: 'is_saved', candidates: ['is_saved'] },
    { field: 'upc', candidates: ['upc'] },
    ...timestamps.filter((t) => t.field !== 'synced_at'),
  ],
};

export const SPOTIFY_TRACKS: SourceTable = {
  schema: 'public',
  table: 'spotify_tracks',
  fields: [
    { field: 'id', candidates: ['spotify_id', 'spotify_uri', 'id'], required: true },
    { field: 'title', candidates: ['name', 'title'], required: true },
    { field: 'album_id', candidates: ['album_id', 'album_spotify_id'], required: true },
    // Legacy tracks have no artist column (the album's artist is the track's); the seed plan assumed one.
    { field: 'artist_id', candidates: ['artist_id', 'artist_spotify_id'] },
    { field: 'track_number', candidates: ['track_number'] },
    { field: 'disc_number', candidates: ['disc_number'] },
    { field: 'duration_ms', candidates: ['duration_ms'] },
    { field: 'explicit', candidates: ['explicit'] },
    { field: 'preview_url', candidates: ['preview_url'] },
    { field: 'isrc', candidates: ['isrc'] },
    // the old app's link to the soulspot_tracks row (a local file) that is this track
    { field: 'local_track_id', candidates: ['local_track_id'] },
    ...timestamps.filter((t) => t.field !== 'synced_at'),
  ],
};

const unifiedIds: FieldSpec[] = [
  { field: 'id', candidates: ['id'], required: true },
  { field: 'source', candidates: ['source'] },
  { field: 'spotify_uri', candidates: ['spotify_uri'] },
  { field: 'deezer_id', candidates: ['deezer_id'] },
  { field: 'musicbrainz_id', candidates: ['musicbrainz_id'] },
];

/** The pre-migration soulspot_* rows, moved to `legacy_backup` by `migrator schema` (legacy path). */
export const SOULSPOT_ARTISTS: SourceTable = {
  schema: 'legacy_backup',
  table: 'soulspot_artists',
  fields: [
    ...unifiedIds,
    { field: 'name', candidates: ['name'], required: true },
    { field: 'image_url', candidates: ['image_url', 'artwork_url'] },
    { field: 'genres', candidates: ['genres'] },
    { field: 'disambiguation', candidates: ['disambiguation'] },
    { field: 'popularity', candidates: ['popularity'] },
    { field: 'follower_count', candidates: ['follower_count'] },
    ...timestamps,
  ],
};

export const SOULSPOT_ALBUMS: SourceTable = {
  schema: 'legacy_backup',
  table: 'soulspot_albums',
  fields: [
    ...unifiedIds,
    { field: 'title', candidates: ['title', 'name'], required: true },
    { field: 'artist_id', candidates: ['artist_id'], required: true },
    { field: 'upc', candidates: ['upc'] },
    { field: 'release_date', candidates: ['release_date'] },
    { field: 'release_date_precision', candidates: ['release_date_precision'] },
    { field: 'release_year', candidates: ['release_year'] },
    { field: 'image_url', candidates: ['cover_url', 'artwork_url', 'image_url'] },
    { field: 'primary_type', candidates: ['primary_type', 'album_type'] },
    { field: 'secondary_types', candidates: ['secondary_types'] },
    { field: 'total_tracks', candidates: ['total_tracks'] },
    { field: 'is_saved', candidates: ['is_saved'] },
    ...timestamps,
  ],
};

export const SOULSPOT_TRACKS: SourceTable = {
  schema: 'legacy_backup',
  table: 'soulspot_tracks',
  fields: [
    ...unifiedIds,
    { field: 'title', candidates: ['title', 'name'], required: true },
    { field: 'artist_id', candidates: ['artist_id'], required: true },
    { field: 'album_id', candidates: ['album_id'] },
    { field: 'isrc', candidates: ['isrc'] },
    { field: 'track_number', candidates: ['track_number'] },
    { field: 'disc_number', candidates: ['disc_number'] },
    { field: 'duration_ms', candidates: ['duration_ms'] },
    { field: 'explicit', candidates: ['explicit'] },
    { field: 'preview_url', candidates: ['preview_url'] },
    { field: 'file_path', candidates: ['file_path'] },
    ...timestamps,
  ],
};

export const ALL_SOURCES = [SPOTIFY_ARTISTS, SPOTIFY_ALBUMS, SPOTIFY_TRACKS, SOULSPOT_ARTISTS, SOULSPOT_ALBUMS, SOULSPOT_TRACKS] as const;
export const sourceName = (s: SourceTable): string => `${s.schema}.${s.table}`;
