import type { FaultSpec } from '../http/faults';

/** A 429 injected into matching requests. */
export interface RateLimitedFault extends FaultSpec {
  /** Retry-After seconds (default 1); `null` sends no Retry-After header at all. */
  retryAfterSeconds?: number | null;
  /** Header format: integer seconds (default) or an HTTP-date. */
  retryAfterFormat?: 'seconds' | 'http-date';
  /** `json` (default): `{"error":{"status":429,"message":"API rate limit exceeded"}}`; `empty`: Content-Length 0. */
  body?: 'json' | 'empty';
}

/** The July-2026 dev-mode quota error: 429 with `"reason":"QUOTA_EXCEEDED"`. */
export interface QuotaExceededFault extends FaultSpec {
  /** Retry-After seconds; default `null` (no header — the quota does not come back within a sync). */
  retryAfterSeconds?: number | null;
}

export interface ServerErrorFault extends FaultSpec {
  /** 500, 502, 503 (default) or 504. */
  status?: number;
  /** `json` (default, Web API error shape), `html` (gateway page) or `empty`. */
  body?: 'json' | 'html' | 'empty';
}

export interface ShortPagesFault extends FaultSpec {
  /** Fraction of the requested limit a short page keeps (default 0.5, at least one item). */
  keep?: number;
}

/** The rolling-window limiter Spotify runs per app (client id). Off unless set. */
export interface SpotifyRateLimit {
  maxRequests: number;
  /** Default 30,000 (Spotify's documented rolling 30-second window). */
  windowMs?: number;
  /** Retry-After announced when the limit trips (default: until the window has room again, rounded up). */
  retryAfterSeconds?: number;
}

export type RefreshTokenRotation = 'rotate' | 'omit' | 'rotate-invalidate';

/**
 * Every Spotify quirk, runtime-switchable through `fake.setFaults(patch)`. A key set to null/undefined
 * goes back to its default; `fake.clearFaults()` restores all defaults.
 */
export interface SpotifyFaults {
  rateLimited?: RateLimitedFault | null;
  quotaExceeded?: QuotaExceededFault | null;
  serverErrors?: ServerErrorFault | null;
  /** 200 responses with a truncated JSON body. */
  malformedJson?: FaultSpec | null;
  /** Paging responses with fewer items than `limit`; `next` stays correct (continues after the last item). */
  shortPages?: ShortPagesFault | null;
  rateLimit?: SpotifyRateLimit | null;
  /** Strip the fields Development-Mode apps no longer get (reference §2.6/§2.7). Default: `devMode`. */
  devModeFields?: boolean;
  /** GET /v1/artists?ids=, /v1/albums?ids=, /v1/tracks?ids= are removed (see `batchEndpointsRemovedStatus`). Default: `devMode`. */
  batchEndpointsForbidden?: boolean;
  /**
   * What a removed batch endpoint answers: 403 `Forbidden` (default; what third parties report) or 404
   * `Service not found` (the reference tells clients to fall back on either).
   */
  batchEndpointsRemovedStatus?: 403 | 404;
  /** Max `limit` of GET /v1/artists/{id}/albums (400 `Invalid limit` above). Default 10 in dev mode, else 50. */
  artistAlbumsMaxLimit?: number;
  /** Lifetime announced as `expires_in` and enforced (default 3600). */
  accessTokenTtlSeconds?: number;
  /** Authorization codes are single-use and expire after this (default 600). */
  authorizationCodeTtlSeconds?: number;
  /**
   * Refresh-token grant responses: `rotate` (default) returns a new refresh token and the old one keeps
   * working; `omit` returns none (client keeps the old one); `rotate-invalidate` returns a new one and
   * the old one is dead (a later use is `invalid_grant` + a `stale-refresh-token` violation).
   */
  refreshTokenRotation?: RefreshTokenRotation;
  /** Refresh tokens die this long after the ORIGINAL authorization (default 6 months); refreshing does not extend it. */
  refreshTokenMaxAgeSeconds?: number;
  /** Every refresh answers `invalid_grant` / `Refresh token revoked` (and revokes the token). */
  invalidGrant?: boolean;
  /** /authorize redirects with `error=access_denied` (the user clicked Cancel). */
  authorizeDenied?: boolean;
  /**
   * Also record an `expired-token` violation for a request whose token is past the `expires_in` it was
   * issued with (a client should refresh before expiry). Forced expiry (`expireAccessTokens()`) is exempt.
   */
  strictExpiry?: boolean;
  /**
   * Spotify ids of albums that were taken down: they stay in saved albums and listings, but their `name` is ""
   * wherever they appear (full album, simplified album, a track's album) — reference §2.6.
   */
  takenDownAlbums?: string[];
}

export const SPOTIFY_SWITCHES = [
  'rateLimited',
  'quotaExceeded',
  'serverErrors',
  'malformedJson',
  'shortPages',
  'rateLimit',
  'devModeFields',
  'batchEndpointsForbidden',
  'batchEndpointsRemovedStatus',
  'artistAlbumsMaxLimit',
  'accessTokenTtlSeconds',
  'authorizationCodeTtlSeconds',
  'refreshTokenRotation',
  'refreshTokenMaxAgeSeconds',
  'invalidGrant',
  'authorizeDenied',
  'strictExpiry',
  'takenDownAlbums',
] as const satisfies readonly (keyof SpotifyFaults)[];
/** Compile-time check that the list names every switch. */
const _everySwitchListed: [Exclude<keyof SpotifyFaults, (typeof SPOTIFY_SWITCHES)[number]>] extends [never] ? true : never = true;

export interface ResolvedSpotifyFaults extends SpotifyFaults {
  devModeFields: boolean;
  batchEndpointsForbidden: boolean;
  batchEndpointsRemovedStatus: 403 | 404;
  artistAlbumsMaxLimit: number;
  accessTokenTtlSeconds: number;
  authorizationCodeTtlSeconds: number;
  refreshTokenRotation: RefreshTokenRotation;
  refreshTokenMaxAgeSeconds: number;
}

export function spotifyDefaults(devMode: boolean): ResolvedSpotifyFaults {
  return {
    devModeFields: devMode,
    batchEndpointsForbidden: devMode,
    batchEndpointsRemovedStatus: 403,
    artistAlbumsMaxLimit: devMode ? 10 : 50,
    accessTokenTtlSeconds: 3600,
    authorizationCodeTtlSeconds: 600,
    refreshTokenRotation: 'rotate',
    refreshTokenMaxAgeSeconds: 182 * 86_400,
  };
}
