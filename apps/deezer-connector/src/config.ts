import { encryptionKeyField } from '@soulspot/connector-kit';
import { type Config, int, list, loadConfig as load, oneOf, str, url } from '@soulspot/observability';

/**
 * Every environment variable the Deezer connector reads. Exported so deployment manifests can be checked
 * against it; defaults point at the real Deezer.
 */
export const configSpec = {
  DATABASE_URL: url({ protocols: ['postgres', 'postgresql'], secret: true, doc: 'PostgreSQL URL of the soulspot database' }),
  KAFKA_BROKERS: list({ doc: 'comma-separated host:port list' }),
  KAFKA_TOPIC_PARTITIONS: int({ default: 12, min: 1, max: 1000, doc: 'partitions if the connector creates the event topic' }),
  PORT: int({ default: 8082, min: 0, max: 65535 }),
  HOST: str({ default: '0.0.0.0' }),
  PUBLIC_URL: url({ default: 'http://127.0.0.1:8082', doc: 'public base URL; the OAuth redirect URI is PUBLIC_URL/auth/callback' }),
  DEEZER_APP_ID: str({ required: false, doc: 'app id; without it the connector starts but cannot log in' }),
  DEEZER_APP_SECRET: str({ required: false, secret: true }),
  DEEZER_CONNECT_URL: url({ default: 'https://connect.deezer.com' }),
  DEEZER_API_URL: url({ default: 'https://api.deezer.com' }),
  DEEZER_PERMS: str({ default: 'basic_access,offline_access', doc: 'offline_access makes the token non-expiring' }),
  DEEZER_RATE_LIMIT: str({ default: '50/5s', doc: "Deezer's quota, N/window; the client stays 10% under it" }),
  DEEZER_CONCURRENCY: int({ default: 4, min: 1, max: 64, doc: 'requests in flight at once' }),
  DEEZER_PAGE_LIMIT: int({ default: 100, min: 1, max: 2000, doc: 'page size of list endpoints (Deezer defaults to 25)' }),
  RETRY_AFTER_CAP_SECONDS: int({ default: 60, min: 0, doc: 'longest wait sat out; longer stops the run (resumable)' }),
  HTTP_TIMEOUT_MS: int({ default: 15_000, min: 100 }),
  HTTP_MAX_ATTEMPTS: int({ default: 6, min: 1, max: 20 }),
  SYNC_INTERVAL_SECONDS: int({ default: 0, min: 0, doc: 'periodic sync; 0 = only on POST /sync' }),
  SYNC_ARTIST_ALBUMS_COOLDOWN_SECONDS: int({ default: 6 * 3600, min: 0 }),
  SYNC_ALBUM_COOLDOWN_SECONDS: int({ default: 24 * 3600, min: 0 }),
  SYNC_LEASE_SECONDS: int({ default: 1800, min: 1, doc: 'a crashed run blocks an entity at most this long' }),
  SYNC_ALBUM_CONCURRENCY: int({ default: 8, min: 1, max: 64 }),
  SYNC_ARTIST_CONCURRENCY: int({ default: 4, min: 1, max: 64 }),
  TOKEN_ENCRYPTION_KEY: encryptionKeyField(),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, { default: 'info' }),
};

export type DeezerConnectorConfig = Config<typeof configSpec>;

/** Reads and validates the environment; in a service, bad values print one line each and exit 2. */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: { exitOnError?: boolean } = {}): DeezerConnectorConfig {
  return load(configSpec, env, options);
}
