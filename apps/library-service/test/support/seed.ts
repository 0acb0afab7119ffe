import { randomUUID } from 'node:crypto';
import type pg from 'pg';

/**
 * Inserts library rows the way the projection leaves them (entity rows, provider-key members, observations,
 * id redirects, change feed rows), so read-API tests control every edge case exactly.
 */
export interface SeedArtist {
  id?: string;
  name: string;
  source: string;
  spotifyId?: string;
  deezerId?: string;
  musicbrainzId?: string;
  followed?: boolean;
  lastSyncedAt?: Date | string;
  /** Additional provider keys merged into this entity (e.g. a second Spotify id). */
  extraMembers?: string[];
}

export interface SeedAlbum {
  id?: string;
  title: string;
  artistId: string;
  source: string;
  spotifyId?: string;
  deezerId?: string;
  upc?: string;
  saved?: boolean;
  lastSyncedAt?: Date | string;
}

export interface SeedTrack {
  id?: string;
  title: string;
  artistId: string;
  albumId?: string;
  source: string;
  spotifyId?: string;
  deezerId?: string;
  isrc?: string;
  trackNumber?: number;
  lastSyncedAt?: Date | string;
}

type Queryable = Pick<pg.Pool, 'query'>;

async function members(db: Queryable, type: string, id: string, keys: string[], identifiers: Record<string, string | undefined>): Promise<void> {
  for (const key of keys) {
    const [provider] = key.split(':');
    await db.query(
      `INSERT INTO projection_entity_members (member_key, entity_type, entity_id, best_key) VALUES ($1, $2, $3, $4)
       ON CONFLICT (member_key) DO UPDATE SET entity_id = excluded.entity_id`,
      [key, type, id, keys[0]],
    );
    await db.query(
      `INSERT INTO projection_observations (provider_key, entity_type, provider, event_id, observed_at, data) VALUES ($1, $2, $3, $4, now(), $5)
       ON CONFLICT (provider_key) DO NOTHING`,
      [key, type, provider, randomUUID(), JSON.stringify(identifiers)],
    );
  }
}

async function change(db: Queryable, type: string, id: string, op = 'upsert', redirectTo: string | null = null): Promise<void> {
  await db.query('INSERT INTO projection_changes (entity_type, entity_id, op, redirect_to) VALUES ($1, $2, $3, $4)', [type, id, op, redirectTo]);
}

export async function seedArtist(db: Queryable, artist: SeedArtist): Promise<string> {
  const id = artist.id ?? randomUUID();
  await db.query(
    `INSERT INTO soulspot_artists (id, name, source, spotify_uri, deezer_id, musicbrainz_id, is_followed, last_synced_at, genres, follower_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '["pop"]', 42)`,
    [id, artist.name, artist.source, artist.spotifyId ? `spotify:artist:${artist.spotifyId}` : null, artist.deezerId ?? null, artist.musicbrainzId ?? null, artist.followed ?? false, artist.lastSyncedAt ?? new Date()],
  );
  const keys = [
    ...(artist.spotifyId ? [`spotify:artist:${artist.spotifyId}`] : []),
    ...(artist.deezerId ? [`deezer:artist:${artist.deezerId}`] : []),
    ...(artist.extraMembers ?? []),
  ];
  await members(db, 'artist', id, keys, { musicbrainzId: artist.musicbrainzId });
  if (artist.musicbrainzId && keys.length > 0) {
    await db.query('INSERT INTO projection_identity_links (identity_key, member_key) VALUES ($1, $2)', [`mbid:artist:${artist.musicbrainzId}`, keys[0]]);
  }
  await change(db, 'artist', id);
  return id;
}

export async function seedAlbum(db: Queryable, album: SeedAlbum): Promise<string> {
  const id = album.id ?? randomUUID();
  await db.query(
    `INSERT INTO soulspot_albums (id, title, artist_id, source, spotify_uri, deezer_id, upc, is_saved, last_synced_at, release_date, release_date_precision, primary_type, total_tracks)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '2001-03-12', 'day', 'album', 14)`,
    [id, album.title, album.artistId, album.source, album.spotifyId ? `spotify:album:${album.spotifyId}` : null, album.deezerId ?? null, album.upc ?? null, album.saved ?? false, album.lastSyncedAt ?? new Date()],
  );
  const keys = [...(album.spotifyId ? [`spotify:album:${album.spotifyId}`] : []), ...(album.deezerId ? [`deezer:album:${album.deezerId}`] : [])];
  await members(db, 'album', id, keys, { upc: album.upc });
  await change(db, 'album', id);
  return id;
}

export async function seedTrack(db: Queryable, track: SeedTrack): Promise<string> {
  const id = track.id ?? randomUUID();
  await db.query(
    `INSERT INTO soulspot_tracks (id, title, artist_id, album_id, source, spotify_uri, deezer_id, isrc, track_number, duration_ms, last_synced_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 215000, $10)`,
    [id, track.title, track.artistId, track.albumId ?? null, track.source, track.spotifyId ? `spotify:track:${track.spotifyId}` : null, track.deezerId ?? null, track.isrc ?? null, track.trackNumber ?? null, track.lastSyncedAt ?? new Date()],
  );
  const keys = [...(track.spotifyId ? [`spotify:track:${track.spotifyId}`] : []), ...(track.deezerId ? [`deezer:track:${track.deezerId}`] : [])];
  await members(db, 'track', id, keys, { isrc: track.isrc });
  await change(db, 'track', id);
  return id;
}

/** Records that `oldId` was merged into `newId` (the row of oldId is gone, as after a projection merge). */
export async function seedRedirect(db: Queryable, type: 'artist' | 'album' | 'track', oldId: string, newId: string): Promise<void> {
  await db.query('INSERT INTO projection_id_redirects (entity_type, old_id, new_id) VALUES ($1, $2, $3)', [type, oldId, newId]);
  await change(db, type, oldId, 'delete', newId);
}
