import {
  type AssembledConnector,
  type ConnectorRuntime,
  ProviderHttpClient,
  SpotifyTokenStore,
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
import { SpotifyApi } from './api/spotify-api';
import { interpretSpotify } from './api/spotify-interpret';
import { spotifyOAuth, spotifyRefresher } from './auth/spotify-oauth';
import type { SpotifyConnectorConfig } from './config';
import { SpotifyLibrarySource } from './sync/spotify-source';

export const PRODUCER = 'spotify-connector';

export interface SpotifyConnector extends AssembledConnector {
  tokens: SpotifyTokenStore;
  runtime: ConnectorRuntime;
  http: ProviderHttpClient;
}

/** Wires the Spotify connector from its configuration: kit runtime + Spotify API client + OAuth + HTTP server. */
export async function createSpotifyConnector(config: SpotifyConnectorConfig, logger: Logger): Promise<SpotifyConnector> {
  const runtime = await createConnectorRuntime({ ...runtimeOptionsFromConfig(config), provider: 'spotify', producer: PRODUCER, logger });
  const credentials = config.SPOTIFY_CLIENT_ID
    ? { accountsUrl: config.SPOTIFY_ACCOUNTS_URL, clientId: config.SPOTIFY_CLIENT_ID, clientSecret: config.SPOTIFY_CLIENT_SECRET, scopes: config.SPOTIFY_SCOPES }
    : undefined;
  const tokens = new SpotifyTokenStore({
    pool: runtime.pool,
    cipher: runtime.cipher,
    logger,
    refresh: credentials
      ? spotifyRefresher(credentials)
      : async () => {
          throw new Error('SPOTIFY_CLIENT_ID is not configured: cannot refresh');
        },
  });
  const { limit, windowMs } = parseRateSpec(config.SPOTIFY_RATE_LIMIT);
  const http = new ProviderHttpClient({
    provider: 'spotify',
    limiter: new TokenBucket(bucketForWindow(limit, windowMs)),
    auth: tokens,
    interpret: interpretSpotify,
    ...retryPolicyFromConfig(config),
    logger,
    observe: runtime.metrics.observeRequest,
  });
  const api = new SpotifyApi(http, {
    baseUrl: config.SPOTIFY_API_URL,
    artistAlbumsLimit: config.SPOTIFY_ARTIST_ALBUMS_LIMIT,
    includeGroups: config.SPOTIFY_INCLUDE_GROUPS,
    concurrency: config.SPOTIFY_CONCURRENCY,
  });
  const assembled = assembleConnector({
    provider: 'spotify',
    producer: PRODUCER,
    runtime,
    tokens,
    sessionsTable: 'spotify_sessions',
    oauth: credentials ? spotifyOAuth(credentials, tokens) : undefined,
    source: () => new SpotifyLibrarySource(api),
    ...serviceOptionsFromConfig(config),
    logger,
  });
  return { ...assembled, tokens, runtime, http };
}
