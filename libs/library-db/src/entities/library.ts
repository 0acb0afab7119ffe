import { EntitySchema } from '@mikro-orm/core';
import { col } from './columns';

/** Where a row's data came from: one provider, or `hybrid` when more than one contributed. */
export type SourceName = 'local' | 'spotify' | 'deezer' | 'tidal' | 'hybrid';

export interface ArtistRow {
  id: string;
  name: string;
  source: SourceName;
  spotifyUri: string | null;
  musicbrainzId: string | null;
  deezerId: string | null;
  tidalId: string | null;
  imageUrl: string | null;
  imagePath: string | null;
  /** JSON-encoded string[] (as in SoulSpot). */
  genres: string | null;
  tags: string | null;
  disambiguation: string | null;
  popularity: number | null;
  followerCount: number | null;
  lastSyncedAt: Date | null;
  albumsSyncedAt: Date | null;
  ownershipState: string;
  primarySource: string | null;
  createdAt: Date;
  updatedAt: Date;
  isFollowed: boolean;
  spotifyFollowed: boolean;
  deezerFollowed: boolean;
}

export const ArtistSchema = new EntitySchema<ArtistRow>({
  name: 'Artist',
  tableName: 'soulspot_artists',
  properties: {
    id: col.id(),
    name: col.varchar(255, 'name', false),
    source: col.varchar(20, 'source', false),
    spotifyUri: col.varchar(255, 'spotify_uri'),
    musicbrainzId: col.varchar(36, 'musicbrainz_id'),
    deezerId: col.varchar(50, 'deezer_id'),
    tidalId: col.varchar(50, 'tidal_id'),
    imageUrl: col.varchar(512, 'image_url'),
    imagePath: col.varchar(512, 'image_path'),
    genres: col.text('genres'),
    tags: col.text('tags'),
    disambiguation: col.varchar(255, 'disambiguation'),
    popularity: col.int('popularity'),
    followerCount: col.int('follower_count'),
    lastSyncedAt: col.timestamptz('last_synced_at'),
    albumsSyncedAt: col.timestamptz('albums_synced_at'),
    ownershipState: col.varchar(20, 'ownership_state', false),
    primarySource: col.varchar(20, 'primary_source'),
    createdAt: col.timestamptz('created_at', false),
    updatedAt: col.timestamptz('updated_at', false),
    isFollowed: col.bool('is_followed'),
    spotifyFollowed: col.bool('spotify_followed'),
    deezerFollowed: col.bool('deezer_followed'),
  },
});

export interface AlbumRow {
  id: string;
  title: string;
  artistId: string;
  source: SourceName;
  releaseYear: number | null;
  releaseDate: string | null;
  releaseDatePrecision: string | null;
  spotifyUri: string | null;
  musicbrainzId: string | null;
  deezerId: string | null;
  tidalId: string | null;
  coverUrl: string | null;
  coverPath: string | null;
  albumArtist: string | null;
  primaryType: string;
  secondaryTypes: string[];
  disambiguation: string | null;
  totalTracks: number | null;
  isSaved: boolean;
  tracksSyncedAt: Date | null;
  ownershipState: string;
  primarySource: string | null;
  createdAt: Date;
  updatedAt: Date;
  upc: string | null;
  lastSyncedAt: Date | null;
  imagePath: string | null;
  spotifySaved: boolean;
  deezerSaved: boolean;
}

export const AlbumSchema = new EntitySchema<AlbumRow>({
  name: 'Album',
  tableName: 'soulspot_albums',
  properties: {
    id: col.id(),
    title: col.varchar(255, 'title', false),
    artistId: col.varchar(36, 'artist_id', false),
    source: col.varchar(20, 'source', false),
    releaseYear: col.int('release_year'),
    releaseDate: col.varchar(10, 'release_date'),
    releaseDatePrecision: col.varchar(10, 'release_date_precision'),
    spotifyUri: col.varchar(255, 'spotify_uri'),
    musicbrainzId: col.varchar(36, 'musicbrainz_id'),
    deezerId: col.varchar(50, 'deezer_id'),
    tidalId: col.varchar(50, 'tidal_id'),
    coverUrl: col.varchar(512, 'cover_url'),
    coverPath: col.varchar(512, 'cover_path'),
    albumArtist: col.varchar(255, 'album_artist'),
    primaryType: col.varchar(20, 'primary_type', false),
    secondaryTypes: col.json('secondary_types'),
    disambiguation: col.varchar(255, 'disambiguation'),
    totalTracks: col.int('total_tracks'),
    isSaved: col.bool('is_saved'),
    tracksSyncedAt: col.timestamptz('tracks_synced_at'),
    ownershipState: col.varchar(20, 'ownership_state', false),
    primarySource: col.varchar(20, 'primary_source'),
    createdAt: col.timestamptz('created_at', false),
    updatedAt: col.timestamptz('updated_at', false),
    upc: col.varchar(13, 'upc'),
    lastSyncedAt: col.timestamptz('last_synced_at'),
    imagePath: col.varchar(512, 'image_path'),
    spotifySaved: col.bool('spotify_saved'),
    deezerSaved: col.bool('deezer_saved'),
  },
});

export interface TrackRow {
  id: string;
  title: string;
  artistId: string;
  albumId: string | null;
  source: SourceName;
  durationMs: number;
  trackNumber: number | null;
  discNumber: number;
  explicit: boolean;
  previewUrl: string | null;
  spotifyUri: string | null;
  musicbrainzId: string | null;
  isrc: string | null;
  deezerId: string | null;
  tidalId: string | null;
  filePath: string | null;
  genre: string | null;
  fileSize: string | null;
  fileHash: string | null;
  fileHashAlgorithm: string | null;
  lastScannedAt: Date | null;
  isBroken: boolean;
  audioBitrate: number | null;
  audioSampleRate: number | null;
  audioFormat: string | null;
  ownershipState: string;
  downloadState: string;
  primarySource: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastSyncedAt: Date | null;
  imagePath: string | null;
}

export const TrackSchema = new EntitySchema<TrackRow>({
  name: 'Track',
  tableName: 'soulspot_tracks',
  properties: {
    id: col.id(),
    title: col.varchar(255, 'title', false),
    artistId: col.varchar(36, 'artist_id', false),
    albumId: col.varchar(36, 'album_id'),
    source: col.varchar(20, 'source', false),
    durationMs: col.int('duration_ms', false),
    trackNumber: col.int('track_number'),
    discNumber: col.int('disc_number', false),
    explicit: col.bool('explicit'),
    previewUrl: col.varchar(512, 'preview_url'),
    spotifyUri: col.varchar(255, 'spotify_uri'),
    musicbrainzId: col.varchar(36, 'musicbrainz_id'),
    isrc: col.varchar(12, 'isrc'),
    deezerId: col.varchar(50, 'deezer_id'),
    tidalId: col.varchar(50, 'tidal_id'),
    filePath: col.varchar(512, 'file_path'),
    genre: col.varchar(100, 'genre'),
    fileSize: col.bigint('file_size'),
    fileHash: col.varchar(64, 'file_hash'),
    fileHashAlgorithm: col.varchar(20, 'file_hash_algorithm'),
    lastScannedAt: col.timestamptz('last_scanned_at'),
    isBroken: col.bool('is_broken'),
    audioBitrate: col.int('audio_bitrate'),
    audioSampleRate: col.int('audio_sample_rate'),
    audioFormat: col.varchar(20, 'audio_format'),
    ownershipState: col.varchar(20, 'ownership_state', false),
    downloadState: col.varchar(20, 'download_state', false),
    primarySource: col.varchar(20, 'primary_source'),
    createdAt: col.timestamptz('created_at', false),
    updatedAt: col.timestamptz('updated_at', false),
    lastSyncedAt: col.timestamptz('last_synced_at'),
    imagePath: col.varchar(512, 'image_path'),
  },
});
