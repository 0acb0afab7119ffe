import { connectorTesting } from '@soulspot/connector-kit';
import { freePort, provisionStack, type ProvisionedStack } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import type { FakeDeezer } from '@soulspot/provider-fakes';
import { loadConfig } from '../src/config';
import { type DeezerConnector, createDeezerConnector } from '../src/connector';

export type Infra = ProvisionedStack;

/** Real PostgreSQL (migrated) and a real broker, shared by one test file. */
export const startInfra = (): Promise<Infra> => provisionStack({ prepare: migrateUp });

export interface Running {
  connector: DeezerConnector;
  url: string;
  logs: string[];
}

/**
 * Tests run the fake's quota on a 100 ms window (50 requests / 100 ms) and the client with the same spec, so a
 * 300-artist library takes seconds instead of minutes; the quota logic is the same at any scale.
 */
export const FAST_QUOTA = { maxRequests: 50, windowMs: 100, key: 'token' as const };

/** A Deezer connector on 127.0.0.1 pointed at `fake`; `env` overrides any setting. */
export async function startConnector(infra: Infra, fake: FakeDeezer, key: string, env: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig(
    {
      DATABASE_URL: infra.databaseUrl,
      KAFKA_BROKERS: infra.brokers.join(','),
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DEEZER_APP_ID: fake.appId,
      DEEZER_APP_SECRET: fake.appSecret,
      DEEZER_CONNECT_URL: fake.accountsUrl,
      DEEZER_API_URL: fake.baseUrl,
      DEEZER_RATE_LIMIT: `${FAST_QUOTA.maxRequests}/${FAST_QUOTA.windowMs}ms`,
      SYNC_ARTIST_ALBUMS_COOLDOWN_SECONDS: '0',
      SYNC_ALBUM_COOLDOWN_SECONDS: '0',
      TOKEN_ENCRYPTION_KEY: key,
      ...env,
    },
    { exitOnError: false },
  );
  const { logger, lines } = connectorTesting.capturedLogger('deezer-connector');
  const connector = await createDeezerConnector(config, logger);
  await connector.listen();
  return { connector, url, logs: lines };
}
