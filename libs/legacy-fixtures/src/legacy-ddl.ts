/**
 * DDL of a SoulSpot database as it looked right before the table consolidation (Alembic head
 * `vv33018xxz66`, PostgreSQL profile): the unified `soulspot_*` tables without the columns that
 * `ww34019yyz67` and later revisions added, the `spotify_*` cache tables, `spotify_sync_status`
 * keyed by `sync_type`, and the OAuth tables. Types follow SQLAlchemy's PostgreSQL rendering:
 * String(n) -> varchar(n), DateTime -> timestamp (naive), DateTime(timezone=True) -> timestamptz,
 * JSON -> json. See shared/reference/soulspot-origin.md §1.
 *
 * Tables are created without secondary indexes and foreign keys; `LEGACY_INDEXES` and
 * `LEGACY_FOREIGN_KEYS` run after the bulk load (one validation scan instead of a trigger per row).
 */
export const LEGACY_ALEMBIC_HEAD = 'vv33018xxz66';

export const LEGACY_TABLES_DDL = `
CREATE TABLE alembic_version (
  version_num varchar(32) NOT NULL,
  CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

CREATE TABLE soulspot_artists (
  id varchar(36) NOT NULL PRIMARY KEY,
  name varchar(255) NOT NULL,
  source varchar(20) NOT NULL DEFAULT 'local',
  spotify_uri varchar(255),
  musicbrainz_id varchar(36),
  deezer_id varchar(50),
  tidal_id varchar(50),
  image_url varchar(512),
  genres text,
  tags text,
  disambiguation varchar(255),
  created_at timestamp NOT NULL,
  updated_at timestamp NOT NULL
);

CREATE TABLE soulspot_albums (
  id varchar(36) NOT NULL PRIMARY KEY,
  title varchar(255) NOT NULL,
  artist_id varchar(36) NOT NULL,
  release_year integer,
  spotify_uri varchar(255),
  musicbrainz_id varchar(36),
  deezer_id varchar(50),
  tidal_id varchar(50),
  artwork_url varchar(512),
  artwork_path varchar(512),
  album_artist varchar(255),
  primary_type varchar(20) NOT NULL DEFAULT 'album',
  secondary_types json NOT NULL DEFAULT '[]',
  disambiguation varchar(255),
  created_at timestamp NOT NULL,
  updated_at timestamp NOT NULL
);

CREATE TABLE soulspot_tracks (
  id varchar(36) NOT NULL PRIMARY KEY,
  title varchar(255) NOT NULL,
  artist_id varchar(36) NOT NULL,
  album_id varchar(36),
  source varchar(20) NOT NULL DEFAULT 'local',
  duration_ms integer NOT NULL DEFAULT 0,
  track_number integer,
  disc_number integer NOT NULL DEFAULT 1,
  explicit boolean NOT NULL DEFAULT false,
  preview_url varchar(512),
  spotify_uri varchar(255),
  musicbrainz_id varchar(36),
  isrc varchar(12),
  deezer_id varchar(50),
  tidal_id varchar(50),
  file_path varchar(512),
  genre varchar(100),
  file_size bigint,
  file_hash varchar(64),
  file_hash_algorithm varchar(20),
  last_scanned_at timestamp,
  is_broken boolean NOT NULL DEFAULT false,
  audio_bitrate integer,
  audio_sample_rate integer,
  audio_format varchar(20),
  created_at timestamp NOT NULL,
  updated_at timestamp NOT NULL
);

CREATE TABLE spotify_artists (
  spotify_id varchar(32) NOT NULL PRIMARY KEY,
  name varchar(255) NOT NULL,
  image_url varchar(512),
  image_path varchar(512),
  genres text,
  popularity integer,
  follower_count integer,
  last_synced_at timestamptz,
  albums_synced_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE spotify_albums (
  spotify_id varchar(32) NOT NULL PRIMARY KEY,
  artist_id varchar(32) NOT NULL,
  name varchar(255) NOT NULL,
  image_url varchar(512),
  image_path varchar(512),
  is_saved boolean NOT NULL DEFAULT '0',
  release_date varchar(10),
  release_date_precision varchar(10),
  album_type varchar(20) NOT NULL,
  total_tracks integer NOT NULL,
  tracks_synced_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE spotify_tracks (
  spotify_id varchar(32) NOT NULL PRIMARY KEY,
  album_id varchar(32) NOT NULL,
  name varchar(255) NOT NULL,
  track_number integer NOT NULL,
  disc_number integer NOT NULL,
  duration_ms integer NOT NULL,
  explicit boolean NOT NULL,
  preview_url varchar(512),
  isrc varchar(12),
  local_track_id varchar(36),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE spotify_sync_status (
  id varchar(36) NOT NULL PRIMARY KEY,
  sync_type varchar(50) NOT NULL,
  last_sync_at timestamptz,
  next_sync_at timestamptz,
  status varchar(20) NOT NULL,
  error_message text,
  items_synced integer NOT NULL,
  items_added integer NOT NULL,
  items_removed integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE spotify_sessions (
  session_id varchar(64) NOT NULL PRIMARY KEY,
  access_token text,
  refresh_token text,
  token_expires_at timestamptz,
  oauth_state varchar(64),
  code_verifier varchar(128),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_accessed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE spotify_tokens (
  id varchar(64) NOT NULL PRIMARY KEY,
  access_token text NOT NULL,
  refresh_token text NOT NULL,
  token_expires_at timestamptz NOT NULL,
  scopes text,
  is_valid boolean NOT NULL DEFAULT '1',
  last_error text,
  last_error_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_refreshed_at timestamptz
);

CREATE TABLE deezer_sessions (
  session_id varchar(64) NOT NULL PRIMARY KEY,
  access_token text,
  deezer_user_id varchar(50),
  deezer_username varchar(100),
  oauth_state varchar(64),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_accessed_at timestamptz NOT NULL DEFAULT now()
);
`;

export const LEGACY_INDEXES = `
CREATE INDEX ix_soulspot_artists_name ON soulspot_artists (name);
CREATE INDEX ix_soulspot_artists_name_lower ON soulspot_artists (lower(name));
CREATE INDEX ix_soulspot_artists_source ON soulspot_artists (source);
CREATE UNIQUE INDEX ix_soulspot_artists_spotify_uri ON soulspot_artists (spotify_uri);
CREATE UNIQUE INDEX ix_soulspot_artists_musicbrainz_id ON soulspot_artists (musicbrainz_id);
CREATE UNIQUE INDEX ix_soulspot_artists_deezer_id ON soulspot_artists (deezer_id);
CREATE UNIQUE INDEX ix_soulspot_artists_tidal_id ON soulspot_artists (tidal_id);
CREATE INDEX ix_soulspot_artists_updated_at ON soulspot_artists (updated_at);

CREATE INDEX ix_soulspot_albums_title ON soulspot_albums (title);
CREATE INDEX ix_soulspot_albums_title_artist ON soulspot_albums (title, artist_id);
CREATE INDEX ix_soulspot_albums_artist_id ON soulspot_albums (artist_id);
CREATE INDEX ix_soulspot_albums_release_year ON soulspot_albums (release_year);
CREATE UNIQUE INDEX ix_soulspot_albums_spotify_uri ON soulspot_albums (spotify_uri);
CREATE UNIQUE INDEX ix_soulspot_albums_musicbrainz_id ON soulspot_albums (musicbrainz_id);
CREATE UNIQUE INDEX ix_soulspot_albums_deezer_id ON soulspot_albums (deezer_id);
CREATE UNIQUE INDEX ix_soulspot_albums_tidal_id ON soulspot_albums (tidal_id);
CREATE INDEX ix_albums_primary_type ON soulspot_albums (primary_type);
CREATE INDEX ix_soulspot_albums_updated_at ON soulspot_albums (updated_at);

CREATE INDEX ix_soulspot_tracks_title ON soulspot_tracks (title);
CREATE INDEX ix_soulspot_tracks_title_artist ON soulspot_tracks (title, artist_id);
CREATE INDEX ix_soulspot_tracks_source ON soulspot_tracks (source);
CREATE UNIQUE INDEX ix_soulspot_tracks_spotify_uri ON soulspot_tracks (spotify_uri);
CREATE UNIQUE INDEX ix_soulspot_tracks_musicbrainz_id ON soulspot_tracks (musicbrainz_id);
CREATE UNIQUE INDEX ix_soulspot_tracks_isrc ON soulspot_tracks (isrc);
CREATE UNIQUE INDEX ix_soulspot_tracks_deezer_id ON soulspot_tracks (deezer_id);
CREATE UNIQUE INDEX ix_soulspot_tracks_tidal_id ON soulspot_tracks (tidal_id);
CREATE INDEX ix_soulspot_tracks_file_path ON soulspot_tracks (file_path);
CREATE INDEX ix_soulspot_tracks_genre ON soulspot_tracks (genre);
CREATE INDEX ix_soulspot_tracks_file_hash ON soulspot_tracks (file_hash);
CREATE INDEX ix_soulspot_tracks_last_scanned_at ON soulspot_tracks (last_scanned_at);
CREATE INDEX ix_soulspot_tracks_is_broken ON soulspot_tracks (is_broken);
CREATE INDEX ix_soulspot_tracks_broken_updated ON soulspot_tracks (is_broken, updated_at);
CREATE INDEX ix_soulspot_tracks_album_track ON soulspot_tracks (album_id, track_number);
CREATE INDEX ix_soulspot_tracks_album_disc_track ON soulspot_tracks (album_id, disc_number, track_number);
CREATE INDEX ix_soulspot_tracks_updated_at ON soulspot_tracks (updated_at);

CREATE INDEX ix_spotify_artists_name ON spotify_artists (name);
CREATE INDEX ix_spotify_artists_last_synced_at ON spotify_artists (last_synced_at);
CREATE INDEX ix_spotify_albums_artist_id ON spotify_albums (artist_id);
CREATE INDEX ix_spotify_albums_name ON spotify_albums (name);
CREATE INDEX ix_spotify_albums_release_date ON spotify_albums (release_date);
CREATE INDEX ix_spotify_albums_album_type ON spotify_albums (album_type);
CREATE INDEX ix_spotify_tracks_album_id ON spotify_tracks (album_id);
CREATE INDEX ix_spotify_tracks_name ON spotify_tracks (name);
CREATE INDEX ix_spotify_tracks_isrc ON spotify_tracks (isrc);
CREATE INDEX ix_spotify_tracks_local_track_id ON spotify_tracks (local_track_id);
CREATE UNIQUE INDEX ix_spotify_sync_status_sync_type ON spotify_sync_status (sync_type);
CREATE INDEX ix_spotify_sessions_last_accessed ON spotify_sessions (last_accessed_at);
CREATE INDEX ix_spotify_sessions_token_expires ON spotify_sessions (token_expires_at);
CREATE INDEX ix_spotify_tokens_token_expires_at ON spotify_tokens (token_expires_at);
CREATE INDEX ix_spotify_tokens_is_valid ON spotify_tokens (is_valid);
CREATE INDEX ix_deezer_sessions_last_accessed ON deezer_sessions (last_accessed_at);
`;

/** The foreign keys, named as PostgreSQL names an unnamed inline REFERENCES (what Alembic emitted). */
export const LEGACY_FOREIGN_KEYS = `
ALTER TABLE soulspot_albums ADD CONSTRAINT soulspot_albums_artist_id_fkey
  FOREIGN KEY (artist_id) REFERENCES soulspot_artists (id) ON DELETE CASCADE;
ALTER TABLE soulspot_tracks ADD CONSTRAINT soulspot_tracks_artist_id_fkey
  FOREIGN KEY (artist_id) REFERENCES soulspot_artists (id) ON DELETE CASCADE;
ALTER TABLE soulspot_tracks ADD CONSTRAINT soulspot_tracks_album_id_fkey
  FOREIGN KEY (album_id) REFERENCES soulspot_albums (id) ON DELETE SET NULL;
ALTER TABLE spotify_albums ADD CONSTRAINT spotify_albums_artist_id_fkey
  FOREIGN KEY (artist_id) REFERENCES spotify_artists (spotify_id) ON DELETE CASCADE;
ALTER TABLE spotify_tracks ADD CONSTRAINT spotify_tracks_album_id_fkey
  FOREIGN KEY (album_id) REFERENCES spotify_albums (spotify_id) ON DELETE CASCADE;
ALTER TABLE spotify_tracks ADD CONSTRAINT spotify_tracks_local_track_id_fkey
  FOREIGN KEY (local_track_id) REFERENCES soulspot_tracks (id) ON DELETE SET NULL;
`;

/** Every table the generator creates (legacy spotify_* included), for cleanup and assertions. */
export const LEGACY_TABLE_NAMES = [
  'alembic_version',
  'soulspot_artists',
  'soulspot_albums',
  'soulspot_tracks',
  'spotify_artists',
  'spotify_albums',
  'spotify_tracks',
  'spotify_sync_status',
  'spotify_sessions',
  'spotify_tokens',
  'deezer_sessions',
] as const;
