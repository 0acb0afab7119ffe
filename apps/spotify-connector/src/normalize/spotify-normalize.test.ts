import { AlbumType, Origin, Provider, ReleaseDatePrecision, toKafkaEvent } from '@soulspot/contracts';
import { describe, expect, it } from 'vitest';
import type { SpotifyAlbum, SpotifyArtist, SpotifyCursorPage, SpotifyTrack } from '../api/spotify-types';
import albumDevMode from './fixtures/album-dev-mode.json';
import albumFull from './fixtures/album-full.json';
import followingPage from './fixtures/following-page.json';
import trackFull from './fixtures/track-full.json';
import { pickSpotifyImage, spotifyAlbumToDto, spotifyAlbumType, spotifyArtistToDto, spotifyReleaseDate, spotifyTrackToDto } from './spotify-normalize';

const artists = (followingPage as { artists: SpotifyCursorPage<SpotifyArtist> }).artists.items;
const album = albumFull as unknown as SpotifyAlbum;

describe('spotifyArtistToDto', () => {
  it('maps a full artist object: widest image, genres, popularity, followers', () => {
    expect(spotifyArtistToDto(artists[0])).toEqual({
      provider: 1,
      providerId: '4aArtistId00000000000a',
      name: 'Example Band',
      musicbrainzId: '',
      genres: ['indie pop', 'dream pop'],
      imageUrl: 'https://i.scdn.co/image/abc640',
      popularity: 57,
      followerCount: 12345,
      disambiguation: '',
    });
  });

  it('leaves fields stripped in development mode absent instead of inventing zeros', () => {
    const dto = spotifyArtistToDto(artists[1]);
    expect(dto.popularity).toBeUndefined();
    expect(dto.followerCount).toBeUndefined();
    expect(dto.genres).toEqual([]);
    expect(dto.imageUrl).toBe('');
  });
});

describe('pickSpotifyImage', () => {
  it('prefers the widest image and copes with missing sizes', () => {
    expect(pickSpotifyImage([{ url: 'a', width: null }, { url: 'b', width: 300 }])).toBe('b');
    expect(pickSpotifyImage([{ url: 'only' }])).toBe('only');
    expect(pickSpotifyImage(undefined)).toBe('');
  });
});

describe('spotifyAlbumToDto', () => {
  it('maps a full album: UPC normalized to 13 digits, all artists in order, label, day precision', () => {
    expect(spotifyAlbumToDto(album)).toEqual({
      provider: 1,
      providerId: '1bAlbumId000000000000b',
      title: 'Example Album',
      musicbrainzId: '',
      upc: '0724384960650',
      artists: [
        { providerId: '4aArtistId00000000000a', name: 'Example Band', musicbrainzId: '' },
        { providerId: '5cGuest000000000000000', name: 'Guest Singer', musicbrainzId: '' },
      ],
      releaseDate: '2019-10-04',
      releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_DAY,
      albumType: AlbumType.ALBUM_TYPE_COMPILATION,
      totalTracks: 2,
      imageUrl: 'https://i.scdn.co/image/alb640',
      genres: [],
      label: 'Example Records',
    });
  });

  it('falls back to the EAN when the UPC is blank or unusable', () => {
    for (const upc of ['', '  ', '724384960651']) {
      const withEan = { ...album, external_ids: { upc, ean: '0724384960650' } } as SpotifyAlbum;
      expect(spotifyAlbumToDto(withEan).upc).toBe('0724384960650');
      expect(spotifyTrackToDto(album.tracks!.items[0], withEan, undefined).albumUpc).toBe('0724384960650');
    }
  });

  it('maps a development-mode album: no label, no UPC, year precision', () => {
    const dto = spotifyAlbumToDto(albumDevMode as unknown as SpotifyAlbum);
    expect(dto.label).toBe('');
    expect(dto.upc).toBe('');
    expect(dto.releaseDate).toBe('1983');
    expect(dto.releaseDatePrecision).toBe(ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR);
    expect(dto.albumType).toBe(AlbumType.ALBUM_TYPE_SINGLE);
  });
});

describe('spotifyReleaseDate', () => {
  it('keeps the precision Spotify states and cuts a date that claims more', () => {
    expect(spotifyReleaseDate('1983-05', 'month')).toEqual({ releaseDate: '1983-05', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_MONTH });
    expect(spotifyReleaseDate('1983-01-01', 'year')).toEqual({ releaseDate: '1983', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR });
    expect(spotifyReleaseDate('1983-05-14', undefined).releaseDatePrecision).toBe(ReleaseDatePrecision.RELEASE_DATE_PRECISION_DAY);
  });

  it('never claims more precision than a date with zero month/day carries', () => {
    expect(spotifyReleaseDate('1999-00-00', 'day')).toEqual({ releaseDate: '1999', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR });
    expect(spotifyReleaseDate('2001-01-00', 'day')).toEqual({ releaseDate: '2001-01', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_MONTH });
  });

  it('treats 0000 and garbage as unknown', () => {
    for (const raw of ['0000', '', 'soon', undefined]) {
      expect(spotifyReleaseDate(raw, 'year')).toEqual({ releaseDate: '', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_UNSPECIFIED });
    }
  });
});

describe('spotifyAlbumType', () => {
  it('maps the three Spotify types and nothing else', () => {
    expect(spotifyAlbumType('album')).toBe(AlbumType.ALBUM_TYPE_ALBUM);
    expect(spotifyAlbumType('SINGLE')).toBe(AlbumType.ALBUM_TYPE_SINGLE);
    expect(spotifyAlbumType('compilation')).toBe(AlbumType.ALBUM_TYPE_COMPILATION);
    expect(spotifyAlbumType('appears_on')).toBe(AlbumType.ALBUM_TYPE_UNSPECIFIED);
  });
});

describe('spotifyTrackToDto', () => {
  it('takes the ISRC from the full track object and everything else from the album track', () => {
    const isrc = (trackFull as unknown as SpotifyTrack).external_ids?.isrc;
    expect(spotifyTrackToDto(album.tracks.items[0], album, isrc)).toEqual({
      provider: 1,
      providerId: '2tTrack00000000000000a',
      title: 'Opening',
      musicbrainzId: '',
      isrc: 'USRC17607839',
      artists: [{ providerId: '4aArtistId00000000000a', name: 'Example Band', musicbrainzId: '' }],
      album: { providerId: '1bAlbumId000000000000b', name: 'Example Album', musicbrainzId: '' },
      durationMs: 215493,
      trackNumber: 1,
      discNumber: 1,
      explicit: false,
      previewUrl: '',
      albumUpc: '0724384960650',
    });
  });

  it('keeps featured artists, disc numbers and explicit flags; no ISRC gives an empty one', () => {
    const dto = spotifyTrackToDto(album.tracks.items[1], album, undefined);
    expect(dto.artists.map((a) => a.name)).toEqual(['Example Band', 'Guest Singer']);
    expect(dto.discNumber).toBe(2);
    expect(dto.explicit).toBe(true);
    expect(dto.isrc).toBe('');
    expect(dto.previewUrl).toBe('https://p.scdn.co/mp3-preview/abc');
  });

  it('reads null numbers (track/disc number, duration) as unknown, so the event still encodes', () => {
    const sparse = { ...album.tracks.items[0], track_number: null, disc_number: null, duration_ms: null } as unknown as SpotifyTrack;
    const dto = spotifyTrackToDto(sparse, album, undefined);
    expect([dto.trackNumber, dto.discNumber, dto.durationMs]).toEqual([undefined, undefined, 0]);
    // A null here made the encoder throw ('invalid int32'), which stopped the whole run.
    expect(() => encodeTrack(dto)).not.toThrow();
  });
});

function encodeTrack(track: ReturnType<typeof spotifyTrackToDto>) {
  return toKafkaEvent({
    observedAt: new Date(0),
    provider: Provider.PROVIDER_SPOTIFY,
    origin: Origin.ORIGIN_LIVE_SYNC,
    producer: 'test',
    correlationId: 'run',
    payload: { $case: 'trackObserved', value: { track } },
  });
}
