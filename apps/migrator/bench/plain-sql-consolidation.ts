/**
 * The seed plan's "Phase 2" consolidation as plain SQL — `INSERT … SELECT … ON CONFLICT` from spotify_* into
 * soulspot_* — corrected to the real legacy column names (spotify_*.name, image_url, artist_id / album_id hold
 * bare ids; soulspot_* store full URIs, as migration ww34019yyz67 did). It first adds the columns the
 * consolidation added (ww34019yyz67). This is the baseline the migrator's replay + projection is compared with.
 *
 * Differences from the plan's SQL (which used title / cover_url / artist_spotify_id and stored bare ids):
 *  - names: spotify_albums.name -> title, image_url -> artwork_url (the pre-consolidation soulspot_albums column),
 *    artist_id/album_id joins via full URIs;
 *  - tracks: ON CONFLICT DO NOTHING without a target, so a second legacy track with an ISRC that is already
 *    present (same recording on two albums) is skipped instead of aborting on the unique isrc index.
 */
export const PLAIN_SQL_CONSOLIDATION = [
  `ALTER TABLE soulspot_artists ADD COLUMN IF NOT EXISTS image_path varchar(512), ADD COLUMN IF NOT EXISTS popularity integer,
     ADD COLUMN IF NOT EXISTS follower_count integer, ADD COLUMN IF NOT EXISTS last_synced_at timestamptz,
     ADD COLUMN IF NOT EXISTS albums_synced_at timestamptz`,
  `ALTER TABLE soulspot_albums ADD COLUMN IF NOT EXISTS source varchar(20) NOT NULL DEFAULT 'local',
     ADD COLUMN IF NOT EXISTS release_date varchar(10), ADD COLUMN IF NOT EXISTS release_date_precision varchar(10),
     ADD COLUMN IF NOT EXISTS total_tracks integer, ADD COLUMN IF NOT EXISTS is_saved boolean NOT NULL DEFAULT false,
     ADD COLUMN IF NOT EXISTS tracks_synced_at timestamptz`,
  `CREATE INDEX IF NOT EXISTS ix_soulspot_artists_last_synced ON soulspot_artists (last_synced_at)`,
  `CREATE INDEX IF NOT EXISTS ix_soulspot_albums_source ON soulspot_albums (source)`,
  `INSERT INTO soulspot_artists (id, name, source, spotify_uri, image_url, image_path, genres, popularity, follower_count,
                                 last_synced_at, albums_synced_at, created_at, updated_at)
   SELECT gen_random_uuid()::text, sa.name, 'spotify', 'spotify:artist:' || sa.spotify_id, sa.image_url, sa.image_path, sa.genres,
          sa.popularity, sa.follower_count, sa.last_synced_at, sa.albums_synced_at, sa.created_at, sa.updated_at
   FROM spotify_artists sa
   ON CONFLICT (spotify_uri) DO UPDATE SET
     name = EXCLUDED.name, image_url = EXCLUDED.image_url, genres = coalesce(EXCLUDED.genres, soulspot_artists.genres),
     popularity = EXCLUDED.popularity, follower_count = EXCLUDED.follower_count, last_synced_at = EXCLUDED.last_synced_at,
     source = CASE WHEN soulspot_artists.source IN ('local', 'deezer') THEN 'hybrid' ELSE soulspot_artists.source END,
     updated_at = EXCLUDED.updated_at`,
  `INSERT INTO soulspot_albums (id, title, artist_id, source, release_year, release_date, release_date_precision, spotify_uri,
                                artwork_url, primary_type, secondary_types, total_tracks, is_saved, tracks_synced_at, created_at, updated_at)
   SELECT gen_random_uuid()::text, sal.name, ar.id, 'spotify', nullif(substr(sal.release_date, 1, 4), '')::int, sal.release_date,
          sal.release_date_precision, 'spotify:album:' || sal.spotify_id, sal.image_url,
          CASE WHEN sal.album_type = 'compilation' THEN 'album' ELSE sal.album_type END,
          CASE WHEN sal.album_type = 'compilation' THEN '["compilation"]'::json ELSE '[]'::json END,
          sal.total_tracks, sal.is_saved, sal.tracks_synced_at, sal.created_at, sal.updated_at
   FROM spotify_albums sal JOIN soulspot_artists ar ON ar.spotify_uri = 'spotify:artist:' || sal.artist_id
   ON CONFLICT (spotify_uri) DO UPDATE SET
     title = EXCLUDED.title, artwork_url = EXCLUDED.artwork_url, release_date = EXCLUDED.release_date,
     release_date_precision = EXCLUDED.release_date_precision, total_tracks = EXCLUDED.total_tracks,
     is_saved = EXCLUDED.is_saved, updated_at = EXCLUDED.updated_at`,
  `INSERT INTO soulspot_tracks (id, title, artist_id, album_id, source, duration_ms, track_number, disc_number, explicit,
                                preview_url, spotify_uri, isrc, created_at, updated_at)
   SELECT gen_random_uuid()::text, st.name, al.artist_id, al.id, 'spotify', st.duration_ms, st.track_number, st.disc_number,
          st.explicit, st.preview_url, 'spotify:track:' || st.spotify_id, upper(st.isrc), st.created_at, st.updated_at
   FROM spotify_tracks st JOIN soulspot_albums al ON al.spotify_uri = 'spotify:album:' || st.album_id
   ON CONFLICT DO NOTHING`,
] as const;
