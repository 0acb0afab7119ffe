import { Writable } from 'node:stream';
import { createLogger } from '@soulspot/observability';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { OAuthSessionStore } from '../auth/oauth-sessions';
import type { AuthState, TokenStore } from '../auth/token-store';
import type { SyncRunner } from '../sync/sync-runner';
import { createConnectorServer } from './connector-server';

function server(state: AuthState, databaseUp: boolean, parts: { sessions?: object; runner?: object; lines?: string[] } = {}) {
  const tokens = { state: async () => state } as unknown as TokenStore;
  const lines = parts.lines ?? [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  return createConnectorServer({
    provider: 'spotify',
    publicUrl: 'https://connector.example',
    oauth: { usesPkce: true, authorizeUrl: () => 'https://accounts.example/authorize', exchangeCode: async () => undefined },
    sessions: (parts.sessions ?? {}) as OAuthSessionStore,
    tokens,
    runner: (parts.runner ?? {}) as SyncRunner,
    registry: new Registry(),
    logger: createLogger('connector-server-test', { destination }),
    checkDatabase: async () => {
      if (!databaseUp) throw new Error('connect ECONNREFUSED');
    },
  });
}

describe('readiness', () => {
  it('/readyz/serving (the Kubernetes readinessProbe) is ready without a login, so /auth/login stays reachable', async () => {
    for (const state of ['not_authenticated', 'reauth_required', 'authenticated'] as const) {
      const app = server(state, true);
      const response = await app.inject({ method: 'GET', url: '/readyz/serving' });
      expect(response.statusCode, state).toBe(200);
      expect(response.json().status).toBe('serving');
      await app.close();
    }
    const app = server('not_authenticated', true);
    expect((await app.inject({ method: 'GET', url: '/readyz/serving' })).json().auth).toBe('not authenticated');
    await app.close();
  });

  it('/readyz/serving is not ready while the database does not answer', async () => {
    const app = server('authenticated', false);
    const response = await app.inject({ method: 'GET', url: '/readyz/serving' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'database unavailable' });
    await app.close();
  });

  it('/readyz still wants a login (for people and scripts asking whether syncs can run)', async () => {
    const app = server('not_authenticated', true);
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'not authenticated' });
    await app.close();
  });
});

describe('a request that fails on a dependency', () => {
  it('is logged with its route and cause, and answers 500 without the internal message', async () => {
    const lines: string[] = [];
    const pgError = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    const sessions = {
      begin: async () => {
        throw pgError;
      },
    };
    const app = server('not_authenticated', true, { sessions, lines });
    const response = await app.inject({ method: 'GET', url: '/auth/login?code=AQ-not-logged' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'internal error' });
    const entry = lines.map((line) => JSON.parse(line)).find((l) => l.msg === 'request failed');
    expect(entry).toMatchObject({ level: 50, method: 'GET', route: '/auth/login', err: { message: 'connect ECONNREFUSED 10.0.0.5:5432', code: 'ECONNREFUSED' } });
    expect(lines.join('\n')).not.toContain('AQ-not-logged');
    await app.close();
  });

  it('keeps client errors as they were: status and message, nothing logged at error level', async () => {
    const lines: string[] = [];
    const app = server('authenticated', true, { lines });
    const response = await app.inject({ method: 'POST', url: '/sync', headers: { 'content-type': 'application/json' }, payload: '{not json' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatch(/json/i);
    expect(lines.map((line) => JSON.parse(line)).filter((l) => l.level >= 50)).toEqual([]);
    await app.close();
  });
});
