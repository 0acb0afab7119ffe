import { describe, expect, it } from 'vitest';
import { mapColumns } from './mapping';
import { pageQuery, parseGroupedPosition, type Mappings } from './queries';
import { SPOTIFY_ALBUMS, SPOTIFY_ARTISTS, SPOTIFY_TRACKS } from './sources';

/** The real legacy layout of the three spotify_* tables (reference §1.4). */
function realLayout(): Mappings {
  return new Map([
    [SPOTIFY_ARTISTS, mapColumns('a', SPOTIFY_ARTISTS.fields, ['spotify_id', 'name', 'image_url', 'genres', 'popularity', 'follower_count', 'last_synced_at', 'created_at', 'updated_at'])],
    [SPOTIFY_ALBUMS, mapColumns('al', SPOTIFY_ALBUMS.fields, ['spotify_id', 'artist_id', 'name', 'image_url', 'is_saved', 'release_date', 'release_date_precision', 'album_type', 'total_tracks', 'created_at', 'updated_at'])],
    [SPOTIFY_TRACKS, mapColumns('t', SPOTIFY_TRACKS.fields, ['spotify_id', 'album_id', 'name', 'track_number', 'disc_number', 'duration_ms', 'explicit', 'preview_url', 'isrc', 'created_at', 'updated_at'])],
  ]);
}

describe('replay page queries', () => {
  it('pages tracks by track id by default: the position is the id', () => {
    const query = pageQuery(SPOTIFY_TRACKS, realLayout());
    expect(query.order).toEqual(['spotify_id']);
    expect(query.next).toMatch(/WHERE t\."spotify_id" > \$1 ORDER BY t\."spotify_id" LIMIT \$2$/);
    const position = query.positionOf({ key: 'tr1', album_id: 'al9' });
    expect(position).toBe('tr1');
    expect(query.after(position)).toEqual(['tr1']);
  });

  it('pages tracks by album, then id, when asked: the position is the (album, id) pair', () => {
    const query = pageQuery(SPOTIFY_TRACKS, realLayout(), { tracksByAlbum: true });
    expect(query.order).toEqual(['album_id', 'spotify_id']);
    expect(query.first).toMatch(/ORDER BY t\."album_id", t\."spotify_id" LIMIT \$1$/);
    expect(query.next).toMatch(/WHERE \(t\."album_id", t\."spotify_id"\) > \(\$1, \$2\) ORDER BY t\."album_id", t\."spotify_id" LIMIT \$3$/);
    const position = query.positionOf({ key: 'tr1', page_group: 'al"9' });
    expect(query.after(position)).toEqual(['al"9', 'tr1']);
  });

  it('pages by the given key columns when the id column is not a key: the position is the key, the id still the row key', () => {
    const query = pageQuery(SPOTIFY_TRACKS, realLayout(), { keyset: ['id'], tracksByAlbum: true });
    expect(query.order).toEqual(['id']);
    expect(query.first).toMatch(/^SELECT t\."spotify_id"::text AS key, t\."id"::text AS cursor_0, .* ORDER BY t\."id" LIMIT \$1$/s);
    expect(query.next).toMatch(/WHERE \(t\."id"\) > \(\$1\) ORDER BY t\."id" LIMIT \$2$/);
    const position = query.positionOf({ key: null, cursor_0: '42' });
    expect(query.after(position)).toEqual(['42']);
    expect(() => query.after('tr1')).toThrow(/not a position of its primary key.*replay --restart/);
  });

  it('only tracks are paged by album', () => {
    expect(pageQuery(SPOTIFY_ALBUMS, realLayout(), { tracksByAlbum: true }).order).toEqual(['spotify_id']);
  });

  it('refuses a stored position of the other order, naming the table and the way out', () => {
    expect(() => parseGroupedPosition('4iV5W9uYEdYUVa79Axb7Rh', SPOTIFY_TRACKS)).toThrow(/public\.spotify_tracks.*4iV5W9uYEdYUVa79Axb7Rh.*replay --restart/);
    expect(() => parseGroupedPosition('["al1"]', SPOTIFY_TRACKS)).toThrow(/not an \(album, track\) position/);
    expect(() => parseGroupedPosition('[1, 2]', SPOTIFY_TRACKS)).toThrow(/not an \(album, track\) position/);
    expect(parseGroupedPosition('["al1","tr2"]', SPOTIFY_TRACKS)).toEqual(['al1', 'tr2']);
  });
});
