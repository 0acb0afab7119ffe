import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError } from './invalid-identifier-error';
import { spotifyIdFromUri, spotifyUri, spotifyUriType } from './spotify-uri';

describe('spotify URIs', () => {
  it('builds the full URI SoulSpot stores', () => {
    expect(spotifyUri('artist', '4Z8W4fKeB5YxbusRsdQVPb')).toBe('spotify:artist:4Z8W4fKeB5YxbusRsdQVPb');
  });

  it('refuses ids that would make a malformed URI', () => {
    expect(() => spotifyUri('track', '')).toThrow(InvalidIdentifierError);
    expect(() => spotifyUri('track', 'a:b')).toThrow(InvalidIdentifierError);
  });

  it('extracts the bare id, optionally checking the type', () => {
    expect(spotifyIdFromUri('spotify:album:1DFixLWuPkv3KT3TnV35m3')).toBe('1DFixLWuPkv3KT3TnV35m3');
    expect(spotifyIdFromUri('spotify:album:1DFixLWuPkv3KT3TnV35m3', 'album')).toBe('1DFixLWuPkv3KT3TnV35m3');
    expect(spotifyIdFromUri('spotify:album:1DFixLWuPkv3KT3TnV35m3', 'track')).toBeNull();
  });

  it('returns null for things that are not Spotify URIs', () => {
    expect(spotifyIdFromUri('deezer:302127')).toBeNull();
    expect(spotifyIdFromUri('spotify:show:abc')).toBeNull();
    expect(spotifyIdFromUri('')).toBeNull();
    expect(spotifyIdFromUri(null)).toBeNull();
    expect(spotifyUriType('spotify:user:someone')).toBe('user');
    expect(spotifyUriType('https://open.spotify.com/track/x')).toBeNull();
  });
});
