export * from './errors';
export * from './db';
export { backoffDelayMs, parseRetryAfterMs, type BackoffOptions } from './http/backoff';
export { TokenBucket, bucketForWindow, parseRateSpec, systemClock, type Clock, type RateLimiter, type TokenBucketOptions } from './http/token-bucket';
export {
  ProviderHttpClient,
  interpretHttp,
  errorMessage,
  type Outcome,
  type RawResponse,
  type RequestAuth,
  type RequestObserver,
  type ProviderHttpClientOptions,
} from './http/provider-http-client';
export { redactUrl } from './http/safe-url';
export { followPages, type ListPage } from './http/paging';
export { TokenCipher, TokenKeyError, parseEncryptionKey } from './auth/token-cipher';
export { createPkcePair, pkceChallenge, randomToken, safeEqual } from './auth/pkce';
export { InvalidGrant, postTokenRequest, type TokenGrant } from './auth/oauth-token-client';
export type { AuthState, TokenStore } from './auth/token-store';
export { SpotifyTokenStore, type RefreshingTokenStoreOptions } from './auth/spotify-token-store';
export { DeezerTokenStore } from './auth/deezer-token-store';
export { OAuthSessionStore, type PendingLogin, type SessionTable } from './auth/oauth-sessions';
export { SyncStatusStore, type SyncEntityType } from './sync/sync-status-store';
export { BatchingEventSink, type Publisher } from './sync/event-sink';
export { Semaphore } from './sync/semaphore';
export { runLibrarySync, type AlbumRef, type LibrarySource, type LibrarySyncOptions, type LoadedAlbum } from './sync/library-sync';
export { newProgress, type RunProgress, type RunStatus, type RunError } from './sync/run-progress';
export { SyncRunner, NotAuthenticated, RateLimitGateClosed, type SyncRunnerOptions } from './sync/sync-runner';
export { createConnectorMetrics, type ConnectorMetrics } from './server/connector-metrics';
export { createConnectorServer, SESSION_COOKIE, type ConnectorOAuth, type ConnectorServerOptions } from './server/connector-server';
export { createConnectorRuntime, type ConnectorRuntime, type ConnectorRuntimeOptions } from './runtime';
export { startSyncScheduler } from './sync/scheduler';
export { assembleConnector, type AssembleOptions, type AssembledConnector } from './assemble';
export * as connectorTesting from './testing/connector-test-helpers';
export {
  connectorConfigSpec,
  encryptionKeyField,
  rateLimitField,
  retryPolicyFromConfig,
  runtimeOptionsFromConfig,
  serviceOptionsFromConfig,
  type SharedConnectorConfig,
} from './config-fields';
export { createNodeTransport, type Transport, type TransportResponse, type ResponseHeaders } from './http/node-transport';
