import { AlbumType, Origin, Provider, ReleaseDatePrecision, toKafkaEvent } from '@soulspot/contracts';
import { describe, expect, it } from 'vitest';
import type { DeezerAlbum, DeezerArtist, DeezerPage, DeezerTrack } from '../api/deezer-types';
import albumFull from './fixtures/album-full.json';
import tracksPage from './fixtures/album-tracks-page.json';
import artistsPage from './fixtures/user-artists-page.json';
import { deezerAlbumToDto, deezerAlbumType, deezerArtistToDto, deezerReleaseDate, deezerTrackToDto, pickDeezerCover } from './deezer-normalize';

const artists = (artistsPage as DeezerPage<DeezerArtist>).data;
const album = albumFull as unknown as DeezerAlbum;
const tracks = (tracksPage as DeezerPage<DeezerTrack>).data;

describe('deezerArtistToDto', () => {
  it('stringifies the id, takes the XL picture and nb_fan as followers', () => {
    expect(deezerArtistToDto(artists[0])).toEqual({
      provider: 2,
      providerId: '243',
      name: 'Example Artist',
      musicbrainzId: '',
      genres: [],
      imageUrl: 'https://cdns-images.dzcdn.net/images/artist/5a9ec0d1/1000x1000-000000-80-0-0.jpg',
      popularity: undefined,
      followerCount: 224408,
      disambiguation: '',
    });
  });

  it('treats the placeholder picture (empty md5) as no image, and 0 fans as a real 0', () => {
    const dto = deezerArtistToDto(artists[1]);
    expect(dto.imageUrl).toBe('');
    expect(dto.followerCount).toBe(0);
    expect(pickDeezerCover({ cover_xl: 'https://cdns-images.dzcdn.net/images/cover//1000x1000.jpg' })).toBe('');
    expect(pickDeezerCover({ cover: 'https://api.deezer.com/album/1/image', cover_medium: 'https://x/images/cover/abc/250x250.jpg' })).toBe(
      'https://x/images/cover/abc/250x250.jpg',
    );
  });
});

describe('deezerAlbumToDto', () => {
  it('maps the full album: UPC to 13 digits, genres, label, main contributors after the primary artist', () => {
    expect(deezerAlbumToDto(album)).toEqual({
      provider: 2,
      providerId: '302127',
      title: 'Example LP',
      musicbrainzId: '',
      upc: '0724384960650',
      artists: [
        { providerId: '27', name: 'Example Artist', musicbrainzId: '' },
        { providerId: '28', name: 'Co Headliner', musicbrainzId: '' },
      ],
      releaseDate: '2001-03-07',
      releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_DAY,
      albumType: AlbumType.ALBUM_TYPE_COMPILATION,
      totalTracks: 2,
      imageUrl: 'https://cdns-images.dzcdn.net/images/cover/2e018122/1000x1000-000000-80-0-0.jpg',
      genres: ['Dance', 'Electro'],
      label: 'Example Label',
    });
  });

  it('maps every record_type, including "compile" and "ep"', () => {
    expect(deezerAlbumType('album')).toBe(AlbumType.ALBUM_TYPE_ALBUM);
    expect(deezerAlbumType('single')).toBe(AlbumType.ALBUM_TYPE_SINGLE);
    expect(deezerAlbumType('ep')).toBe(AlbumType.ALBUM_TYPE_EP);
    expect(deezerAlbumType('compile')).toBe(AlbumType.ALBUM_TYPE_COMPILATION);
    expect(deezerAlbumType('audiobook')).toBe(AlbumType.ALBUM_TYPE_UNSPECIFIED);
  });
});

describe('deezerReleaseDate', () => {
  it('reads YYYY-MM-DD as day precision and 0000-00-00 as unknown (no 1900-01-01 sentinel)', () => {
    expect(deezerReleaseDate('2001-03-07')).toEqual({ releaseDate: '2001-03-07', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_DAY });
    expect(deezerReleaseDate('0000-00-00')).toEqual({ releaseDate: '', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_UNSPECIFIED });
    expect(deezerReleaseDate(undefined).releaseDate).toBe('');
  });

  it('reads a zero month/day as year/month precision instead of dropping the date', () => {
    expect(deezerReleaseDate('1999-00-00')).toEqual({ releaseDate: '1999', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR });
    expect(deezerReleaseDate('2001-01-00')).toEqual({ releaseDate: '2001-01', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_MONTH });
  });
});

describe('deezerTrackToDto', () => {
  it('converts seconds to milliseconds and carries ISRC, positions and the album UPC', () => {
    expect(deezerTrackToDto(tracks[0], album)).toEqual({
      provider: 2,
      providerId: '3135553',
      title: 'Track One',
      musicbrainzId: '',
      isrc: 'GBDUW0000053',
      artists: [{ providerId: '27', name: 'Example Artist', musicbrainzId: '' }],
      album: { providerId: '302127', name: 'Example LP', musicbrainzId: '' },
      durationMs: 320_000,
      trackNumber: 1,
      discNumber: 1,
      explicit: false,
      previewUrl: 'https://cdns-preview-e.dzcdn.net/stream/c-e77d23e0c8ed7567a507a6d1b6a9ca1b-9.mp3',
      albumUpc: '0724384960650',
    });
  });

  it('normalizes hyphenated lower-case ISRCs, keeps the version in the title and the track artist', () => {
    const dto = deezerTrackToDto(tracks[1], album);
    expect(dto.isrc).toBe('GBDUW0000054');
    expect(dto.title).toBe('Track Two (Remix)');
    expect(dto.artists[0].name).toBe('Co Headliner');
    expect(dto.discNumber).toBe(2);
    expect(dto.explicit).toBe(true);
    expect(dto.durationMs).toBe(180_000);
  });

  it('reads null numbers (track position, disk number, duration) as unknown, so the event still encodes', () => {
    const sparse = { ...tracks[0], track_position: null, disk_number: null, duration: null } as unknown as DeezerTrack;
    const dto = deezerTrackToDto(sparse, album);
    expect([dto.trackNumber, dto.discNumber, dto.durationMs]).toEqual([undefined, undefined, 0]);
    // A null here made the encoder throw ('invalid int32'), which stopped the whole run.
    expect(() =>
      toKafkaEvent({
        observedAt: new Date(0),
        provider: Provider.PROVIDER_DEEZER,
        origin: Origin.ORIGIN_LIVE_SYNC,
        producer: 'test',
        correlationId: 'run',
        payload: { $case: 'trackObserved', value: { track: dto } },
      }),
    ).not.toThrow();
  });
});
