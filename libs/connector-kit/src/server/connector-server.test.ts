import { Writable } from 'node:stream';
import { createLogger } from '@soulspot/observability';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { OAuthSessionStore } from '../auth/oauth-sessions';
import type { AuthState, TokenStore } from '../auth/token-store';
import type { SyncRunner } from '../sync/sync-runner';
import { createConnectorServer } from './connector-server';

function server(state: AuthState, databaseUp: boolean) {
  const tokens = { state: async () => state } as unknown as TokenStore;
  return createConnectorServer({
    provider: 'spotify',
    publicUrl: 'https://connector.example',
    sessions: {} as OAuthSessionStore,
    tokens,
    runner: {} as SyncRunner,
    registry: new Registry(),
    logger: createLogger('connector-server-test', { destination: new Writable({ write: (_c, _e, done) => done() }) }),
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
