import { freePort, provisionStack, type ProvisionedStack } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { type FakeSpotify, type FakeSpotifyOptions, startFakeSpotify } from '@soulspot/provider-fakes';
import { loadConfig } from '../src/config';
import { type SpotifyConnector, createSpotifyConnector } from '../src/connector';
import { connectorTesting } from '@soulspot/connector-kit';

const { capturedLogger } = connectorTesting;

export type Infra = ProvisionedStack;

/** Real PostgreSQL (migrated) and a real broker, shared by one test file. */
export const startInfra = (): Promise<Infra> => provisionStack({ prepare: migrateUp });

export interface Running {
  connector: SpotifyConnector;
  url: string;
  logs: string[];
}

/** A Spotify connector on 127.0.0.1 pointed at `fake`; `env` overrides any setting. */
export async function startConnector(infra: Infra, fake: FakeSpotify, key: string, env: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig(
    {
      DATABASE_URL: infra.databaseUrl,
      KAFKA_BROKERS: infra.brokers.join(','),
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      SPOTIFY_CLIENT_ID: fake.clientId,
      SPOTIFY_CLIENT_SECRET: fake.clientSecret,
      SPOTIFY_ACCOUNTS_URL: fake.accountsUrl,
      SPOTIFY_API_URL: fake.baseUrl,
      SPOTIFY_RATE_LIMIT: '100000/1s',
      SYNC_ARTIST_ALBUMS_COOLDOWN_SECONDS: '0',
      SYNC_ALBUM_COOLDOWN_SECONDS: '0',
      TOKEN_ENCRYPTION_KEY: key,
      ...env,
    },
    { exitOnError: false },
  );
  const { logger, lines } = capturedLogger('spotify-connector');
  const connector = await createSpotifyConnector(config, logger);
  await connector.listen();
  return { connector, url, logs: lines };
}

export { startFakeSpotify, type FakeSpotifyOptions };
export const { encryptionKey } = connectorTesting;
