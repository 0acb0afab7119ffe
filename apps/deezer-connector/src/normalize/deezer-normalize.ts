import { AlbumType, type AlbumDTO, type ArtistDTO, type EntityRef, Provider, ReleaseDatePrecision, type TrackDTO } from '@soulspot/contracts';
import { normalizeIsrc, normalizeUpc, parseReleaseDate } from '@soulspot/music-model';
import type { DeezerAlbum, DeezerArtist, DeezerCovers, DeezerPictures, DeezerTrack } from '../api/deezer-types';

/** Pure conversions from Deezer API objects to the provider-neutral DTOs (ids stringified, seconds -> ms). */

/**
 * Deezer serves a grey placeholder for entities without artwork; its URL has an empty md5 segment
 * (".../images/artist//1000x1000-..."). That is "no image", not an image.
 */
const PLACEHOLDER = /\/images\/(artist|cover)\/\//;

/** The largest real image; when the sized variants are placeholders, the generic one redirects to a placeholder too. */
function largestReal(largestFirst: Array<string | undefined>): string {
  const present = largestFirst.filter((url): url is string => Boolean(url));
  if (present.some((url) => PLACEHOLDER.test(url))) return '';
  return present[0] ?? '';
}

export function pickDeezerPicture(p: DeezerPictures): string {
  return largestReal([p.picture_xl, p.picture_big, p.picture_medium, p.picture_small, p.picture]);
}

export function pickDeezerCover(c: DeezerCovers): string {
  return largestReal([c.cover_xl, c.cover_big, c.cover_medium, c.cover_small, c.cover]);
}

export function deezerArtistToDto(artist: DeezerArtist): ArtistDTO {
  return {
    provider: Provider.PROVIDER_DEEZER,
    providerId: String(artist.id),
    name: artist.name,
    musicbrainzId: '',
    genres: [], // Deezer artists carry no genres
    imageUrl: pickDeezerPicture(artist),
    popularity: undefined,
    followerCount: typeof artist.nb_fan === 'number' ? artist.nb_fan : undefined,
    disambiguation: '',
  };
}

/**
 * Deezer `record_type`: album / single / ep / compile. "compile" is reported as a compilation: the DTO records what
 * the provider says (the original app silently turned it into "album", which lost the information); the
 * projection's field merge decides which provider's type wins for a merged album.
 */
const RECORD_TYPES: Record<string, AlbumType> = {
  album: AlbumType.ALBUM_TYPE_ALBUM,
  single: AlbumType.ALBUM_TYPE_SINGLE,
  ep: AlbumType.ALBUM_TYPE_EP,
  compile: AlbumType.ALBUM_TYPE_COMPILATION,
  compilation: AlbumType.ALBUM_TYPE_COMPILATION,
};

export function deezerAlbumType(recordType: string | undefined): AlbumType {
  return RECORD_TYPES[(recordType ?? '').toLowerCase()] ?? AlbumType.ALBUM_TYPE_UNSPECIFIED;
}

const PRECISIONS = { year: ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR, month: ReleaseDatePrecision.RELEASE_DATE_PRECISION_MONTH, day: ReleaseDatePrecision.RELEASE_DATE_PRECISION_DAY };

/** Deezer dates are "YYYY-MM-DD"; "0000-00-00" and blanks are unknown (never the original app's "1900-01-01" sentinel). */
export function deezerReleaseDate(raw: string | undefined): { releaseDate: string; releaseDatePrecision: ReleaseDatePrecision } {
  const parsed = parseReleaseDate(raw);
  if (!parsed) return { releaseDate: '', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_UNSPECIFIED };
  return { releaseDate: parsed.date, releaseDatePrecision: PRECISIONS[parsed.precision] };
}

function ref(artist: { id: number; name: string }): EntityRef {
  return { providerId: String(artist.id), name: artist.name, musicbrainzId: '' };
}

/** The album's artists: the primary artist first, then the other main contributors (featured ones are not album artists). */
function albumArtists(album: DeezerAlbum): EntityRef[] {
  const refs: EntityRef[] = album.artist ? [ref(album.artist)] : [];
  for (const contributor of album.contributors ?? []) {
    const isMain = (contributor.role ?? 'Main') === 'Main';
    if (isMain && !refs.some((r) => r.providerId === String(contributor.id))) refs.push(ref(contributor));
  }
  return refs;
}

/** From the full album (GET /album/{id}) — the only place with upc, label and genres. */
export function deezerAlbumToDto(album: DeezerAlbum): AlbumDTO {
  return {
    provider: Provider.PROVIDER_DEEZER,
    providerId: String(album.id),
    title: album.title,
    musicbrainzId: '',
    upc: normalizeUpc(album.upc) ?? '',
    artists: albumArtists(album),
    ...deezerReleaseDate(album.release_date),
    albumType: deezerAlbumType(album.record_type),
    totalTracks: typeof album.nb_tracks === 'number' ? album.nb_tracks : undefined,
    imageUrl: pickDeezerCover(album),
    genres: (album.genres?.data ?? []).map((g) => g.name).filter(Boolean),
    label: album.label ?? '',
  };
}

/** From an item of GET /album/{id}/tracks (which, unlike the album's embedded list, carries isrc and positions). */
export function deezerTrackToDto(track: DeezerTrack, album: DeezerAlbum): TrackDTO {
  const artist = track.artist ?? album.artist;
  return {
    provider: Provider.PROVIDER_DEEZER,
    providerId: String(track.id),
    title: track.title,
    musicbrainzId: '',
    isrc: normalizeIsrc(track.isrc) ?? '',
    artists: artist ? [ref(artist)] : [],
    album: { providerId: String(album.id), name: album.title, musicbrainzId: '' },
    durationMs: Math.max(0, Math.round((track.duration ?? 0) * 1000)),
    // JSON null is "unknown" like a missing key; passed on, it would make the event fail to encode.
    trackNumber: typeof track.track_position === 'number' ? track.track_position : undefined,
    discNumber: typeof track.disk_number === 'number' ? track.disk_number : undefined,
    explicit: track.explicit_lyrics ?? false,
    previewUrl: track.preview ?? '',
    albumUpc: normalizeUpc(album.upc) ?? '',
  };
}
