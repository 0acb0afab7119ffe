import { generateLibraries } from '../generator/generate';
import type { GenerateOptions } from '../generator/options';
import type { ProviderLibrary } from '../generator/provider-library';
import { FaultDice, malformedJsonBody, mergeSwitches, serverErrorBody, SlidingWindow, type SwitchPatch } from '../http/faults';
import { deezerMinimumRequests, type MinimumRequests } from '../minimum-requests';
import { Recorder, type FakeStats, type Violation } from '../http/recorder';
import { json, startHttpServer, text, type FakeRequest, type Reply, type RunningServer } from '../http/server';
import { deezerError, handleDeezer, matchDeezerRoute, type DeezerRoute } from './api';
import { DeezerConnect } from './oauth';
import { DEEZER_DEFAULTS, DEEZER_SWITCHES, deezerErrorBody, type DeezerErrorFault, type DeezerFaults, type ResolvedDeezerFaults } from './settings';

export interface FakeDeezerOptions extends GenerateOptions {
  /** The library to serve (e.g. `generateLibraries(...).deezer`); otherwise one is generated from the options. */
  library?: ProviderLibrary;
  appId?: string;
  appSecret?: string;
  /** Initial switches (same shape as `setFaults`). */
  faults?: DeezerFaults;
  /** Grace after a code-300 rejection before reusing the token counts as a violation (default 1000 ms). */
  inFlightGraceMs?: number;
  /** Clock (ms since epoch). Default Date.now. */
  now?: () => number;
  apiPort?: number;
  accountsPort?: number;
}

export interface FakeDeezer {
  /** API base (like `https://api.deezer.com`): `/user/me/artists`, `/album/{id}` ... */
  baseUrl: string;
  /** Connect base (like `https://connect.deezer.com`): `/oauth/auth.php`, `/oauth/access_token.php`. */
  accountsUrl: string;
  appId: string;
  appSecret: string;
  library: ProviderLibrary;
  stats(): FakeStats;
  violations(): Violation[];
  resetStats(): void;
  setFaults(patch: SwitchPatch<DeezerFaults>): void;
  clearFaults(): void;
  faults(): ResolvedDeezerFaults;
  /** Every token issued so far is expired from now on (next use: code 300). */
  expireAccessTokens(): void;
  /** Same effect, reported as a revocation. */
  revokeTokens(): void;
  /** Fewest requests a complete sync of the current library needs with the current page limits (benchmark denominator). */
  minimumSyncRequests(): MinimumRequests;
  close(): Promise<void>;
}

export async function startFakeDeezer(options: FakeDeezerOptions = {}): Promise<FakeDeezer> {
  const library = options.library ?? generateLibraries(options).deezer;
  if (library.provider !== 'deezer') throw new Error('startFakeDeezer: library is not a Deezer library');
  const now = options.now ?? Date.now;
  const graceMs = options.inFlightGraceMs ?? 1000;
  let settings: ResolvedDeezerFaults = { ...DEEZER_DEFAULTS, ...mergeSwitches({}, options.faults ?? {}, DEEZER_SWITCHES) };
  let quotaWindow: SlidingWindow | null = null;
  const recorder = new Recorder();
  const dice = new FaultDice(library.seed + 1);
  const app = { appId: options.appId ?? '512001', appSecret: options.appSecret ?? 'soulspot-fake-deezer-secret' };
  const connect = new DeezerConnect(app, () => settings, recorder, now, graceMs);
  let apiBase = '';

  const isApi = (key: string) => key.startsWith('GET /') && !key.startsWith('GET /oauth/');

  const injectedError = (key: string, path: string): DeezerErrorFault | null => {
    const list = settings.errors ? (Array.isArray(settings.errors) ? settings.errors : [settings.errors]) : [];
    return list.find((fault) => dice.fires(fault, key, path, isApi)) ?? null;
  };

  const unavailableFor = (key: string): ReadonlySet<number> | null => {
    const spec = settings.unavailableItems;
    if (!spec || (spec.endpoints && !spec.endpoints.includes(key))) return null;
    return new Set(spec.positions);
  };

  const processApi = (route: DeezerRoute | null, key: string, request: FakeRequest): Reply => {
    const t = now();
    const token = request.query.get('access_token');
    if (settings.quota && quotaWindow) {
      const quotaKey = settings.quota.key === 'token' && token ? `token:${token}` : `ip:${request.remoteAddress}`;
      const count = quotaWindow.hit(quotaKey, t);
      if (count > settings.quota.maxRequests) {
        recorder.injected('deezer-quota');
        recorder.violation({ kind: 'deezer-quota', endpoint: key, at: t, detail: `${count} requests within ${settings.quota.windowMs} ms (limit ${settings.quota.maxRequests})` });
        return deezerError(4);
      }
    }
    if (!route) return json(404, { error: 'Not Found' });
    if (token !== null) {
      const check = connect.check(token, key);
      if (!check.ok) return deezerError(300);
    } else if (route.user) {
      return deezerError(200);
    }
    const error = injectedError(key, request.path);
    if (error) {
      recorder.injected(`deezer-error-${error.code}`);
      if (error.code === 300 && token !== null) connect.invalidate(token, key);
      return json(error.httpStatus ?? 200, deezerErrorBody(error.code, error));
    }
    const errors = settings.serverErrors;
    if (dice.fires(errors, key, request.path, isApi)) {
      recorder.injected('serverErrors');
      const status = errors!.status ?? 503;
      const { body, contentType } = serverErrorBody(errors!.body ?? 'html', status, { error: { type: 'Exception', message: 'Service unavailable', code: 700 } });
      return { status, body, headers: { 'content-type': contentType } };
    }
    if (dice.fires(settings.malformedJson, key, request.path, isApi)) {
      recorder.injected('malformedJson');
      return { status: 200, body: malformedJsonBody(), headers: { 'content-type': 'application/json; charset=utf-8' } };
    }
    const shortPages = settings.shortPages;
    const short = route.paging && dice.fires(shortPages, key, request.path, isApi);
    if (short) recorder.injected('shortPages');
    return handleDeezer(
      {
        lib: library,
        apiBase,
        pageMaxLimit: settings.pageMaxLimit,
        embeddedTracksLimit: settings.embeddedTracksLimit,
        shortPage: short ? (limit) => Math.max(1, Math.floor(limit * (shortPages!.keep ?? 0.5))) : null,
        unavailable: route.paging ? unavailableFor(key) : null,
      },
      route,
      request,
    );
  };

  const apiServer: RunningServer = await startHttpServer((request) => {
    const route = matchDeezerRoute(request.method, request.path);
    const key = route?.key ?? `${request.method} (unknown)`;
    recorder.request(key);
    const reply = processApi(route, key, request);
    recorder.status(reply.status);
    return reply;
  }, options.apiPort);
  apiBase = apiServer.url;

  const accountsServer = await startHttpServer((request) => {
    let key = `${request.method} (unknown)`;
    let reply: Reply;
    if (request.method === 'GET' && request.path === '/oauth/auth.php') {
      key = 'GET /oauth/auth.php';
      reply = connect.authorize(request);
    } else if ((request.method === 'GET' || request.method === 'POST') && request.path === '/oauth/access_token.php') {
      key = `${request.method} /oauth/access_token.php`;
      // Only when listed explicitly in `endpoints`: the token exchange can fail like any gateway.
      const errors = settings.serverErrors;
      if (errors?.endpoints?.includes(key) && dice.fires(errors, key, request.path)) {
        recorder.injected('serverErrors');
        const status = errors.status ?? 503;
        const { body, contentType } = serverErrorBody(errors.body ?? 'html', status, { error: { type: 'Exception', message: 'Service unavailable', code: 700 } });
        reply = { status, body, headers: { 'content-type': contentType } };
      } else {
        reply = connect.accessToken(request);
      }
    } else {
      reply = text(404, 'Not Found');
    }
    recorder.request(key);
    recorder.status(reply.status);
    return reply;
  }, options.accountsPort);

  const applySettings = (next: ResolvedDeezerFaults) => {
    // Keep the quota window's history unless the quota itself was changed.
    if (next.quota !== settings.quota || !quotaWindow) {
      quotaWindow = next.quota ? new SlidingWindow(next.quota.maxRequests, next.quota.windowMs) : null;
    }
    settings = next;
  };
  applySettings(settings);

  return {
    baseUrl: apiBase,
    accountsUrl: accountsServer.url,
    appId: app.appId,
    appSecret: app.appSecret,
    library,
    stats: () => recorder.snapshot(),
    violations: () => recorder.violations(),
    resetStats: () => recorder.reset(),
    setFaults: (patch) => applySettings({ ...DEEZER_DEFAULTS, ...mergeSwitches(settings, patch, DEEZER_SWITCHES) }),
    clearFaults: () => applySettings({ ...DEEZER_DEFAULTS }),
    faults: () => structuredClone(settings),
    expireAccessTokens: () => connect.expireAccessTokens(),
    revokeTokens: () => connect.revokeAll(),
    minimumSyncRequests: () => deezerMinimumRequests(library, settings),
    close: async () => {
      await Promise.all([apiServer.close(), accountsServer.close()]);
    },
  };
}
