import { encryptionKeyField } from '@soulspot/connector-kit';
import { type Config, int, list, loadConfig as load, oneOf, str, url } from '@soulspot/observability';

/**
 * Every environment variable the Spotify connector reads. Exported so deployment manifests can be checked
 * against it; defaults point at the real Spotify.
 */
export const configSpec = {
  DATABASE_URL: url({ protocols: ['postgres', 'postgresql'], secret: true, doc: 'PostgreSQL URL of the soulspot database' }),
  KAFKA_BROKERS: list({ doc: 'comma-separated host:port list' }),
  KAFKA_TOPIC_PARTITIONS: int({ default: 12, min: 1, max: 1000, doc: 'partitions if the connector creates the event topic' }),
  PORT: int({ default: 8081, min: 0, max: 65535 }),
  HOST: str({ default: '0.0.0.0' }),
  PUBLIC_URL: url({ default: 'http://127.0.0.1:8081', doc: 'public base URL; the OAuth redirect URI is PUBLIC_URL/auth/callback' }),
  SPOTIFY_CLIENT_ID: str({ required: false, doc: 'app client id; without it the connector starts but cannot log in' }),
  SPOTIFY_CLIENT_SECRET: str({ required: false, secret: true, doc: 'confidential client secret; without it the PKCE public-client flow is used' }),
  SPOTIFY_ACCOUNTS_URL: url({ default: 'https://accounts.spotify.com' }),
  SPOTIFY_API_URL: url({ default: 'https://api.spotify.com/v1' }),
  SPOTIFY_SCOPES: str({ default: 'user-follow-read user-library-read' }),
  SPOTIFY_RATE_LIMIT: str({ default: '100/30s', doc: 'client-side limit, N/window (Spotify counts a rolling 30 s window)' }),
  SPOTIFY_CONCURRENCY: int({ default: 8, min: 1, max: 64, doc: 'requests in flight at once' }),
  SPOTIFY_ARTIST_ALBUMS_LIMIT: int({ default: 10, min: 1, max: 50, doc: 'page size of /artists/{id}/albums (10 is the 2026 cap)' }),
  SPOTIFY_INCLUDE_GROUPS: str({ default: 'album,single,compilation' }),
  RETRY_AFTER_CAP_SECONDS: int({ default: 60, min: 0, doc: 'longest Retry-After sat out; longer stops the run (resumable)' }),
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

export type SpotifyConnectorConfig = Config<typeof configSpec>;

/** Reads and validates the environment; in a service, bad values print one line each and exit 2. */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: { exitOnError?: boolean } = {}): SpotifyConnectorConfig {
  return load(configSpec, env, options);
}
