import type { EntityKind } from '../generator/ids';
import { matchRoute, pathSegments, type RouteEntry } from '../http/routes';
import { json, type FakeRequest, type Reply } from '../http/server';
import { deezerErrorBody } from './settings';
import {
  albumTrack,
  artistAlbum,
  currentUser,
  DEEZER_USER_ID,
  favouriteAlbum,
  favouriteArtist,
  fullAlbum,
  fullArtist,
  fullTrack,
  listChecksum,
  type DeezerShapeContext,
} from './shapes';

/** Route table and handlers of the fake Deezer API. */

export interface DeezerRoute {
  key: string;
  params: string[];
  /** Needs a user token (`/user/me...`): without one Deezer answers code 200. */
  user?: boolean;
  paging?: boolean;
}

const ROUTES: RouteEntry<Omit<DeezerRoute, 'params'>>[] = [
  { pattern: ['user', 'me'], route: { key: 'GET /user/me', user: true } },
  { pattern: ['user', 'me', 'artists'], route: { key: 'GET /user/me/artists', user: true, paging: true } },
  { pattern: ['user', 'me', 'albums'], route: { key: 'GET /user/me/albums', user: true, paging: true } },
  { pattern: ['artist', '*'], route: { key: 'GET /artist/{id}' } },
  { pattern: ['artist', '*', 'albums'], route: { key: 'GET /artist/{id}/albums', paging: true } },
  { pattern: ['album', '*'], route: { key: 'GET /album/{id}' } },
  { pattern: ['album', '*', 'tracks'], route: { key: 'GET /album/{id}/tracks', paging: true } },
  { pattern: ['track', '*'], route: { key: 'GET /track/{id}' } },
];

export const DEEZER_API_ENDPOINTS = ROUTES.map((r) => r.route.key);

export function matchDeezerRoute(method: string, path: string): DeezerRoute | null {
  const segments = pathSegments(path);
  // `/user/{id}/...` with the current user's numeric id is the same as `/user/me/...`.
  if (segments[0] === 'user' && segments[1] === String(DEEZER_USER_ID)) segments[1] = 'me';
  return matchRoute(ROUTES, method, segments);
}

export interface DeezerApiContext extends DeezerShapeContext {
  pageMaxLimit: number;
  embeddedTracksLimit: number;
  shortPage: ((limit: number) => number) | null;
  /** List positions left out of this answer's page (`unavailableItems`), if any. */
  unavailable?: ReadonlySet<number> | null;
}

export function deezerError(code: number): Reply {
  return json(200, deezerErrorBody(code));
}

function lookup(ctx: DeezerApiContext, kind: EntityKind, id: string): number | null {
  return ctx.lib.indexOf(kind, id);
}

interface Window {
  index: number;
  limit: number;
}

/** index/limit from the query: default 25, silently capped; junk values fall back to the defaults. */
function pageWindow(ctx: DeezerApiContext, q: URLSearchParams): Window {
  const index = Number(q.get('index') ?? 0);
  const limit = Number(q.get('limit') ?? 25);
  return {
    index: Number.isInteger(index) && index >= 0 ? index : 0,
    limit: Number.isInteger(limit) && limit > 0 ? Math.min(limit, ctx.pageMaxLimit) : 25,
  };
}

/**
 * The `{data, total, prev?, next?}` envelope. `next`/`prev` keep every query parameter the caller sent
 * (access_token and limit included, as Deezer does) and only change `index`.
 */
function listPage(ctx: DeezerApiContext, request: FakeRequest, total: number, window: Window, build: (position: number) => unknown, extra: Record<string, unknown> = {}) {
  const size = ctx.shortPage ? ctx.shortPage(window.limit) : window.limit;
  const data: unknown[] = [];
  const end = Math.min(total, window.index + size);
  for (let position = window.index; position < end; position++) if (!ctx.unavailable?.has(position)) data.push(build(position));
  const url = (index: number) => {
    const params = new URLSearchParams(request.query);
    params.delete('index');
    params.set('index', String(index));
    return `${ctx.apiBase}${request.path}?${params.toString()}`;
  };
  // Left-out items still take their place in the list: the next page starts after the whole window.
  const nextIndex = end;
  return {
    data,
    total,
    ...extra,
    ...(window.index > 0 ? { prev: url(Math.max(0, window.index - window.limit)) } : {}),
    ...(nextIndex > window.index && nextIndex < total ? { next: url(nextIndex) } : {}),
  };
}

export function handleDeezer(ctx: DeezerApiContext, route: DeezerRoute, request: FakeRequest): Reply {
  const q = request.query;
  const [id] = route.params;
  const lib = ctx.lib;
  switch (route.key) {
    case 'GET /user/me':
      return json(200, currentUser(ctx));
    case 'GET /user/me/artists': {
      const page = listPage(ctx, request, lib.followedCount, pageWindow(ctx, q), (p) => favouriteArtist(ctx, lib.followedArtistAt(p)!), {
        checksum: listChecksum(lib.followedArtistIds()),
      });
      return json(200, page);
    }
    case 'GET /user/me/albums': {
      const page = listPage(ctx, request, lib.savedCount, pageWindow(ctx, q), (p) => favouriteAlbum(ctx, lib.savedAlbumAt(p)!), {
        checksum: listChecksum(lib.savedAlbumIds()),
      });
      return json(200, page);
    }
    case 'GET /artist/{id}': {
      const index = lookup(ctx, 'artist', id!);
      return index === null ? deezerError(800) : json(200, fullArtist(ctx, index));
    }
    case 'GET /artist/{id}/albums': {
      const index = lookup(ctx, 'artist', id!);
      if (index === null) return deezerError(800);
      const first = index * lib.albumsPerArtist;
      return json(200, listPage(ctx, request, lib.albumsPerArtist, pageWindow(ctx, q), (p) => artistAlbum(ctx, first + p)));
    }
    case 'GET /album/{id}': {
      const index = lookup(ctx, 'album', id!);
      return index === null ? deezerError(800) : json(200, fullAlbum(ctx, index, ctx.embeddedTracksLimit));
    }
    case 'GET /album/{id}/tracks': {
      const index = lookup(ctx, 'album', id!);
      if (index === null) return deezerError(800);
      const album = lib.canonicalAlbum(index);
      const first = index * lib.tracksPerAlbum;
      return json(200, listPage(ctx, request, lib.tracksPerAlbum, pageWindow(ctx, q), (p) => albumTrack(ctx, first + p, album)));
    }
    case 'GET /track/{id}': {
      const index = lookup(ctx, 'track', id!);
      return index === null ? deezerError(800) : json(200, fullTrack(ctx, index));
    }
    default:
      return json(404, { error: 'Not Found' });
  }
}
