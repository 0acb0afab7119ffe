import { createHash } from 'node:crypto';
import type { CanonicalAlbum, CanonicalTrack } from '../generator/catalogue';
import { toEan13 } from '../generator/codes';
import { Field, hex, intBetween, unit } from '../generator/hash';
import type { ProviderLibrary } from '../generator/provider-library';

/** Deezer API object shapes (reference §5), built on demand from the generated library. */
export interface DeezerShapeContext {
  lib: ProviderLibrary;
  /** The fake's own base URL (like `https://api.deezer.com`): `tracklist`, `picture`, `next` point back here. */
  apiBase: string;
}

const WEB = 'https://www.deezer.com';
const CDN = 'https://cdns-images.dzcdn.net/images';
/**
 * `picture`/`cover` are image redirects on the real API host. They are never fetched by clients, so they
 * keep the real host: entity content then does not depend on the fake's random port (stable event ids).
 */
const IMAGE_API = 'https://api.deezer.com';
const TAG = 2;

function cdnSizes(kind: 'artist' | 'cover' | 'user', md5: string) {
  const size = (px: number) => `${CDN}/${kind}/${md5}/${px}x${px}-000000-80-0-0.jpg`;
  return { small: size(56), medium: size(250), big: size(500), xl: size(1000) };
}

function pictures(kind: 'artist' | 'user', md5: string, ownUrl: string) {
  const s = cdnSizes(kind, md5);
  return { picture: ownUrl, picture_small: s.small, picture_medium: s.medium, picture_big: s.big, picture_xl: s.xl };
}

function covers(md5: string, ownUrl: string) {
  const s = cdnSizes('cover', md5);
  return { cover: ownUrl, cover_small: s.small, cover_medium: s.medium, cover_big: s.big, cover_xl: s.xl };
}

function artistMd5(ctx: DeezerShapeContext, artistIndex: number): string {
  // Artists without a picture really get an empty md5 in the CDN path ("/images/artist//56x56-...").
  return unit(ctx.lib.seed, Field.artistImage, TAG, artistIndex, 99) < 0.05 ? '' : hex(32, ctx.lib.seed, Field.artistImage, TAG, artistIndex);
}

function albumMd5(ctx: DeezerShapeContext, albumIndex: number): string {
  return hex(32, ctx.lib.seed, Field.albumImage, TAG, albumIndex);
}

export function deezerDate(album: CanonicalAlbum): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${album.year}-${pad(album.month)}-${pad(album.day)}`;
}

function nbFan(ctx: DeezerShapeContext, artistIndex: number): number {
  const popularity = intBetween(0, 100, ctx.lib.seed, Field.artistPopularity, TAG, artistIndex);
  return Math.floor(popularity ** 3 * unit(ctx.lib.seed, Field.artistFollowers, TAG, artistIndex) * 10);
}

function artistBase(ctx: DeezerShapeContext, artistIndex: number) {
  const id = ctx.lib.deezerIdOf('artist', artistIndex);
  return {
    id,
    name: ctx.lib.canonicalArtist(artistIndex).name,
    link: `${WEB}/artist/${id}`,
    ...pictures('artist', artistMd5(ctx, artistIndex), `${IMAGE_API}/artist/${id}/image`),
  };
}

/** The short artist object nested in albums and tracks. */
export function artistRef(ctx: DeezerShapeContext, artistIndex: number, withPictures = false) {
  const base = artistBase(ctx, artistIndex);
  const { link: _link, ...rest } = base;
  return withPictures
    ? { ...rest, tracklist: `${ctx.apiBase}/artist/${base.id}/top?limit=50`, type: 'artist' }
    : { id: base.id, name: base.name, tracklist: `${ctx.apiBase}/artist/${base.id}/top?limit=50`, type: 'artist' };
}

/** `/user/me/artists` item. */
export function favouriteArtist(ctx: DeezerShapeContext, artistIndex: number) {
  const base = artistBase(ctx, artistIndex);
  return {
    ...base,
    nb_album: ctx.lib.albumsPerArtist,
    nb_fan: nbFan(ctx, artistIndex),
    radio: true,
    tracklist: `${ctx.apiBase}/artist/${base.id}/top?limit=50`,
    time_add: ctx.lib.followedAt(artistIndex),
    type: 'artist',
  };
}

/** `/artist/{id}`. */
export function fullArtist(ctx: DeezerShapeContext, artistIndex: number) {
  const base = artistBase(ctx, artistIndex);
  return {
    id: base.id,
    name: base.name,
    link: base.link,
    share: `${base.link}?utm_source=deezer&utm_content=artist-${base.id}&utm_term=0_1732000000&utm_medium=web`,
    ...pictures('artist', artistMd5(ctx, artistIndex), `${IMAGE_API}/artist/${base.id}/image`),
    nb_album: ctx.lib.albumsPerArtist,
    nb_fan: nbFan(ctx, artistIndex),
    radio: true,
    tracklist: `${ctx.apiBase}/artist/${base.id}/top?limit=50`,
    type: 'artist',
  };
}

function albumCommon(ctx: DeezerShapeContext, albumIndex: number) {
  const album = ctx.lib.canonicalAlbum(albumIndex);
  const id = ctx.lib.deezerIdOf('album', albumIndex);
  const md5 = albumMd5(ctx, albumIndex);
  return {
    album,
    id,
    fields: {
      id,
      title: album.title,
      link: `${WEB}/album/${id}`,
      ...covers(md5, `${IMAGE_API}/album/${id}/image`),
      md5_image: md5,
    },
  };
}

function albumExplicit(ctx: DeezerShapeContext, album: CanonicalAlbum): boolean {
  return ctx.lib.catalogue.albumTracks(album).some((t) => t.explicit);
}

function fans(ctx: DeezerShapeContext, albumIndex: number): number {
  return intBetween(0, 250_000, ctx.lib.seed, Field.albumPopularity, TAG, albumIndex);
}

/** `/artist/{id}/albums` item: no artist, no nb_tracks, no upc (as recorded). */
export function artistAlbum(ctx: DeezerShapeContext, albumIndex: number) {
  const { album, id, fields } = albumCommon(ctx, albumIndex);
  return {
    ...fields,
    genre_id: album.deezerGenre.id,
    fans: fans(ctx, albumIndex),
    release_date: deezerDate(album),
    record_type: album.recordType,
    tracklist: `${ctx.apiBase}/album/${id}/tracks`,
    explicit_lyrics: albumExplicit(ctx, album),
    type: 'album',
  };
}

/** `/user/me/albums` item. */
export function favouriteAlbum(ctx: DeezerShapeContext, albumIndex: number) {
  const { album, id, fields } = albumCommon(ctx, albumIndex);
  return {
    ...fields,
    nb_tracks: ctx.lib.tracksPerAlbum,
    release_date: deezerDate(album),
    record_type: album.recordType,
    available: true,
    tracklist: `${ctx.apiBase}/album/${id}/tracks`,
    explicit_lyrics: albumExplicit(ctx, album),
    time_add: ctx.lib.savedAtOf(albumIndex),
    artist: artistRef(ctx, ctx.lib.artistOfAlbum(albumIndex), true),
    type: 'album',
  };
}

function splitVersion(title: string): { short: string; version: string } {
  const match = /^(.*) (\([^)]*\))$/.exec(title);
  return match ? { short: match[1]!, version: match[2]! } : { short: title, version: '' };
}

function trackBase(ctx: DeezerShapeContext, trackIndex: number, track: CanonicalTrack) {
  const id = ctx.lib.deezerIdOf('track', trackIndex);
  const { short, version } = splitVersion(track.title);
  return {
    id,
    readable: true,
    title: track.title,
    title_short: short,
    title_version: version,
    link: `${WEB}/track/${id}`,
    duration: Math.round(track.durationMs / 1000),
    rank: intBetween(1000, 999_999, ctx.lib.seed, Field.trackRank, TAG, trackIndex),
    explicit_lyrics: track.explicit,
    explicit_content_lyrics: track.explicit ? 1 : 0,
    explicit_content_cover: track.explicit ? 2 : 0,
    preview: `https://cdnt-preview.dzcdn.net/api/1/1/${hex(1, ctx.lib.seed, Field.trackRank, trackIndex)}/${hex(32, ctx.lib.seed, Field.trackRank, TAG, trackIndex)}.mp3`,
  };
}

/** Track inside `/album/{id}`'s embedded `tracks.data`: no isrc, no position (as recorded). */
function embeddedTrack(ctx: DeezerShapeContext, trackIndex: number, album: CanonicalAlbum) {
  const track = ctx.lib.canonicalTrack(trackIndex, album);
  const artistIndex = ctx.lib.artistOfAlbum(ctx.lib.albumOfTrack(trackIndex));
  return {
    ...trackBase(ctx, trackIndex, track),
    md5_image: albumMd5(ctx, ctx.lib.albumOfTrack(trackIndex)),
    artist: artistRef(ctx, artistIndex),
    type: 'track',
  };
}

/** `/album/{id}/tracks` item: with isrc, track_position, disk_number. */
export function albumTrack(ctx: DeezerShapeContext, trackIndex: number, album?: CanonicalAlbum) {
  const track = ctx.lib.canonicalTrack(trackIndex, album);
  const albumIndex = ctx.lib.albumOfTrack(trackIndex);
  return {
    ...trackBase(ctx, trackIndex, track),
    isrc: track.isrc,
    track_position: track.trackNumber,
    disk_number: track.discNumber,
    md5_image: albumMd5(ctx, albumIndex),
    artist: artistRef(ctx, ctx.lib.artistOfAlbum(albumIndex)),
    type: 'track',
  };
}

/** `/album/{id}`. */
export function fullAlbum(ctx: DeezerShapeContext, albumIndex: number, embeddedTracksLimit: number) {
  const { album, id, fields } = albumCommon(ctx, albumIndex);
  const artistIndex = ctx.lib.artistOfAlbum(albumIndex);
  const tracks = ctx.lib.catalogue.albumTracks(album);
  const firstTrack = albumIndex * ctx.lib.tracksPerAlbum;
  const artist = artistBase(ctx, artistIndex);
  return {
    ...fields,
    genre_id: album.deezerGenre.id,
    upc: toEan13(album.barcode),
    genres: { data: [{ id: album.deezerGenre.id, name: album.deezerGenre.name, picture: `${IMAGE_API}/genre/${album.deezerGenre.id}/image`, type: 'genre' }] },
    label: album.label,
    nb_tracks: tracks.length,
    duration: tracks.reduce((sum, t) => sum + Math.round(t.durationMs / 1000), 0),
    fans: fans(ctx, albumIndex),
    release_date: deezerDate(album),
    record_type: album.recordType,
    available: true,
    tracklist: `${ctx.apiBase}/album/${id}/tracks`,
    explicit_lyrics: tracks.some((t) => t.explicit),
    explicit_content_lyrics: tracks.some((t) => t.explicit) ? 1 : 0,
    explicit_content_cover: 0,
    contributors: [
      { id: artist.id, name: artist.name, link: artist.link, ...pictures('artist', artistMd5(ctx, artistIndex), `${IMAGE_API}/artist/${artist.id}/image`), radio: true, tracklist: `${ctx.apiBase}/artist/${artist.id}/top?limit=50`, type: 'artist', role: 'Main' },
    ],
    artist: artistRef(ctx, artistIndex, true),
    type: 'album',
    tracks: { data: tracks.slice(0, embeddedTracksLimit).map((_, i) => embeddedTrack(ctx, firstTrack + i, album)) },
  };
}

/** `/track/{id}`. */
export function fullTrack(ctx: DeezerShapeContext, trackIndex: number) {
  const albumIndex = ctx.lib.albumOfTrack(trackIndex);
  const album = ctx.lib.canonicalAlbum(albumIndex);
  const track = ctx.lib.canonicalTrack(trackIndex, album);
  const artistIndex = ctx.lib.artistOfAlbum(albumIndex);
  const artist = fullArtist(ctx, artistIndex);
  const { fields } = albumCommon(ctx, albumIndex);
  return {
    ...trackBase(ctx, trackIndex, track),
    unseen: false,
    isrc: track.isrc,
    share: `${WEB}/track/${ctx.lib.deezerIdOf('track', trackIndex)}?utm_source=deezer`,
    track_position: track.trackNumber,
    disk_number: track.discNumber,
    release_date: deezerDate(album),
    bpm: intBetween(0, 180, ctx.lib.seed, Field.trackBpm, trackIndex),
    gain: -Math.round(unit(ctx.lib.seed, Field.trackBpm, trackIndex, 1) * 120) / 10,
    available_countries: ['DE', 'FR', 'GB', 'US'],
    contributors: [{ id: artist.id, name: artist.name, link: artist.link, type: 'artist', role: 'Main' }],
    md5_image: fields.md5_image,
    track_token: `AAAAA${hex(40, ctx.lib.seed, Field.trackRank, trackIndex, 7)}`,
    artist: { id: artist.id, name: artist.name, link: artist.link, share: artist.share, picture: artist.picture, radio: true, tracklist: artist.tracklist, type: 'artist' },
    album: { id: fields.id, title: fields.title, link: fields.link, cover: fields.cover, cover_small: fields.cover_small, cover_medium: fields.cover_medium, cover_big: fields.cover_big, cover_xl: fields.cover_xl, md5_image: fields.md5_image, release_date: deezerDate(album), tracklist: `${ctx.apiBase}/album/${fields.id}/tracks`, type: 'album' },
    type: 'track',
  };
}

export const DEEZER_USER_ID = 5_120_000_001;

export function currentUser(ctx: DeezerShapeContext) {
  return {
    id: DEEZER_USER_ID,
    name: 'soulspot-fake-user',
    lastname: 'Fake',
    firstname: 'Soulspot',
    email: 'fake-user@example.invalid',
    status: 2,
    birthday: '0000-00-00',
    inscription_date: '2019-03-14',
    gender: '',
    link: `${WEB}/profile/${DEEZER_USER_ID}`,
    ...pictures('user', '', `${IMAGE_API}/user/${DEEZER_USER_ID}/image`),
    country: 'DE',
    lang: 'EN',
    is_kid: false,
    explicit_content_level: 'explicit_display',
    explicit_content_levels_available: ['explicit_display', 'explicit_no_recommendation', 'explicit_hide'],
    tracklist: `${ctx.apiBase}/user/${DEEZER_USER_ID}/flow`,
    type: 'user',
  };
}

/** Checksum of a favourites list: changes whenever the list changes (Deezer sends an md5). */
export function listChecksum(ids: (string | number)[]): string {
  return createHash('md5').update(ids.join(',')).digest('hex');
}
