import { connectorConfigSpec, rateLimitField } from '@soulspot/connector-kit';
import { type Config, int, loadConfig as load, str, url } from '@soulspot/observability';

/**
 * Every environment variable the Deezer connector reads. Exported so deployment manifests can be checked
 * against it; defaults point at the real Deezer.
 */
export const configSpec = {
  ...connectorConfigSpec({ port: 8082 }),
  DEEZER_APP_ID: str({ required: false, doc: 'app id; without it the connector starts but cannot log in' }),
  DEEZER_APP_SECRET: str({ required: false, secret: true }),
  DEEZER_CONNECT_URL: url({ default: 'https://connect.deezer.com' }),
  DEEZER_API_URL: url({ default: 'https://api.deezer.com' }),
  DEEZER_PERMS: str({ default: 'basic_access,offline_access', doc: 'offline_access makes the token non-expiring' }),
  DEEZER_RATE_LIMIT: rateLimitField({ default: '50/5s', doc: "Deezer's quota, N/window; the client stays 10% under it" }),
  DEEZER_CONCURRENCY: int({ default: 4, min: 1, max: 64, doc: 'requests in flight at once' }),
  DEEZER_PAGE_LIMIT: int({ default: 100, min: 1, max: 2000, doc: 'page size of list endpoints (Deezer defaults to 25)' }),
};

export type DeezerConnectorConfig = Config<typeof configSpec>;

/** Reads and validates the environment; in a service, bad values print one line each and exit 2. */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: { exitOnError?: boolean } = {}): DeezerConnectorConfig {
  return load(configSpec, env, options);
}
