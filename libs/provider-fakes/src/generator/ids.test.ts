import { describe, expect, it } from 'vitest';
import { deezerId, deezerIndex, isWellFormedSpotifyId, spotifyId, spotifyIndex } from './ids';

describe('provider ids', () => {
  it('Spotify ids are 22-char base62, round-trip, and are unknown for another kind or seed', () => {
    for (const index of [0, 1, 61, 62, 12_345, 239_999, 62 ** 6 - 1]) {
      const id = spotifyId(8, 'track', index);
      expect(isWellFormedSpotifyId(id)).toBe(true);
      expect(spotifyIndex(8, 'track', id)).toBe(index);
      expect(spotifyIndex(8, 'album', id)).toBeNull();
      expect(spotifyIndex(9, 'track', id)).toBeNull();
    }
  });

  it('neighbouring indexes get unrelated-looking ids and a one-character typo is unknown', () => {
    const a = spotifyId(1, 'artist', 100);
    const b = spotifyId(1, 'artist', 101);
    expect(a.slice(0, 3)).not.toBe(b.slice(0, 3));
    const typo = (a[10] === 'x' ? 'y' : 'x') + '';
    expect(spotifyIndex(1, 'artist', a.slice(0, 10) + typo + a.slice(11))).toBeNull();
    expect(spotifyIndex(1, 'artist', 'not-an-id')).toBeNull();
  });

  it('Deezer ids are integers per kind range', () => {
    expect(deezerIndex('album', deezerId('album', 17))).toBe(17);
    expect(deezerIndex('album', String(deezerId('album', 17)))).toBe(17);
    expect(deezerIndex('artist', deezerId('album', 17))).toBeNull();
    expect(deezerIndex('track', 'abc')).toBeNull();
  });
});
