import { describe, expect, it } from 'vitest';
import { columnExpr, mapColumns, observedAtExpr, UnmappableLayoutError } from './mapping';
import { SPOTIFY_ALBUMS, SPOTIFY_TRACKS } from './sources';

describe('column mapping by introspection', () => {
  it('maps the real legacy layout of spotify_albums', () => {
    const m = mapColumns('public.spotify_albums', SPOTIFY_ALBUMS.fields, [
      'spotify_id', 'artist_id', 'name', 'image_url', 'image_path', 'is_saved', 'release_date', 'release_date_precision',
      'album_type', 'total_tracks', 'tracks_synced_at', 'created_at', 'updated_at',
    ]);
    expect(m).toMatchObject({ id: 'spotify_id', title: 'name', artist_id: 'artist_id', image_url: 'image_url', upc: null });
  });

  it("maps the seed plan's variant names (title, cover_url, artist_spotify_id, spotify_uri)", () => {
    const m = mapColumns('public.spotify_albums', SPOTIFY_ALBUMS.fields, ['spotify_uri', 'title', 'artist_spotify_id', 'cover_url', 'release_date']);
    expect(m).toMatchObject({ id: 'spotify_uri', title: 'title', artist_id: 'artist_spotify_id', image_url: 'cover_url', album_type: null });
    expect(columnExpr(m, 'al', 'album_type')).toBe('NULL::text');
    expect(columnExpr(m, 'al', 'title')).toBe('al."title"');
  });

  it('fails naming the table, the field and the columns it looked for', () => {
    const attempt = () => mapColumns('public.spotify_tracks', SPOTIFY_TRACKS.fields, ['spotify_id', 'name', 'isrc', 'albumref']);
    expect(attempt).toThrow(UnmappableLayoutError);
    expect(attempt).toThrow(/public\.spotify_tracks.*'album_id'.*album_id, album_spotify_id.*albumref/);
  });

  it('builds observed_at from the first present timestamp, as timestamptz', () => {
    const m = { synced_at: null, updated_at: 'updated_at', created_at: 'created_at' };
    expect(observedAtExpr(m, 't', ['synced_at', 'updated_at', 'created_at'])).toBe('coalesce(t."updated_at"::timestamptz, t."created_at"::timestamptz)');
    expect(observedAtExpr({ synced_at: null }, 't', ['synced_at'])).toBe('NULL::timestamptz');
  });
});
