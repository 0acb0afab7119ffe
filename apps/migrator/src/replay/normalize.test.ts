import { describe, expect, it } from 'vitest';
import { AlbumType, ReleaseDatePrecision } from '@soulspot/contracts';
import { albumTypeOf, bareSpotifyId, cleanIsrc, cleanMbid, legacyReleaseDate, parseGenres } from './normalize';

describe('legacy value normalization', () => {
  it('accepts bare Spotify ids and full URIs of the right type only', () => {
    expect(bareSpotifyId('4Z8W4fKeB5YxbusRsdQVPb', 'artist')).toBe('4Z8W4fKeB5YxbusRsdQVPb');
    expect(bareSpotifyId('spotify:artist:4Z8W4fKeB5YxbusRsdQVPb', 'artist')).toBe('4Z8W4fKeB5YxbusRsdQVPb');
    expect(bareSpotifyId('spotify:album:4Z8W4fKeB5YxbusRsdQVPb', 'artist')).toBeNull();
    expect(bareSpotifyId('deezer:123', 'track')).toBeNull();
    expect(bareSpotifyId(null, 'track')).toBeNull();
  });

  it('accepts the same odd ids bare as inside a URI (what the projection keys), never ones that would break the key', () => {
    for (const odd of ['6rqhFgbbKwnb9MLmUQDhG6-x', 'abc_DEF.1', 'Åland99']) {
      expect(bareSpotifyId(odd, 'track')).toBe(odd);
      expect(bareSpotifyId(`spotify:track:${odd}`, 'track')).toBe(odd);
    }
    for (const broken of ['a b', 'a:b', '', 'x'.repeat(201)]) expect(bareSpotifyId(broken, 'track')).toBeNull();
    // longer than the projection keys: skipped and reported here rather than dead-lettered there
    expect(bareSpotifyId(`spotify:track:${'x'.repeat(201)}`, 'track')).toBeNull();
    expect(bareSpotifyId(`spotify:track:${'x'.repeat(200)}`, 'track')).toBe('x'.repeat(200));
  });

  it('normalizes ISRCs and drops junk instead of sending it', () => {
    expect(cleanIsrc('us-rc1-76-07839')).toEqual({ isrc: 'USRC17607839', dropped: false });
    expect(cleanIsrc('UNKNOWN')).toEqual({ isrc: '', dropped: true });
    expect(cleanIsrc(null)).toEqual({ isrc: '', dropped: false });
  });

  it('parses genres stored as JSON text, comma lists or NULL', () => {
    expect(parseGenres('["rock", "indie rock", "rock"]')).toEqual(['rock', 'indie rock']);
    expect(parseGenres('rock, pop')).toEqual(['rock', 'pop']);
    expect(parseGenres(null)).toEqual([]);
    expect(parseGenres('[]')).toEqual([]);
  });

  it('keeps year/month/day precision and trusts a coarser legacy precision', () => {
    expect(legacyReleaseDate('1994', 'year')).toEqual({ releaseDate: '1994', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR });
    expect(legacyReleaseDate('1994-03', 'month')).toEqual({ releaseDate: '1994-03', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_MONTH });
    expect(legacyReleaseDate('1994-03-07', 'day').releaseDatePrecision).toBe(ReleaseDatePrecision.RELEASE_DATE_PRECISION_DAY);
    expect(legacyReleaseDate('1994-01-01', 'year')).toEqual({ releaseDate: '1994', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR });
    expect(legacyReleaseDate('1994', 'day').releaseDate).toBe('1994');
    expect(legacyReleaseDate(null, null, 2001)).toEqual({ releaseDate: '2001', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR });
    expect(legacyReleaseDate('garbage', 'day', null).releaseDate).toBe('');
  });

  it('maps album types and compilation flags', () => {
    expect(albumTypeOf('single')).toBe(AlbumType.ALBUM_TYPE_SINGLE);
    expect(albumTypeOf('Album', '["compilation"]')).toBe(AlbumType.ALBUM_TYPE_COMPILATION);
    expect(albumTypeOf('Ep')).toBe(AlbumType.ALBUM_TYPE_EP);
    expect(albumTypeOf(null)).toBe(AlbumType.ALBUM_TYPE_UNSPECIFIED);
  });

  it('keeps only valid MusicBrainz ids', () => {
    expect(cleanMbid('5B11F4CE-A62D-471E-81FC-A69A8278C7DA')).toBe('5b11f4ce-a62d-471e-81fc-a69a8278c7da');
    expect(cleanMbid('not-an-mbid')).toBe('');
  });
});
