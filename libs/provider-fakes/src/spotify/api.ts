import { isWellFormedSpotifyId, type EntityKind } from '../generator/ids';
import { matchRoute, pathSegments, type RouteEntry } from '../http/routes';
import { json, type FakeRequest, type Reply } from '../http/server';
import type { AccessGrant } from './accounts';
import { albumTracksPage, currentUser, fullAlbum, fullArtist, fullTrack, offsetPage, simplifiedAlbum, type SpotifyShapeContext } from './shapes';

/** Route table and handlers of the fake Web API (/v1/...). Handlers are pure over the library state. */

export function webApiError(status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Reply {
  return json(status, { error: { status, message, ...extra } }, headers);
}

export interface ApiRoute {
  /** Endpoint key for stats/faults, e.g. `GET /v1/albums/{id}`. */
  key: string;
  params: string[];
  /** Scope the endpoint needs, if any. */
  scope?: string;
  /** A batch endpoint (removed for Development-Mode apps). */
  batch?: boolean;
  paging?: boolean;
}

const ROUTES: RouteEntry<Omit<ApiRoute, 'params'>>[] = [
  { pattern: ['v1', 'me'], route: { key: 'GET /v1/me' } },
  { pattern: ['v1', 'me', 'following'], route: { key: 'GET /v1/me/following', scope: 'user-follow-read', paging: true } },
  { pattern: ['v1', 'me', 'albums'], route: { key: 'GET /v1/me/albums', scope: 'user-library-read', paging: true } },
  { pattern: ['v1', 'artists'], route: { key: 'GET /v1/artists', batch: true } },
  { pattern: ['v1', 'artists', '*'], route: { key: 'GET /v1/artists/{id}' } },
  { pattern: ['v1', 'artists', '*', 'albums'], route: { key: 'GET /v1/artists/{id}/albums', paging: true } },
  { pattern: ['v1', 'albums'], route: { key: 'GET /v1/albums', batch: true } },
  { pattern: ['v1', 'albums', '*'], route: { key: 'GET /v1/albums/{id}' } },
  { pattern: ['v1', 'albums', '*', 'tracks'], route: { key: 'GET /v1/albums/{id}/tracks', paging: true } },
  { pattern: ['v1', 'tracks'], route: { key: 'GET /v1/tracks', batch: true } },
  { pattern: ['v1', 'tracks', '*'], route: { key: 'GET /v1/tracks/{id}' } },
];

export const SPOTIFY_API_ENDPOINTS = ROUTES.map((r) => r.route.key);

export function matchApiRoute(method: string, path: string): ApiRoute | null {
  return matchRoute(ROUTES, method, pathSegments(path));
}

export interface ApiContext extends SpotifyShapeContext {
  artistAlbumsMaxLimit: number;
  batchEndpointsForbidden: boolean;
  /** What a removed batch endpoint answers (default 403). */
  batchEndpointsRemovedStatus?: 403 | 404;
  /** Page size a short page keeps, or null for a normal page. */
  shortPage: ((limit: number) => number) | null;
}

type Parsed = { value: number } | { reply: Reply };

function parseLimit(query: URLSearchParams, fallback: number, max: number): Parsed {
  const raw = query.get('limit');
  if (raw === null) return { value: fallback };
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) return { reply: webApiError(400, 'Invalid limit') };
  return { value };
}

function parseOffset(query: URLSearchParams): Parsed {
  const raw = query.get('offset');
  if (raw === null) return { value: 0 };
  if (!/^\d+$/.test(raw) || Number(raw) > 100_000) return { reply: webApiError(400, 'Invalid offset') };
  return { value: Number(raw) };
}

/** Looks an id up: 400 for a malformed id, 404 for a well-formed unknown one. */
function lookup(ctx: ApiContext, kind: EntityKind, id: string): { index: number } | { reply: Reply } {
  if (!isWellFormedSpotifyId(id)) return { reply: webApiError(400, 'Invalid base62 id') };
  const index = ctx.lib.indexOf(kind, id);
  return index === null ? { reply: webApiError(404, 'non existing id') } : { index };
}

export function handleApi(ctx: ApiContext, route: ApiRoute, request: FakeRequest, grant: AccessGrant): Reply {
  if (route.scope && !grant.scopes.has(route.scope)) return webApiError(403, 'Insufficient client scope');
  if (route.batch && ctx.batchEndpointsForbidden) {
    return ctx.batchEndpointsRemovedStatus === 404 ? webApiError(404, 'Service not found') : webApiError(403, 'Forbidden');
  }
  const q = request.query;
  const [id] = route.params;
  switch (route.key) {
    case 'GET /v1/me':
      return json(200, currentUser(ctx));
    case 'GET /v1/me/following':
      return followedArtists(ctx, q);
    case 'GET /v1/me/albums':
      return savedAlbums(ctx, q);
    case 'GET /v1/artists/{id}': {
      const found = lookup(ctx, 'artist', id!);
      return 'reply' in found ? found.reply : json(200, fullArtist(ctx, found.index));
    }
    case 'GET /v1/artists/{id}/albums':
      return artistAlbums(ctx, id!, q);
    case 'GET /v1/albums/{id}': {
      const found = lookup(ctx, 'album', id!);
      return 'reply' in found ? found.reply : json(200, fullAlbum(ctx, found.index));
    }
    case 'GET /v1/albums/{id}/tracks': {
      const found = lookup(ctx, 'album', id!);
      if ('reply' in found) return found.reply;
      const limit = parseLimit(q, 20, 50);
      if ('reply' in limit) return limit.reply;
      const offset = parseOffset(q);
      if ('reply' in offset) return offset.reply;
      const size = ctx.shortPage ? ctx.shortPage(limit.value) : limit.value;
      return json(200, albumTracksPage(ctx, found.index, offset.value, limit.value, size));
    }
    case 'GET /v1/tracks/{id}': {
      const found = lookup(ctx, 'track', id!);
      return 'reply' in found ? found.reply : json(200, fullTrack(ctx, found.index));
    }
    case 'GET /v1/artists':
      return batch(ctx, q, 'artist', 'artists', 50, (i) => fullArtist(ctx, i));
    case 'GET /v1/albums':
      return batch(ctx, q, 'album', 'albums', 20, (i) => fullAlbum(ctx, i));
    case 'GET /v1/tracks':
      return batch(ctx, q, 'track', 'tracks', 50, (i) => fullTrack(ctx, i));
    default:
      return webApiError(404, 'Service not found');
  }
}

function batch(ctx: ApiContext, q: URLSearchParams, kind: EntityKind, wrapper: string, max: number, build: (index: number) => unknown): Reply {
  const raw = q.get('ids');
  if (raw === null || raw === '') return webApiError(400, 'Missing required parameter: ids');
  const ids = raw.split(',');
  if (ids.length > max) return webApiError(400, 'Too many ids requested');
  if (!ids.every(isWellFormedSpotifyId)) return webApiError(400, 'Invalid base62 id');
  return json(200, {
    [wrapper]: ids.map((id) => {
      const index = ctx.lib.indexOf(kind, id);
      return index === null ? null : build(index);
    }),
  });
}

function followedArtists(ctx: ApiContext, q: URLSearchParams): Reply {
  const type = q.get('type');
  if (type === null) return webApiError(400, 'Missing required parameter: type');
  if (type !== 'artist') return webApiError(400, 'Bad request, type must be artist');
  const limit = parseLimit(q, 20, 50);
  if ('reply' in limit) return limit.reply;
  const after = q.get('after');
  let cursor: number | null;
  if (after === null) {
    cursor = ctx.lib.followedArtistAt(0);
  } else {
    if (!isWellFormedSpotifyId(after)) return webApiError(400, 'Invalid base62 id');
    const afterIndex = ctx.lib.indexOf('artist', after);
    if (afterIndex === null) return webApiError(400, 'Invalid cursor');
    cursor = ctx.lib.nextFollowedAfter(afterIndex);
  }
  const size = ctx.shortPage ? ctx.shortPage(limit.value) : limit.value;
  const items = [];
  let lastId: string | null = null;
  while (cursor !== null && items.length < size) {
    items.push(fullArtist(ctx, cursor));
    lastId = ctx.lib.spotifyIdOf('artist', cursor);
    cursor = ctx.lib.nextFollowedAfter(cursor);
  }
  const url = (afterId: string | null) => `${ctx.apiBase}/me/following?type=artist${afterId ? `&after=${afterId}` : ''}&limit=${limit.value}`;
  const more = cursor !== null && lastId !== null;
  return json(200, {
    artists: {
      href: url(after),
      limit: limit.value,
      next: more ? url(lastId) : null,
      cursors: { after: more ? lastId : null },
      total: ctx.lib.followedCount,
      items,
    },
  });
}

function savedAlbums(ctx: ApiContext, q: URLSearchParams): Reply {
  const limit = parseLimit(q, 20, 50);
  if ('reply' in limit) return limit.reply;
  const offset = parseOffset(q);
  if ('reply' in offset) return offset.reply;
  const size = ctx.shortPage ? ctx.shortPage(limit.value) : limit.value;
  const items = [];
  for (let position = offset.value; position < Math.min(ctx.lib.savedCount, offset.value + size); position++) {
    const album = ctx.lib.savedAlbumAt(position)!;
    items.push({ added_at: new Date(ctx.lib.savedAtOf(album)! * 1000).toISOString().replace('.000Z', 'Z'), album: fullAlbum(ctx, album) });
  }
  const url = (o: number) => `${ctx.apiBase}/me/albums?offset=${o}&limit=${limit.value}`;
  return json(200, offsetPage(url, items, offset.value, limit.value, ctx.lib.savedCount));
}

const ALBUM_GROUPS = new Set(['album', 'single', 'compilation', 'appears_on']);

function artistAlbums(ctx: ApiContext, id: string, q: URLSearchParams): Reply {
  const found = lookup(ctx, 'artist', id);
  if ('reply' in found) return found.reply;
  const rawGroups = q.get('include_groups');
  const groups = rawGroups === null ? null : rawGroups.split(',').map((g) => g.trim());
  if (groups && !groups.every((g) => ALBUM_GROUPS.has(g))) return webApiError(400, 'Invalid include_groups');
  const limit = parseLimit(q, Math.min(5, ctx.artistAlbumsMaxLimit), ctx.artistAlbumsMaxLimit);
  if ('reply' in limit) return limit.reply;
  const offset = parseOffset(q);
  if ('reply' in offset) return offset.reply;
  const first = found.index * ctx.lib.albumsPerArtist;
  const matching: number[] = [];
  for (let k = 0; k < ctx.lib.albumsPerArtist; k++) {
    // The generator has no appears_on releases: every album's group is its album_type.
    if (!groups || groups.includes(ctx.lib.canonicalAlbum(first + k).albumType)) matching.push(first + k);
  }
  const size = ctx.shortPage ? ctx.shortPage(limit.value) : limit.value;
  const items = matching.slice(offset.value, offset.value + size).map((album) => simplifiedAlbum(ctx, album, true));
  const groupParam = rawGroups === null ? '' : `&include_groups=${rawGroups}`;
  const url = (o: number) => `${ctx.apiBase}/artists/${id}/albums?offset=${o}&limit=${limit.value}${groupParam}`;
  return json(200, offsetPage(url, items, offset.value, limit.value, matching.length));
}
