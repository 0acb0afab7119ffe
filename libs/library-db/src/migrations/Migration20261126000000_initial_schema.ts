import { Migration } from '@mikro-orm/migrations';

/**
 * The whole `soulspot` database for a fresh install.
 *
 * soulspot_artists / soulspot_albums / soulspot_tracks keep every column of the original SoulSpot models with
 * the same names and compatible types (ids varchar(36), lists as JSON text), so a converted legacy database ends
 * with the same schema; the additions of the consolidation plan and of the projection are marked below.
 * Index names follow the original migrations (ix_soulspot_*), plus the plan's idx_*_last_synced.
 */
export class Migration20261126000000_initial_schema extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table soulspot_artists (
  id varchar(36) not null primary key,
  name varchar(255) not null,
  source varchar(20) not null default 'local',
  spotify_uri varchar(255) null,
  musicbrainz_id varchar(36) null,
  deezer_id varchar(50) null,
  tidal_id varchar(50) null,
  image_url varchar(512) null,
  image_path varchar(512) null,
  genres text null,
  tags text null,
  disambiguation varchar(255) null,
  popularity integer null,
  follower_count integer null,
  last_synced_at timestamptz null,
  albums_synced_at timestamptz null,
  ownership_state varchar(20) not null default 'discovered',
  primary_source varchar(20) null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- additions: followed on each provider (from LibrarySnapshot), is_followed = followed anywhere
  is_followed boolean not null default false,
  spotify_followed boolean not null default false,
  deezer_followed boolean not null default false
);`);
    this.addSql(`create index ix_soulspot_artists_name on soulspot_artists (name);`);
    this.addSql(`create index ix_soulspot_artists_name_lower on soulspot_artists (lower(name));`);
    this.addSql(`create index ix_soulspot_artists_source on soulspot_artists (source);`);
    this.addSql(`create unique index ix_soulspot_artists_spotify_uri on soulspot_artists (spotify_uri);`);
    this.addSql(`create unique index ix_soulspot_artists_musicbrainz_id on soulspot_artists (musicbrainz_id);`);
    this.addSql(`create unique index ix_soulspot_artists_deezer_id on soulspot_artists (deezer_id);`);
    this.addSql(`create unique index ix_soulspot_artists_tidal_id on soulspot_artists (tidal_id);`);
    this.addSql(`create index idx_artists_last_synced on soulspot_artists (last_synced_at);`);
    this.addSql(`create index ix_soulspot_artists_updated_at on soulspot_artists (updated_at);`);
    this.addSql(`create index ix_soulspot_artists_ownership_state on soulspot_artists (ownership_state);`);
    this.addSql(`create index ix_soulspot_artists_primary_source on soulspot_artists (primary_source);`);

    this.addSql(`
create table soulspot_albums (
  id varchar(36) not null primary key,
  title varchar(255) not null,
  artist_id varchar(36) not null references soulspot_artists (id) on delete cascade,
  source varchar(20) not null default 'local',
  release_year integer null,
  release_date varchar(10) null,
  release_date_precision varchar(10) null,
  spotify_uri varchar(255) null,
  musicbrainz_id varchar(36) null,
  deezer_id varchar(50) null,
  tidal_id varchar(50) null,
  cover_url varchar(512) null,
  cover_path varchar(512) null,
  album_artist varchar(255) null,
  primary_type varchar(20) not null default 'album',
  secondary_types json not null default '[]',
  disambiguation varchar(255) null,
  total_tracks integer null,
  is_saved boolean not null default false,
  tracks_synced_at timestamptz null,
  ownership_state varchar(20) not null default 'discovered',
  primary_source varchar(20) null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- additions: UPC/EAN as GTIN-13, plan columns, saved on each provider (is_saved = saved anywhere)
  upc varchar(13) null,
  last_synced_at timestamptz null,
  image_path varchar(512) null,
  spotify_saved boolean not null default false,
  deezer_saved boolean not null default false
);`);
    this.addSql(`create index ix_soulspot_albums_title on soulspot_albums (title);`);
    this.addSql(`create index ix_soulspot_albums_title_artist on soulspot_albums (title, artist_id);`);
    this.addSql(`create index ix_soulspot_albums_artist_id on soulspot_albums (artist_id);`);
    this.addSql(`create index ix_soulspot_albums_source on soulspot_albums (source);`);
    this.addSql(`create index ix_soulspot_albums_release_year on soulspot_albums (release_year);`);
    this.addSql(`create index ix_albums_primary_type on soulspot_albums (primary_type);`);
    this.addSql(`create unique index ix_soulspot_albums_spotify_uri on soulspot_albums (spotify_uri);`);
    this.addSql(`create unique index ix_soulspot_albums_musicbrainz_id on soulspot_albums (musicbrainz_id);`);
    this.addSql(`create unique index ix_soulspot_albums_deezer_id on soulspot_albums (deezer_id);`);
    this.addSql(`create unique index ix_soulspot_albums_tidal_id on soulspot_albums (tidal_id);`);
    this.addSql(`create unique index ix_soulspot_albums_upc on soulspot_albums (upc);`);
    this.addSql(`create index idx_albums_last_synced on soulspot_albums (last_synced_at);`);
    this.addSql(`create index ix_soulspot_albums_updated_at on soulspot_albums (updated_at);`);
    this.addSql(`create index ix_soulspot_albums_ownership_state on soulspot_albums (ownership_state);`);
    this.addSql(`create index ix_soulspot_albums_primary_source on soulspot_albums (primary_source);`);

    this.addSql(`
create table soulspot_tracks (
  id varchar(36) not null primary key,
  title varchar(255) not null,
  artist_id varchar(36) not null references soulspot_artists (id) on delete cascade,
  album_id varchar(36) null references soulspot_albums (id) on delete set null,
  source varchar(20) not null default 'local',
  duration_ms integer not null default 0,
  track_number integer null,
  disc_number integer not null default 1,
  explicit boolean not null default false,
  preview_url varchar(512) null,
  spotify_uri varchar(255) null,
  musicbrainz_id varchar(36) null,
  isrc varchar(12) null,
  deezer_id varchar(50) null,
  tidal_id varchar(50) null,
  file_path varchar(512) null,
  genre varchar(100) null,
  file_size bigint null,
  file_hash varchar(64) null,
  file_hash_algorithm varchar(20) null,
  last_scanned_at timestamptz null,
  is_broken boolean not null default false,
  audio_bitrate integer null,
  audio_sample_rate integer null,
  audio_format varchar(20) null,
  ownership_state varchar(20) not null default 'discovered',
  download_state varchar(20) not null default 'not_needed',
  primary_source varchar(20) null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- additions of the consolidation plan
  last_synced_at timestamptz null,
  image_path varchar(512) null
);`);
    this.addSql(`create index ix_soulspot_tracks_title on soulspot_tracks (title);`);
    this.addSql(`create index ix_soulspot_tracks_title_artist on soulspot_tracks (title, artist_id);`);
    this.addSql(`create index ix_soulspot_tracks_artist_id on soulspot_tracks (artist_id);`);
    this.addSql(`create index ix_soulspot_tracks_album_id on soulspot_tracks (album_id);`);
    this.addSql(`create index ix_soulspot_tracks_source on soulspot_tracks (source);`);
    this.addSql(`create unique index ix_soulspot_tracks_spotify_uri on soulspot_tracks (spotify_uri);`);
    this.addSql(`create unique index ix_soulspot_tracks_musicbrainz_id on soulspot_tracks (musicbrainz_id);`);
    this.addSql(`create unique index ix_soulspot_tracks_isrc on soulspot_tracks (isrc);`);
    this.addSql(`create unique index ix_soulspot_tracks_deezer_id on soulspot_tracks (deezer_id);`);
    this.addSql(`create unique index ix_soulspot_tracks_tidal_id on soulspot_tracks (tidal_id);`);
    this.addSql(`create index ix_soulspot_tracks_file_path on soulspot_tracks (file_path);`);
    this.addSql(`create index ix_soulspot_tracks_genre on soulspot_tracks (genre);`);
    this.addSql(`create index ix_soulspot_tracks_file_hash on soulspot_tracks (file_hash);`);
    this.addSql(`create index ix_soulspot_tracks_last_scanned_at on soulspot_tracks (last_scanned_at);`);
    this.addSql(`create index ix_soulspot_tracks_is_broken on soulspot_tracks (is_broken);`);
    this.addSql(`create index ix_soulspot_tracks_broken_updated on soulspot_tracks (is_broken, updated_at);`);
    this.addSql(`create index ix_soulspot_tracks_album_track on soulspot_tracks (album_id, track_number);`);
    this.addSql(`create index ix_soulspot_tracks_album_disc_track on soulspot_tracks (album_id, disc_number, track_number);`);
    this.addSql(`create index ix_soulspot_tracks_updated_at on soulspot_tracks (updated_at);`);
    this.addSql(`create index idx_tracks_last_synced on soulspot_tracks (last_synced_at);`);

    this.addSql(`
create table provider_sync_status (
  id varchar(36) not null primary key,
  entity_type varchar(32) not null,
  entity_id varchar(255) not null,
  provider varchar(32) not null,
  last_sync_at timestamptz null,
  next_sync_allowed_at timestamptz null,
  status varchar(20) not null default 'idle',
  error_message text null,
  items_synced integer not null default 0,
  items_added integer not null default 0,
  items_removed integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint uq_provider_sync_status_provider_entity unique (provider, entity_type, entity_id)
);`);
    this.addSql(`create index ix_provider_sync_status_next_sync on provider_sync_status (next_sync_allowed_at);`);

    this.addSql(`
create table spotify_sessions (
  session_id varchar(64) not null primary key,
  access_token text null,
  refresh_token text null,
  token_expires_at timestamptz null,
  oauth_state varchar(64) null,
  code_verifier varchar(128) null,
  created_at timestamptz not null default now(),
  last_accessed_at timestamptz not null default now()
);`);
    this.addSql(`create index ix_spotify_sessions_last_accessed on spotify_sessions (last_accessed_at);`);
    this.addSql(`create index ix_spotify_sessions_token_expires on spotify_sessions (token_expires_at);`);

    this.addSql(`
create table spotify_tokens (
  id varchar(64) not null primary key,
  access_token text not null,
  refresh_token text not null,
  token_expires_at timestamptz not null,
  scopes text null,
  is_valid boolean not null default true,
  last_error text null,
  last_error_at timestamptz null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_refreshed_at timestamptz null
);`);
    this.addSql(`create index ix_spotify_tokens_token_expires_at on spotify_tokens (token_expires_at);`);
    this.addSql(`create index ix_spotify_tokens_is_valid on spotify_tokens (is_valid);`);

    this.addSql(`
create table deezer_sessions (
  session_id varchar(64) not null primary key,
  access_token text null,
  deezer_user_id varchar(50) null,
  deezer_username varchar(100) null,
  oauth_state varchar(64) null,
  created_at timestamptz not null default now(),
  last_accessed_at timestamptz not null default now(),
  -- additions for the connector's OAuth flow
  code_verifier varchar(128) null,
  token_expires_at timestamptz null
);`);
    this.addSql(`create index ix_deezer_sessions_last_accessed on deezer_sessions (last_accessed_at);`);

    // ---- projection (library-service) ----
    this.addSql(`
create table projection_checkpoints (
  projection varchar(64) not null,
  topic varchar(255) not null,
  partition integer not null,
  next_offset bigint not null,
  updated_at timestamptz not null default now(),
  primary key (projection, topic, partition)
);`);
    // Latest observation per provider key (by observed_at, then event_id): the compact per-provider state.
    this.addSql(`
create table projection_observations (
  provider_key varchar(320) not null primary key,
  entity_type varchar(16) not null,
  provider varchar(16) not null,
  event_id varchar(36) not null,
  observed_at timestamptz not null,
  data jsonb not null
);`);
    // Every provider key known to the projection (observed or referenced) and the entity it resolves to.
    // best_key is the cluster's highest-priority identity key (the entity id is UUIDv5 of it). ref_* is the
    // greatest reference to this key made by other entities' events (name etc. when never observed itself).
    this.addSql(`
create table projection_entity_members (
  member_key varchar(320) not null primary key,
  entity_type varchar(16) not null,
  entity_id varchar(36) not null,
  best_key varchar(320) not null,
  ref_name varchar(255) null,
  ref_musicbrainz_id varchar(36) null,
  ref_parent_key varchar(320) null,
  ref_observed_at timestamptz null,
  ref_rank smallint null,
  ref_event_id varchar(36) null
);`);
    this.addSql(`create index ix_projection_entity_members_entity on projection_entity_members (entity_id);`);
    // Identity keys (mbid, isrc, upc, artist evidence) claimed for provider keys: grow-only, so the clustering is
    // a function of the set of events seen, whatever their order.
    this.addSql(`
create table projection_identity_links (
  identity_key varchar(400) not null,
  member_key varchar(320) not null,
  primary key (identity_key, member_key)
);`);
    this.addSql(`
create table projection_id_redirects (
  entity_type varchar(16) not null,
  old_id varchar(36) not null,
  new_id varchar(36) not null,
  created_at timestamptz not null default now(),
  primary key (entity_type, old_id)
);`);
    this.addSql(`create index ix_projection_id_redirects_new on projection_id_redirects (new_id);`);
    // Latest positive library evidence per provider key (saved album / followed artist).
    this.addSql(`
create table projection_library_marks (
  member_key varchar(320) not null primary key,
  listed_at timestamptz not null
);`);
    // Latest COMPLETE library snapshot per snapshot key (<provider>:library:<kind>).
    this.addSql(`
create table projection_snapshots (
  snapshot_key varchar(64) not null primary key,
  observed_at timestamptz not null,
  event_id varchar(36) not null
);`);
    this.addSql(`
create table projection_dead_letters (
  id bigserial primary key,
  projection varchar(64) not null,
  topic varchar(255) not null,
  partition integer not null,
  "offset" bigint not null,
  key text null,
  event_id varchar(36) null,
  error text not null,
  payload bytea null,
  headers jsonb not null default '{}',
  status varchar(16) not null default 'dead',
  attempts integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint uq_projection_dead_letters_position unique (projection, topic, partition, "offset")
);`);
    this.addSql(`create index ix_projection_dead_letters_key on projection_dead_letters (projection, key) where status = 'dead';`);
    this.addSql(`
create table projection_parked_events (
  id bigserial primary key,
  projection varchar(64) not null,
  topic varchar(255) not null,
  partition integer not null,
  "offset" bigint not null,
  key text not null,
  payload bytea null,
  headers jsonb not null default '{}',
  created_at timestamptz not null default now(),
  constraint uq_projection_parked_events_position unique (projection, topic, partition, "offset")
);`);
    this.addSql(`create index ix_projection_parked_events_key on projection_parked_events (projection, key);`);
    // Change feed: one row per soulspot_* row written or deleted, in the same transaction as the write.
    this.addSql(`
create table projection_changes (
  seq bigserial primary key,
  entity_type varchar(16) not null,
  entity_id varchar(36) not null,
  op varchar(16) not null,
  redirect_to varchar(36) null,
  changed_at timestamptz not null default now()
);`);
  }

  override async down(): Promise<void> {
    for (const table of [
      'projection_changes',
      'projection_parked_events',
      'projection_dead_letters',
      'projection_snapshots',
      'projection_library_marks',
      'projection_id_redirects',
      'projection_identity_links',
      'projection_entity_members',
      'projection_observations',
      'projection_checkpoints',
      'deezer_sessions',
      'spotify_tokens',
      'spotify_sessions',
      'provider_sync_status',
      'soulspot_tracks',
      'soulspot_albums',
      'soulspot_artists',
    ]) {
      this.addSql(`drop table if exists ${table};`);
    }
  }
}
