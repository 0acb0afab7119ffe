import type { FaultSpec } from '../http/faults';

/** A Deezer error body injected into matching requests (HTTP 200 unless `httpStatus` says otherwise). */
export interface DeezerErrorFault extends FaultSpec {
  /** 4 quota, 100 items limit, 200 permission, 300 invalid token, 500 parameter, 700 busy, 800 no data, ... */
  code: number;
  /** Default: the message real Deezer sends for that code. */
  message?: string;
  type?: string;
  /** Send `{"error":{"type":"Exception","message":"An error has occured"}}` without a code (seen in the wild). */
  omitCode?: boolean;
  /**
   * Send the error as a bare string, `{"error":"<message>"}` — the shape of Deezer's unknown-path answer (§6), here
   * inside whatever `httpStatus` says (default 200).
   */
  stringError?: boolean;
  /** Default 200: Deezer reports errors inside successful responses. */
  httpStatus?: number;
}

export interface DeezerServerErrorFault extends FaultSpec {
  status?: number;
  body?: 'json' | 'html' | 'empty';
}

export interface DeezerShortPagesFault extends FaultSpec {
  keep?: number;
}

/**
 * Items Deezer leaves out of list pages (unavailable in the user's country, taken down): the page still spans
 * their positions, so it is short — or empty — while `next`, `index` and `total` go on as if they were there
 * (reference §5.1).
 */
export interface DeezerUnavailableItems {
  /** 0-based positions in the list (as `index` counts them) that are never returned. */
  positions: number[];
  /** Endpoint keys whose lists leave them out, e.g. `['GET /user/me/artists']`. Default: every list endpoint. */
  endpoints?: string[];
}

/** Deezer's documented quota: 50 requests per 5 seconds. */
export interface DeezerQuota {
  maxRequests: number;
  windowMs: number;
  /** Count per access token (falling back to the IP for anonymous calls), or per client IP only. */
  key: 'token' | 'ip';
}

/**
 * Every Deezer quirk, runtime-switchable through `fake.setFaults(patch)`. A key set to null/undefined
 * returns to its default; `fake.clearFaults()` restores all defaults.
 */
export interface DeezerFaults {
  /** One or several injected error bodies (first matching entry wins). An injected code 300 also kills the token. */
  errors?: DeezerErrorFault | DeezerErrorFault[] | null;
  serverErrors?: DeezerServerErrorFault | null;
  /** 200 responses with a truncated JSON body. */
  malformedJson?: FaultSpec | null;
  /** List pages with fewer items than `limit`; `next` continues right after the last item returned. */
  shortPages?: DeezerShortPagesFault | null;
  /** List positions left out of pages while the paging goes on past them (pages short or empty, `next` still there). */
  unavailableItems?: DeezerUnavailableItems | null;
  /** The quota enforcement (default 50 / 5,000 ms per token); `false` turns it off. */
  quota?: DeezerQuota | false | null;
  /** `expires` of new tokens in seconds (default 3600); tokens requested with `offline_access` get 0 = never. */
  accessTokenTtlSeconds?: number;
  /** Add the `"expire"` twin key some clients saw in the JSON token reply. */
  expireKeyInJson?: boolean;
  /** auth.php redirects with `error_reason=user_denied`. */
  authorizeDenied?: boolean;
  /** Also record an `expired-token` violation for a request with a token past the `expires` it was issued with. */
  strictExpiry?: boolean;
  /** Largest page size honoured (bigger `limit` values are silently capped). Default 2000. */
  pageMaxLimit?: number;
  /** How many tracks `/album/{id}` embeds (long albums are truncated there). Default 500. */
  embeddedTracksLimit?: number;
}

export const DEEZER_SWITCHES = [
  'errors',
  'serverErrors',
  'malformedJson',
  'shortPages',
  'unavailableItems',
  'quota',
  'accessTokenTtlSeconds',
  'expireKeyInJson',
  'authorizeDenied',
  'pageMaxLimit',
  'embeddedTracksLimit',
  'strictExpiry',
] as const satisfies readonly (keyof DeezerFaults)[];
/** Compile-time check that the list names every switch. */
const _everySwitchListed: [Exclude<keyof DeezerFaults, (typeof DEEZER_SWITCHES)[number]>] extends [never] ? true : never = true;

export interface ResolvedDeezerFaults extends DeezerFaults {
  quota: DeezerQuota | false;
  accessTokenTtlSeconds: number;
  pageMaxLimit: number;
  embeddedTracksLimit: number;
}

export const DEEZER_DEFAULTS: ResolvedDeezerFaults = {
  quota: { maxRequests: 50, windowMs: 5000, key: 'token' },
  accessTokenTtlSeconds: 3600,
  pageMaxLimit: 2000,
  embeddedTracksLimit: 500,
};

const KNOWN_ERRORS: Record<number, { type: string; message: string }> = {
  4: { type: 'Exception', message: 'Quota limit exceeded' },
  100: { type: 'Exception', message: 'Items limit exceeded' },
  200: { type: 'OAuthException', message: 'An active access token must be used to query information about the current user' },
  300: { type: 'OAuthException', message: 'Invalid OAuth access token.' },
  500: { type: 'ParameterException', message: 'Wrong parameter' },
  501: { type: 'MissingParameterException', message: 'Missing parameter' },
  600: { type: 'InvalidQueryException', message: 'Invalid query' },
  700: { type: 'Exception', message: 'Service busy' },
  800: { type: 'DataException', message: 'no data' },
  901: { type: 'IndividualAccountChangedNotAllowedException', message: 'Individual account changed not allowed' },
};

/** The `{"error":{type,message,code}}` body Deezer sends for an error code. */
export function deezerErrorBody(code: number, overrides: { type?: string; message?: string; omitCode?: boolean; stringError?: boolean } = {}) {
  if (overrides.stringError) return { error: overrides.message ?? 'An error has occured' };
  if (overrides.omitCode) return { error: { type: overrides.type ?? 'Exception', message: overrides.message ?? 'An error has occured' } };
  const known = KNOWN_ERRORS[code] ?? { type: 'Exception', message: 'An error has occured' };
  return { error: { type: overrides.type ?? known.type, message: overrides.message ?? known.message, code } };
}
