import { type Config, type Field, int, list, logLevel, shutdownTimeoutSeconds, str, url } from '@soulspot/observability';
import type { AssembleOptions } from './assemble';
import { parseEncryptionKey } from './auth/token-cipher';
import type { ProviderHttpClientOptions } from './http/provider-http-client';
import { parseRateSpec } from './http/token-bucket';
import type { ConnectorRuntimeOptions } from './runtime';
import type { LibrarySyncOptions } from './sync/library-sync';

/**
 * TOKEN_ENCRYPTION_KEY as a config field: validated with the other variables at start (exit 2 with one line),
 * never echoed back.
 */
export function encryptionKeyField(doc = '32 bytes, base64 or hex (openssl rand -base64 32)'): Field<string> {
  return {
    kind: 'encryption key',
    options: { secret: true, doc },
    parse(raw: string): string {
      parseEncryptionKey(raw);
      return raw.trim();
    },
  };
}

/**
 * A provider rate limit as N/window ("100/30s"), checked at start-up with the other variables; the value stays the
 * text the connector hands to parseRateSpec.
 */
export function rateLimitField(options: { default: string; doc: string }): Field<string> {
  return {
    kind: 'rate N/window',
    options,
    parse(raw: string): string {
      parseRateSpec(raw.trim());
      return raw.trim();
    },
  };
}

/** Variables every connector has: infrastructure, HTTP server, retry policy, sync cooldowns/leases/concurrency. */
export function connectorConfigSpec({ port }: { port: number }) {
  return {
    DATABASE_URL: url({ protocols: ['postgres', 'postgresql'], secret: true, doc: 'PostgreSQL URL of the soulspot database' }),
    KAFKA_BROKERS: list({ doc: 'comma-separated host:port list' }),
    KAFKA_TOPIC_PARTITIONS: int({ default: 12, min: 1, max: 1000, doc: 'partitions if the connector creates the event topic' }),
    PORT: int({ default: port, min: 0, max: 65535 }),
    HOST: str({ default: '0.0.0.0' }),
    PUBLIC_URL: url({ default: `http://127.0.0.1:${port}`, doc: 'public base URL; the OAuth redirect URI is PUBLIC_URL/auth/callback' }),
    RETRY_AFTER_CAP_SECONDS: int({ default: 60, min: 0, doc: 'longest Retry-After / quota wait sat out; longer stops the run (resumable)' }),
    QUOTA_BACKOFF_SECONDS: int({
      default: 3600,
      min: 1,
      doc: 'after a quota error without Retry-After (Spotify QUOTA_EXCEEDED), no sync starts for this long (persisted)',
    }),
    HTTP_TIMEOUT_MS: int({ default: 15_000, min: 100 }),
    HTTP_MAX_ATTEMPTS: int({ default: 6, min: 1, max: 20 }),
    SYNC_INTERVAL_SECONDS: int({ default: 0, min: 0, doc: 'periodic sync; 0 = only on POST /sync' }),
    SYNC_ARTIST_ALBUMS_COOLDOWN_SECONDS: int({ default: 6 * 3600, min: 0 }),
    SYNC_ALBUM_COOLDOWN_SECONDS: int({ default: 24 * 3600, min: 0 }),
    SYNC_LEASE_SECONDS: int({ default: 1800, min: 1, doc: 'a crashed run blocks an entity at most this long' }),
    SYNC_ALBUM_CONCURRENCY: int({ default: 8, min: 1, max: 64 }),
    SYNC_ARTIST_CONCURRENCY: int({ default: 4, min: 1, max: 64 }),
    TOKEN_ENCRYPTION_KEY: encryptionKeyField(),
    LOG_LEVEL: logLevel(),
    SHUTDOWN_TIMEOUT_SECONDS: shutdownTimeoutSeconds(),
  };
}

/** The shared variables as parsed (every connector's config has them). */
export type SharedConnectorConfig = Config<ReturnType<typeof connectorConfigSpec>>;

/** The runtime's infrastructure (database, broker, token key) from the shared variables. */
export function runtimeOptionsFromConfig(
  config: Pick<SharedConnectorConfig, 'DATABASE_URL' | 'KAFKA_BROKERS' | 'KAFKA_TOPIC_PARTITIONS' | 'TOKEN_ENCRYPTION_KEY'>,
): Pick<ConnectorRuntimeOptions, 'databaseUrl' | 'kafkaBrokers' | 'partitions' | 'encryptionKey'> {
  return {
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    encryptionKey: config.TOKEN_ENCRYPTION_KEY,
  };
}

/** The provider HTTP client's retry policy from the shared variables. */
export function retryPolicyFromConfig(
  config: Pick<SharedConnectorConfig, 'RETRY_AFTER_CAP_SECONDS' | 'HTTP_TIMEOUT_MS' | 'HTTP_MAX_ATTEMPTS'>,
): Pick<ProviderHttpClientOptions, 'retryAfterCapMs' | 'timeoutMs' | 'maxAttempts'> {
  return { retryAfterCapMs: config.RETRY_AFTER_CAP_SECONDS * 1000, timeoutMs: config.HTTP_TIMEOUT_MS, maxAttempts: config.HTTP_MAX_ATTEMPTS };
}

/** How an assembled connector serves HTTP and schedules syncs, from the shared variables. */
export function serviceOptionsFromConfig(
  config: SharedConnectorConfig,
): Pick<AssembleOptions, 'sync' | 'syncIntervalMs' | 'quotaBackoffMs' | 'publicUrl' | 'host' | 'port'> {
  return {
    sync: syncOptionsFromConfig(config),
    syncIntervalMs: config.SYNC_INTERVAL_SECONDS * 1000,
    quotaBackoffMs: config.QUOTA_BACKOFF_SECONDS * 1000,
    publicUrl: config.PUBLIC_URL,
    host: config.HOST,
    port: config.PORT,
  };
}

/** The sync options from the shared variables. */
function syncOptionsFromConfig(
  config: Pick<
    SharedConnectorConfig,
    'SYNC_ALBUM_CONCURRENCY' | 'SYNC_ARTIST_CONCURRENCY' | 'SYNC_LEASE_SECONDS' | 'SYNC_ARTIST_ALBUMS_COOLDOWN_SECONDS' | 'SYNC_ALBUM_COOLDOWN_SECONDS'
  >,
): Omit<LibrarySyncOptions, 'force'> {
  return {
    albumConcurrency: config.SYNC_ALBUM_CONCURRENCY,
    artistConcurrency: config.SYNC_ARTIST_CONCURRENCY,
    leaseMs: config.SYNC_LEASE_SECONDS * 1000,
    artistAlbumsCooldownMs: config.SYNC_ARTIST_ALBUMS_COOLDOWN_SECONDS * 1000,
    albumCooldownMs: config.SYNC_ALBUM_COOLDOWN_SECONDS * 1000,
  };
}
