import { AlbumType, type AlbumDTO, type ArtistDTO, type EntityRef, Provider, ReleaseDatePrecision, type TrackDTO } from '@soulspot/contracts';
import { normalizeIsrc, normalizeUpc, parseReleaseDate } from '@soulspot/music-model';
import type { SpotifyAlbum, SpotifyArtist, SpotifyImage, SpotifySimplifiedArtist, SpotifySimplifiedTrack } from '../api/spotify-types';

/**
 * Pure conversions from Spotify Web API objects to the provider-neutral DTOs. No I/O, no clock: the same input
 * always gives the same DTO, which is what makes event ids deterministic.
 */

/** The widest image (Spotify lists them widest first, but images without sizes exist, so do not rely on order). */
export function pickSpotifyImage(images: SpotifyImage[] | undefined): string {
  if (!images || images.length === 0) return '';
  let best = images[0];
  for (const image of images) if ((image.width ?? 0) > (best.width ?? 0)) best = image;
  return best.url ?? '';
}

export function spotifyArtistToDto(artist: SpotifyArtist): ArtistDTO {
  return {
    provider: Provider.PROVIDER_SPOTIFY,
    providerId: artist.id,
    name: artist.name,
    musicbrainzId: '',
    genres: [...(artist.genres ?? [])],
    imageUrl: pickSpotifyImage(artist.images),
    // Development-mode apps no longer receive popularity/followers: absent, not zero.
    popularity: typeof artist.popularity === 'number' ? artist.popularity : undefined,
    followerCount: typeof artist.followers?.total === 'number' ? artist.followers.total : undefined,
    disambiguation: '',
  };
}

const ALBUM_TYPES: Record<string, AlbumType> = {
  album: AlbumType.ALBUM_TYPE_ALBUM,
  single: AlbumType.ALBUM_TYPE_SINGLE,
  compilation: AlbumType.ALBUM_TYPE_COMPILATION,
};

export function spotifyAlbumType(value: string | undefined): AlbumType {
  return ALBUM_TYPES[(value ?? '').toLowerCase()] ?? AlbumType.ALBUM_TYPE_UNSPECIFIED;
}

const PRECISIONS = { year: ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR, month: ReleaseDatePrecision.RELEASE_DATE_PRECISION_MONTH, day: ReleaseDatePrecision.RELEASE_DATE_PRECISION_DAY };
const PRECISION_LENGTH = { year: 4, month: 7, day: 10 } as const;

/**
 * Release date and precision. Spotify states the precision; when it is coarser than the string (e.g. "1983-01-01"
 * with precision "year") the date is cut to what Spotify vouches for. "0000" and malformed dates are unknown.
 */
export function spotifyReleaseDate(date: string | undefined, precision: string | undefined): { releaseDate: string; releaseDatePrecision: ReleaseDatePrecision } {
  const parsed = parseReleaseDate(date);
  if (!parsed) return { releaseDate: '', releaseDatePrecision: ReleaseDatePrecision.RELEASE_DATE_PRECISION_UNSPECIFIED };
  const declared = precision === 'year' || precision === 'month' || precision === 'day' ? precision : parsed.precision;
  const effective = PRECISION_LENGTH[declared] < PRECISION_LENGTH[parsed.precision] ? declared : parsed.precision;
  return { releaseDate: parsed.date.slice(0, PRECISION_LENGTH[effective]), releaseDatePrecision: PRECISIONS[effective] };
}

/** The album barcode as GTIN-13: `external_ids.upc`, or `ean` when the UPC is absent, blank or invalid; '' when neither is usable. */
export function spotifyAlbumUpc(album: SpotifyAlbum): string {
  return normalizeUpc(album.external_ids?.upc) ?? normalizeUpc(album.external_ids?.ean) ?? '';
}

function ref(artist: SpotifySimplifiedArtist): EntityRef {
  return { providerId: artist.id, name: artist.name, musicbrainzId: '' };
}

export function spotifyAlbumToDto(album: SpotifyAlbum): AlbumDTO {
  return {
    provider: Provider.PROVIDER_SPOTIFY,
    providerId: album.id,
    title: album.name,
    musicbrainzId: '',
    upc: spotifyAlbumUpc(album),
    artists: album.artists.filter((a) => a.id).map(ref),
    ...spotifyReleaseDate(album.release_date, album.release_date_precision),
    albumType: spotifyAlbumType(album.album_type),
    totalTracks: typeof album.total_tracks === 'number' ? album.total_tracks : undefined,
    imageUrl: pickSpotifyImage(album.images),
    // Album genres are always [] on Spotify; kept for the day they are not.
    genres: [...(album.genres ?? [])],
    label: album.label ?? '',
  };
}

/**
 * A track of `album`. The ISRC comes only from the full track object (GET /tracks/{id} or the batch endpoint),
 * so the caller passes it separately; album tracks (simplified objects) have none.
 */
export function spotifyTrackToDto(track: SpotifySimplifiedTrack, album: SpotifyAlbum, isrc: string | undefined): TrackDTO {
  return {
    provider: Provider.PROVIDER_SPOTIFY,
    providerId: track.id,
    title: track.name,
    musicbrainzId: '',
    isrc: normalizeIsrc(isrc) ?? '',
    artists: track.artists.filter((a) => a.id).map(ref),
    album: { providerId: album.id, name: album.name, musicbrainzId: '' },
    durationMs: Math.max(0, Math.round(track.duration_ms ?? 0)),
    // JSON null is "unknown" like a missing key; passed on, it would make the event fail to encode.
    trackNumber: typeof track.track_number === 'number' ? track.track_number : undefined,
    discNumber: typeof track.disc_number === 'number' ? track.disc_number : undefined,
    explicit: track.explicit ?? false,
    previewUrl: track.preview_url ?? '',
    albumUpc: spotifyAlbumUpc(album),
  };
}
