import type { CanonicalAlbum, CanonicalTrack } from '../generator/catalogue';
import { Field, hex, intBetween, unit } from '../generator/hash';
import type { ProviderLibrary } from '../generator/provider-library';

/**
 * Spotify Web API object shapes (reference §2.6), built on demand from the generated library.
 * `devModeFields` removes what Development-Mode apps stopped receiving in 2026.
 */
export interface SpotifyShapeContext {
  lib: ProviderLibrary;
  /** The fake's own `/v1` base URL: every `href`/`next` points back at the fake. */
  apiBase: string;
  devModeFields: boolean;
  /** Ids of taken-down albums (their name is ""). */
  takenDownAlbums?: ReadonlySet<string>;
}

const OPEN = 'https://open.spotify.com';
const MARKETS = ['DE', 'FR', 'GB', 'SE', 'US'];
const TAG = 1;

export interface SpotifyImage {
  url: string;
  height: number;
  width: number;
}

function images(ctx: SpotifyShapeContext, field: number, index: number, prefix: string): SpotifyImage[] {
  const seed = ctx.lib.seed;
  // A few artists have no picture at all: consumers must cope with an empty list.
  if (field === Field.artistImage && unit(seed, field, TAG, index, 99) < 0.05) return [];
  const id = hex(24, seed, field, TAG, index);
  return [
    { url: `https://i.scdn.co/image/${prefix}b273${id}`, height: 640, width: 640 },
    { url: `https://i.scdn.co/image/${prefix}1e02${id}`, height: 300, width: 300 },
    { url: `https://i.scdn.co/image/${prefix}4851${id}`, height: 64, width: 64 },
  ];
}

export function releaseDate(album: CanonicalAlbum): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  if (album.precision === 'year') return String(album.year);
  if (album.precision === 'month') return `${album.year}-${pad(album.month)}`;
  return `${album.year}-${pad(album.month)}-${pad(album.day)}`;
}

/** Spotify reports a UPC-A either as its 12 digits or zero-padded to 13 — normalizing is the consumer's job. */
export function spotifyUpc(ctx: SpotifyShapeContext, album: CanonicalAlbum): string {
  if (album.barcode.length === 13) return album.barcode;
  return unit(ctx.lib.seed, Field.albumUpcPadding, album.canon) < 0.4 ? `0${album.barcode}` : album.barcode;
}

export function simplifiedArtist(ctx: SpotifyShapeContext, artistIndex: number) {
  const id = ctx.lib.spotifyIdOf('artist', artistIndex);
  return {
    external_urls: { spotify: `${OPEN}/artist/${id}` },
    href: `${ctx.apiBase}/artists/${id}`,
    id,
    name: ctx.lib.canonicalArtist(artistIndex).name,
    type: 'artist',
    uri: `spotify:artist:${id}`,
  };
}

export function fullArtist(ctx: SpotifyShapeContext, artistIndex: number) {
  const seed = ctx.lib.seed;
  const canonical = ctx.lib.canonicalArtist(artistIndex);
  const base = simplifiedArtist(ctx, artistIndex);
  const popularity = intBetween(0, 100, seed, Field.artistPopularity, TAG, artistIndex);
  return {
    external_urls: base.external_urls,
    ...(ctx.devModeFields ? {} : { followers: { href: null, total: Math.floor(popularity ** 3 * unit(seed, Field.artistFollowers, TAG, artistIndex) * 30) } }),
    genres: canonical.spotifyGenres,
    href: base.href,
    id: base.id,
    images: images(ctx, Field.artistImage, artistIndex, 'ab676161000051'),
    name: base.name,
    ...(ctx.devModeFields ? {} : { popularity }),
    type: 'artist',
    uri: base.uri,
  };
}

export function simplifiedAlbum(ctx: SpotifyShapeContext, albumIndex: number, albumGroup = false) {
  const album = ctx.lib.canonicalAlbum(albumIndex);
  const id = ctx.lib.spotifyIdOf('album', albumIndex);
  return {
    album_type: album.albumType,
    total_tracks: ctx.lib.tracksPerAlbum,
    ...(ctx.devModeFields ? {} : { available_markets: MARKETS }),
    external_urls: { spotify: `${OPEN}/album/${id}` },
    href: `${ctx.apiBase}/albums/${id}`,
    id,
    images: images(ctx, Field.albumImage, albumIndex, 'ab67616d0000'),
    name: ctx.takenDownAlbums?.has(id) ? '' : album.title,
    release_date: releaseDate(album),
    release_date_precision: album.precision,
    type: 'album',
    uri: `spotify:album:${id}`,
    artists: [simplifiedArtist(ctx, ctx.lib.artistOfAlbum(albumIndex))],
    ...(albumGroup && !ctx.devModeFields ? { album_group: album.albumType } : {}),
  };
}

export function simplifiedTrack(ctx: SpotifyShapeContext, trackIndex: number, album?: CanonicalAlbum) {
  const track: CanonicalTrack = ctx.lib.canonicalTrack(trackIndex, album);
  const id = ctx.lib.spotifyIdOf('track', trackIndex);
  return {
    artists: [simplifiedArtist(ctx, ctx.lib.artistOfAlbum(ctx.lib.albumOfTrack(trackIndex)))],
    ...(ctx.devModeFields ? {} : { available_markets: MARKETS }),
    disc_number: track.discNumber,
    duration_ms: track.durationMs,
    explicit: track.explicit,
    external_urls: { spotify: `${OPEN}/track/${id}` },
    href: `${ctx.apiBase}/tracks/${id}`,
    id,
    is_local: false,
    name: track.title,
    preview_url: null,
    track_number: track.trackNumber,
    type: 'track',
    uri: `spotify:track:${id}`,
  };
}

export function fullTrack(ctx: SpotifyShapeContext, trackIndex: number) {
  const albumIndex = ctx.lib.albumOfTrack(trackIndex);
  const album = ctx.lib.canonicalAlbum(albumIndex);
  const track = ctx.lib.canonicalTrack(trackIndex, album);
  return {
    album: simplifiedAlbum(ctx, albumIndex),
    ...simplifiedTrack(ctx, trackIndex, album),
    external_ids: { isrc: track.isrc },
    ...(ctx.devModeFields ? {} : { popularity: intBetween(0, 100, ctx.lib.seed, Field.trackPopularity, TAG, trackIndex) }),
  };
}

/** An offset paging object (`href, items, limit, next, offset, previous, total`). */
export function offsetPage<T>(
  pageUrl: (offset: number) => string,
  items: T[],
  offset: number,
  limit: number,
  total: number,
) {
  const nextOffset = offset + items.length;
  return {
    href: pageUrl(offset),
    items,
    limit,
    next: items.length > 0 && nextOffset < total ? pageUrl(nextOffset) : null,
    offset,
    previous: offset > 0 ? pageUrl(Math.max(0, offset - limit)) : null,
    total,
  };
}

export function albumTracksPage(ctx: SpotifyShapeContext, albumIndex: number, offset: number, limit: number, size = limit) {
  const album = ctx.lib.canonicalAlbum(albumIndex);
  const total = ctx.lib.tracksPerAlbum;
  const first = albumIndex * total;
  const items = [];
  for (let i = offset; i < Math.min(total, offset + size); i++) items.push(simplifiedTrack(ctx, first + i, album));
  const id = ctx.lib.spotifyIdOf('album', albumIndex);
  return offsetPage((o) => `${ctx.apiBase}/albums/${id}/tracks?offset=${o}&limit=${limit}`, items, offset, limit, total);
}

export function fullAlbum(ctx: SpotifyShapeContext, albumIndex: number) {
  const album = ctx.lib.canonicalAlbum(albumIndex);
  const year = album.year;
  return {
    ...simplifiedAlbum(ctx, albumIndex),
    tracks: albumTracksPage(ctx, albumIndex, 0, 50),
    copyrights: [
      { text: `© ${year} ${album.label}`, type: 'C' },
      { text: `℗ ${year} ${album.label}`, type: 'P' },
    ],
    external_ids: { upc: spotifyUpc(ctx, album) },
    genres: [],
    ...(ctx.devModeFields ? {} : { label: album.label, popularity: intBetween(0, 100, ctx.lib.seed, Field.albumPopularity, TAG, albumIndex) }),
  };
}

export const SPOTIFY_USER_ID = 'soulspotfakeuser';

/** `GET /v1/me`: dev mode drops country, email, explicit_content, followers, product; `account_id` since 2026-05. */
export function currentUser(ctx: SpotifyShapeContext) {
  return {
    account_id: `acc-${hex(16, ctx.lib.seed, Field.followOrder, 77)}`,
    display_name: 'SoulSpot Fake User',
    external_urls: { spotify: `${OPEN}/user/${SPOTIFY_USER_ID}` },
    href: `${ctx.apiBase}/users/${SPOTIFY_USER_ID}`,
    id: SPOTIFY_USER_ID,
    images: [],
    type: 'user',
    uri: `spotify:user:${SPOTIFY_USER_ID}`,
    ...(ctx.devModeFields
      ? {}
      : {
          country: 'DE',
          email: 'fake-user@example.invalid',
          explicit_content: { filter_enabled: false, filter_locked: false },
          followers: { href: null, total: 3 },
          product: 'premium',
        }),
  };
}
