import { generateLibraries } from '../generator/generate';
import type { GenerateOptions } from '../generator/options';
import type { ProviderLibrary } from '../generator/provider-library';
import { FaultDice, malformedJsonBody, mergeSwitches, serverErrorBody, SlidingWindow, type SwitchPatch } from '../http/faults';
import { spotifyMinimumRequests, type MinimumRequests } from '../minimum-requests';
import { Recorder, type FakeStats, type Violation } from '../http/recorder';
import { json, startHttpServer, type FakeRequest, type Reply, type RunningServer } from '../http/server';
import { SpotifyAccounts } from './accounts';
import { handleApi, matchApiRoute, webApiError, type ApiRoute } from './api';
import { SPOTIFY_SWITCHES, spotifyDefaults, type ResolvedSpotifyFaults, type SpotifyFaults } from './settings';

export interface FakeSpotifyOptions extends GenerateOptions {
  /** The library to serve (e.g. `generateLibraries(...).spotify`); otherwise one is generated from the options. */
  library?: ProviderLibrary;
  /** Development-Mode app profile (default true): field stripping, 403 batch endpoints, artist-albums limit 10. */
  devMode?: boolean;
  clientId?: string;
  clientSecret?: string;
  /** Exact redirect URIs accepted by /authorize; default: any loopback IP literal or https URI. */
  redirectUris?: string[];
  /** Initial switches (same shape as `setFaults`). */
  faults?: SpotifyFaults;
  /**
   * Requests arriving this soon after the fake announced a Retry-After window or rejected a token are
   * treated as already in flight, not as violations (default 1000 ms: on a loaded machine a request sent
   * before the 429 arrived can be processed hundreds of ms later). To catch a client that ignores
   * Retry-After, announce windows longer than this.
   */
  inFlightGraceMs?: number;
  /** Clock (ms since epoch) for token expiry, Retry-After windows and rate windows. Default Date.now. */
  now?: () => number;
  /** Fixed ports (default: OS-assigned). */
  apiPort?: number;
  accountsPort?: number;
}

export interface FakeSpotify {
  /** Web API base, ending in `/v1` (like `https://api.spotify.com/v1`). */
  baseUrl: string;
  /** Accounts service base (like `https://accounts.spotify.com`): `/authorize`, `/api/token`. */
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  library: ProviderLibrary;
  stats(): FakeStats;
  violations(): Violation[];
  /** Zeroes counters and clears the violation log. */
  resetStats(): void;
  /** Merges switches; a key set to null/undefined returns to its default. */
  setFaults(patch: SwitchPatch<SpotifyFaults>): void;
  /** Back to the profile defaults (no injected faults). */
  clearFaults(): void;
  faults(): ResolvedSpotifyFaults;
  /** Every access token issued so far is expired from now on (forces a refresh mid-run). */
  expireAccessTokens(): void;
  /** The user revoked the app: all access tokens 401, all refresh tokens `invalid_grant`. */
  revokeTokens(): void;
  /** Fewest requests a complete sync of the current library needs with the current page limits (benchmark denominator). */
  minimumSyncRequests(): MinimumRequests;
  close(): Promise<void>;
}

const isApiEndpoint = (key: string) => key.startsWith('GET /v1/');

export async function startFakeSpotify(options: FakeSpotifyOptions = {}): Promise<FakeSpotify> {
  const library = options.library ?? generateLibraries(options).spotify;
  if (library.provider !== 'spotify') throw new Error('startFakeSpotify: library is not a Spotify library');
  const devMode = options.devMode ?? true;
  const now = options.now ?? Date.now;
  const graceMs = options.inFlightGraceMs ?? 1000;
  const defaults = spotifyDefaults(devMode);
  let settings: ResolvedSpotifyFaults = { ...defaults, ...mergeSwitches({}, options.faults ?? {}, SPOTIFY_SWITCHES) };
  let rateWindow: SlidingWindow | null = null;
  const recorder = new Recorder();
  const dice = new FaultDice(library.seed);
  const client = {
    clientId: options.clientId ?? 'soulspot-fake-spotify-client',
    clientSecret: options.clientSecret ?? 'soulspot-fake-spotify-secret',
    redirectUris: options.redirectUris ?? [],
  };
  const accounts = new SpotifyAccounts(client, () => settings, recorder, now, graceMs);
  /** The Retry-After window the fake announced last (rate limits are per app, so one window). */
  const retryWindow = { until: 0, announcedAt: 0 };

  const rateLimitedReply = (retryAfterSeconds: number | null, body: 'json' | 'empty', format: 'seconds' | 'http-date', extra: Record<string, unknown> = {}): Reply => {
    const headers: Record<string, string> = {};
    if (retryAfterSeconds !== null) {
      const t = now();
      let end = t + retryAfterSeconds * 1000;
      // An HTTP-date has whole seconds: the window ends on the second it names, never after it (truncating the
      // end would announce a time up to 1 s before the window really ends, and flag a client that honours it).
      if (format === 'http-date') end = Math.ceil(end / 1000) * 1000;
      retryWindow.until = Math.max(retryWindow.until, end);
      retryWindow.announcedAt = t;
      headers['retry-after'] = format === 'http-date' ? new Date(end).toUTCString() : String(retryAfterSeconds);
    }
    if (body === 'empty') return { status: 429, body: null, headers };
    return webApiError(429, extra.reason ? 'Too many requests' : 'API rate limit exceeded', extra, headers);
  };

  /** Injected faults shared by both servers; null when none fires. */
  const injectFault = (key: string, path: string): Reply | null => {
    if (dice.fires(settings.quotaExceeded, key, path, isApiEndpoint)) {
      recorder.injected('quotaExceeded');
      return rateLimitedReply(settings.quotaExceeded?.retryAfterSeconds ?? null, 'json', 'seconds', { reason: 'QUOTA_EXCEEDED' });
    }
    const limited = settings.rateLimited;
    if (dice.fires(limited, key, path, isApiEndpoint)) {
      recorder.injected('rateLimited');
      const retryAfter = limited!.retryAfterSeconds === undefined ? 1 : limited!.retryAfterSeconds;
      return rateLimitedReply(retryAfter, limited!.body ?? 'json', limited!.retryAfterFormat ?? 'seconds');
    }
    const errors = settings.serverErrors;
    if (dice.fires(errors, key, path, isApiEndpoint)) {
      recorder.injected('serverErrors');
      const status = errors!.status ?? 503;
      const { body, contentType } = serverErrorBody(errors!.body ?? 'json', status, { error: { status, message: 'Service unavailable' } });
      return { status, body, headers: { 'content-type': contentType } };
    }
    if (dice.fires(settings.malformedJson, key, path, isApiEndpoint)) {
      recorder.injected('malformedJson');
      return { status: 200, body: malformedJsonBody(), headers: { 'content-type': 'application/json; charset=utf-8' } };
    }
    return null;
  };

  let apiBase = '';

  const processApi = (route: ApiRoute | null, key: string, request: FakeRequest): Reply => {
    const t = now();
    if (t < retryWindow.until) {
      if (t - retryWindow.announcedAt > graceMs) {
        recorder.violation({ kind: 'retry-after', endpoint: key, at: t, detail: `request ${Math.ceil(retryWindow.until - t)} ms before the announced Retry-After ended` });
      }
      recorder.injected('retry-after-window');
      // Report the time left without extending the window or restarting its grace period.
      return webApiError(429, 'API rate limit exceeded', {}, { 'retry-after': String(Math.ceil((retryWindow.until - t) / 1000)) });
    }
    if (!route) return webApiError(404, 'Service not found');
    const access = accounts.checkAccess(request.headers.authorization, key);
    if (!access.ok) {
      return webApiError(401, access.message, {}, {
        'www-authenticate': `Bearer realm="spotify", error="${access.error}", error_description="${access.message}"`,
      });
    }
    if (settings.rateLimit && rateWindow) {
      const count = rateWindow.hit(access.grant.clientId, t);
      if (count > rateWindow.limit) {
        recorder.injected('rateLimit');
        const retryAfter = settings.rateLimit.retryAfterSeconds ?? Math.max(1, Math.ceil(rateWindow.msUntilSlot(access.grant.clientId, t) / 1000));
        return rateLimitedReply(retryAfter, 'json', 'seconds');
      }
    }
    const fault = injectFault(key, request.path);
    if (fault) return fault;
    const shortPages = settings.shortPages;
    const short = route.paging && dice.fires(shortPages, key, request.path, isApiEndpoint);
    if (short) recorder.injected('shortPages');
    return handleApi(
      {
        lib: library,
        apiBase,
        devModeFields: settings.devModeFields,
        takenDownAlbums: settings.takenDownAlbums ? new Set(settings.takenDownAlbums) : undefined,
        artistAlbumsMaxLimit: settings.artistAlbumsMaxLimit,
        batchEndpointsForbidden: settings.batchEndpointsForbidden,
        batchEndpointsRemovedStatus: settings.batchEndpointsRemovedStatus,
        shortPage: short ? (limit) => Math.max(1, Math.floor(limit * (shortPages!.keep ?? 0.5))) : null,
      },
      route,
      request,
      access.grant,
    );
  };

  const apiServer: RunningServer = await startHttpServer((request) => {
    const route = matchApiRoute(request.method, request.path);
    const key = route?.key ?? `${request.method} (unknown)`;
    recorder.request(key);
    const reply = processApi(route, key, request);
    recorder.status(reply.status);
    return reply;
  }, options.apiPort);
  apiBase = `${apiServer.url}/v1`;

  const accountsServer = await startHttpServer((request) => {
    const key = request.method === 'GET' && request.path === '/authorize' ? 'GET /authorize' : request.method === 'POST' && request.path === '/api/token' ? 'POST /api/token' : `${request.method} (unknown)`;
    recorder.request(key);
    let reply: Reply;
    if (key === 'GET /authorize') reply = accounts.authorize(request);
    else if (key === 'POST /api/token') reply = injectFault(key, request.path) ?? accounts.token(request);
    else reply = json(404, { error: 'not_found', error_description: 'Not found' });
    recorder.status(reply.status);
    return reply;
  }, options.accountsPort);

  const applySettings = (next: ResolvedSpotifyFaults) => {
    // Keep the rolling window's history unless the limiter itself was changed.
    if (next.rateLimit !== settings.rateLimit || !rateWindow) {
      rateWindow = next.rateLimit ? new SlidingWindow(next.rateLimit.maxRequests, next.rateLimit.windowMs ?? 30_000) : null;
    }
    settings = next;
  };
  applySettings(settings);

  return {
    baseUrl: apiBase,
    accountsUrl: accountsServer.url,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    library,
    stats: () => recorder.snapshot(),
    violations: () => recorder.violations(),
    resetStats: () => recorder.reset(),
    setFaults: (patch) => applySettings({ ...defaults, ...mergeSwitches(settings, patch, SPOTIFY_SWITCHES) }),
    clearFaults: () => {
      retryWindow.until = 0;
      applySettings({ ...defaults });
    },
    faults: () => structuredClone(settings),
    expireAccessTokens: () => accounts.expireAccessTokens(),
    revokeTokens: () => accounts.revokeAll(),
    minimumSyncRequests: () => spotifyMinimumRequests(library, settings),
    close: async () => {
      await Promise.all([apiServer.close(), accountsServer.close()]);
    },
  };
}
