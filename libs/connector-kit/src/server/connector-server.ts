import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { InvalidGrant } from '../auth/oauth-token-client';
import type { OAuthSessionStore } from '../auth/oauth-sessions';
import type { TokenStore } from '../auth/token-store';
import { describeError } from '../errors';
import { NotAuthenticated, RateLimitGateClosed, type SyncRunner } from '../sync/sync-runner';

/** The provider-specific half of the OAuth dance. */
export interface ConnectorOAuth {
  /** Spotify: PKCE S256. Deezer: none (its protocol has no PKCE). */
  readonly usesPkce: boolean;
  authorizeUrl(input: { state: string; codeChallenge?: string; redirectUri: string }): string;
  /** Exchanges the code and stores the tokens; throws InvalidGrant when the provider refuses the code. */
  exchangeCode(input: { code: string; codeVerifier: string; redirectUri: string; sessionId: string }): Promise<void>;
}

export interface ConnectorServerOptions {
  provider: string;
  /** Public base URL of this connector; the OAuth redirect URI is `${publicUrl}/auth/callback`. */
  publicUrl: string;
  /** Undefined when the app credentials are not configured: login answers 503, everything else works. */
  oauth?: ConnectorOAuth;
  sessions: OAuthSessionStore;
  tokens: TokenStore;
  runner: SyncRunner;
  registry: Registry;
  logger: Logger;
  /** Throws when the database is unreachable (readiness). */
  checkDatabase: () => Promise<void>;
}

export const SESSION_COOKIE = 'soulspot_oauth_session';

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

const STATE_LABEL: Record<string, string> = { not_authenticated: 'not authenticated', reauth_required: 'not authenticated: re-authorization required' };

/**
 * The HTTP surface every connector shares (Fastify 5): OAuth login/callback, sync start/progress, health,
 * readiness and metrics. Fastify's own logger is off: callback URLs carry the authorization code, so the
 * server logs its own lines without query strings.
 */
export function createConnectorServer(options: ConnectorServerOptions): FastifyInstance {
  const { provider, oauth, sessions, tokens, runner, registry, logger } = options;
  const app = Fastify({ logger: false });
  const redirectUri = `${options.publicUrl.replace(/\/$/, '')}/auth/callback`;
  const secureCookie = redirectUri.startsWith('https:');

  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === '/metrics' || request.routeOptions.url === '/healthz' || request.routeOptions.url === '/readyz/serving') return;
    logger.debug({ method: request.method, route: request.routeOptions.url ?? request.url.split('?')[0], status: reply.statusCode }, 'http request');
  });

  // Fastify's own logger is off (see above), so its default error handler would answer a failing dependency with a
  // 500 that carries the internal message (a database host, a driver's wording) and log nothing at all.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) return reply.code(status).send({ error: error.message });
    logger.error({ err: error, method: request.method, route: request.routeOptions.url ?? request.url.split('?')[0] }, 'request failed');
    return reply.code(500).send({ error: 'internal error' });
  });

  app.get('/auth/login', async (_request, reply) => {
    if (!oauth) return problem(reply, 503, `${provider} app credentials are not configured`);
    const login = await sessions.begin({ pkce: oauth.usesPkce });
    const cookie = [`${SESSION_COOKIE}=${login.sessionId}`, 'HttpOnly', 'SameSite=Lax', 'Path=/auth', 'Max-Age=600'];
    if (secureCookie) cookie.push('Secure');
    reply.header('set-cookie', cookie.join('; '));
    return reply.redirect(oauth.authorizeUrl({ state: login.state, codeChallenge: login.codeChallenge, redirectUri }), 302);
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/auth/callback', async (request, reply) => {
    const { code, state, error, error_reason: errorReason } = request.query;
    if (!oauth) return problem(reply, 503, `${provider} app credentials are not configured`);
    if (error || errorReason) return problem(reply, 400, `authorization denied: ${error ?? errorReason}`);
    if (!code || !state) return problem(reply, 400, 'missing code or state');
    const sessionId = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (!sessionId) return problem(reply, 400, 'no login session cookie: start at /auth/login in the same browser');
    const consumed = await sessions.consume(sessionId, state);
    if (!consumed) {
      logger.warn({ provider }, 'OAuth callback with an unknown, expired, reused or foreign state (possible CSRF)');
      return problem(reply, 400, 'invalid or expired state');
    }
    try {
      await oauth.exchangeCode({ code, codeVerifier: consumed.codeVerifier, redirectUri, sessionId });
    } catch (caught) {
      if (caught instanceof InvalidGrant) return problem(reply, 400, `the provider refused the authorization code (${caught.description})`);
      logger.error({ provider, error: describeError(caught).message }, 'code exchange failed');
      return problem(reply, 502, 'could not exchange the authorization code with the provider');
    }
    logger.info({ provider }, 'authenticated');
    reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/auth; Max-Age=0`);
    return { status: 'authenticated', provider };
  });

  app.post<{ Body: { force?: unknown } | undefined }>('/sync', async (request, reply) => {
    const force = request.body?.force === true;
    try {
      const run = await runner.start({ force });
      return reply.code(202).send({ runId: run.runId, status: run.status, statusUrl: `/sync/${run.runId}` });
    } catch (caught) {
      if (caught instanceof NotAuthenticated) return problem(reply, 409, caught.message);
      if (caught instanceof RateLimitGateClosed) {
        reply.header('retry-after', String(Math.max(1, Math.ceil((caught.until.getTime() - Date.now()) / 1000))));
        return reply.code(429).send({ error: caught.message, resumeAt: caught.until.toISOString() });
      }
      throw caught;
    }
  });

  app.get<{ Params: { runId: string } }>('/sync/:runId', async (request, reply) => {
    const run = runner.get(request.params.runId);
    return run ?? problem(reply, 404, 'unknown run id');
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  // Readiness for traffic (the Kubernetes readinessProbe): the connector can take logins, callbacks and sync requests
  // as soon as its database answers. /readyz also wants a login, and a pod that is not ready gets no traffic through
  // its Service — gating on the login would make /auth/login unreachable through the ingress until someone has
  // logged in (a fresh install), and again after every revoked grant (reauth_required).
  app.get('/readyz/serving', async (_request, reply) => {
    try {
      await options.checkDatabase();
    } catch {
      return reply.code(503).send({ status: 'database unavailable' });
    }
    const state = await tokens.state().catch(() => 'unknown');
    return { status: 'serving', auth: STATE_LABEL[state] ?? state };
  });

  app.get('/readyz', async (_request, reply) => {
    try {
      await options.checkDatabase();
    } catch {
      return reply.code(503).send({ status: 'database unavailable' });
    }
    const state = await tokens.state();
    if (state !== 'authenticated') return reply.code(503).send({ status: STATE_LABEL[state] ?? state });
    return { status: 'ready' };
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });

  return app;
}

function problem(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({ error: message });
}
