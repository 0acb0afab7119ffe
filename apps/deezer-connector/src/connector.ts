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
  retryPolicyFromConfig,
  runtimeOptionsFromConfig,
  serviceOptionsFromConfig,
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
  const runtime = await createConnectorRuntime({ ...runtimeOptionsFromConfig(config), provider: 'deezer', producer: PRODUCER, logger });
  const tokens = new DeezerTokenStore({ pool: runtime.pool, cipher: runtime.cipher, logger });
  const { limit, windowMs } = parseRateSpec(config.DEEZER_RATE_LIMIT);
  const http = new ProviderHttpClient({
    provider: 'deezer',
    // Deezer sends no Retry-After: staying under its 50 requests / 5 s is entirely the client's job.
    limiter: new TokenBucket(bucketForWindow(limit, windowMs)),
    auth: tokens,
    interpret: interpretDeezer,
    backoff: { baseMs: 500, capMs: 8_000 },
    ...retryPolicyFromConfig(config),
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
    ...serviceOptionsFromConfig(config),
    logger,
  });
  return { ...assembled, tokens, runtime, http };
}
