import {
  type AssembledConnector,
  type ConnectorRuntime,
  DeezerTokenStore,
  ProviderHttpClient,
  TokenBucket,
  assembleConnector,
  bucketForWindow,
  createConnectorRuntime,
  parseRateSpec,
  syncOptionsFromConfig,
} from '@soulspot/connector-kit';
import type { Logger } from 'pino';
import { DeezerApi } from './api/deezer-api';
import { interpretDeezer } from './api/deezer-interpret';
import { deezerOAuth } from './auth/deezer-oauth';
import type { DeezerConnectorConfig } from './config';
import { DeezerLibrarySource } from './sync/deezer-source';

export const PRODUCER = 'deezer-connector';

export interface DeezerConnector extends AssembledConnector {
  tokens: DeezerTokenStore;
  runtime: ConnectorRuntime;
  http: ProviderHttpClient;
}

/** Wires the Deezer connector from its configuration: kit runtime + Deezer API client + OAuth + HTTP server. */
export async function createDeezerConnector(config: DeezerConnectorConfig, logger: Logger): Promise<DeezerConnector> {
  const runtime = await createConnectorRuntime({
    provider: 'deezer',
    producer: PRODUCER,
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    encryptionKey: config.TOKEN_ENCRYPTION_KEY,
    logger,
  });
  const tokens = new DeezerTokenStore({ pool: runtime.pool, cipher: runtime.cipher, logger });
  const { limit, windowMs } = parseRateSpec(config.DEEZER_RATE_LIMIT);
  const http = new ProviderHttpClient({
    provider: 'deezer',
    // Deezer sends no Retry-After: staying under its 50 requests / 5 s is entirely the client's job.
    limiter: new TokenBucket(bucketForWindow(limit, windowMs)),
    auth: tokens,
    interpret: interpretDeezer,
    backoff: { baseMs: 500, capMs: 8_000 },
    retryAfterCapMs: config.RETRY_AFTER_CAP_SECONDS * 1000,
    timeoutMs: config.HTTP_TIMEOUT_MS,
    maxAttempts: config.HTTP_MAX_ATTEMPTS,
    logger,
    observe: runtime.metrics.observeRequest,
  });
  const api = new DeezerApi(http, { baseUrl: config.DEEZER_API_URL, pageLimit: config.DEEZER_PAGE_LIMIT, concurrency: config.DEEZER_CONCURRENCY });
  const credentials =
    config.DEEZER_APP_ID && config.DEEZER_APP_SECRET
      ? { connectUrl: config.DEEZER_CONNECT_URL, appId: config.DEEZER_APP_ID, appSecret: config.DEEZER_APP_SECRET, perms: config.DEEZER_PERMS }
      : undefined;
  const assembled = assembleConnector({
    provider: 'deezer',
    producer: PRODUCER,
    runtime,
    tokens,
    sessionsTable: 'deezer_sessions',
    oauth: credentials ? deezerOAuth(credentials, tokens) : undefined,
    source: () => new DeezerLibrarySource(api),
    sync: syncOptionsFromConfig(config),
    syncIntervalMs: config.SYNC_INTERVAL_SECONDS * 1000,
    publicUrl: config.PUBLIC_URL,
    host: config.HOST,
    port: config.PORT,
    logger,
  });
  return { ...assembled, tokens, runtime, http };
}
