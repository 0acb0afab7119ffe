import { EntitySchema } from '@mikro-orm/core';
import { col } from './columns';

/** Sync cooldown/status per (provider, entity_type, entity_id), e.g. ('spotify', 'artist_albums', '<artist id>'). */
export interface ProviderSyncStatusRow {
  id: string;
  entityType: string;
  entityId: string;
  provider: string;
  lastSyncAt: Date | null;
  nextSyncAllowedAt: Date | null;
  /** idle | running | error */
  status: string;
  errorMessage: string | null;
  itemsSynced: number;
  itemsAdded: number;
  itemsRemoved: number;
  createdAt: Date;
  updatedAt: Date;
}

export const ProviderSyncStatusSchema = new EntitySchema<ProviderSyncStatusRow>({
  name: 'ProviderSyncStatus',
  tableName: 'provider_sync_status',
  properties: {
    id: col.id(),
    entityType: col.varchar(32, 'entity_type', false),
    entityId: col.varchar(255, 'entity_id', false),
    provider: col.varchar(32, 'provider', false),
    lastSyncAt: col.timestamptz('last_sync_at'),
    nextSyncAllowedAt: col.timestamptz('next_sync_allowed_at'),
    status: col.varchar(20, 'status', false),
    errorMessage: col.text('error_message'),
    itemsSynced: col.int('items_synced', false),
    itemsAdded: col.int('items_added', false),
    itemsRemoved: col.int('items_removed', false),
    createdAt: col.timestamptz('created_at', false),
    updatedAt: col.timestamptz('updated_at', false),
  },
  uniques: [{ name: 'uq_provider_sync_status_provider_entity', properties: ['provider', 'entityType', 'entityId'] }],
});

/** Browser session of the Spotify OAuth flow (tokens encrypted by the connector). */
export interface SpotifySessionRow {
  sessionId: string;
  accessToken: string | null;
  refreshToken: string | null;
  tokenExpiresAt: Date | null;
  oauthState: string | null;
  codeVerifier: string | null;
  createdAt: Date;
  lastAccessedAt: Date;
}

export const SpotifySessionSchema = new EntitySchema<SpotifySessionRow>({
  name: 'SpotifySession',
  tableName: 'spotify_sessions',
  properties: {
    sessionId: { ...col.varchar(64, 'session_id', false), primary: true },
    accessToken: col.text('access_token'),
    refreshToken: col.text('refresh_token'),
    tokenExpiresAt: col.timestamptz('token_expires_at'),
    oauthState: col.varchar(64, 'oauth_state'),
    codeVerifier: col.varchar(128, 'code_verifier'),
    createdAt: col.timestamptz('created_at', false),
    lastAccessedAt: col.timestamptz('last_accessed_at', false),
  },
});

/** The background (single-user) Spotify token, id 'default' (tokens encrypted by the connector). */
export interface SpotifyTokenRow {
  id: string;
  accessToken: string;
  refreshToken: string;
  tokenExpiresAt: Date;
  scopes: string | null;
  isValid: boolean;
  lastError: string | null;
  lastErrorAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  lastRefreshedAt: Date | null;
}

export const SpotifyTokenSchema = new EntitySchema<SpotifyTokenRow>({
  name: 'SpotifyToken',
  tableName: 'spotify_tokens',
  properties: {
    id: { ...col.varchar(64, 'id', false), primary: true },
    accessToken: col.text('access_token', false),
    refreshToken: col.text('refresh_token', false),
    tokenExpiresAt: col.timestamptz('token_expires_at', false),
    scopes: col.text('scopes'),
    isValid: col.bool('is_valid'),
    lastError: col.text('last_error'),
    lastErrorAt: col.timestamptz('last_error_at'),
    createdAt: col.timestamptz('created_at', false),
    updatedAt: col.timestamptz('updated_at', false),
    lastRefreshedAt: col.timestamptz('last_refreshed_at'),
  },
});

/** Browser session of the Deezer OAuth flow (token encrypted by the connector). */
export interface DeezerSessionRow {
  sessionId: string;
  accessToken: string | null;
  deezerUserId: string | null;
  deezerUsername: string | null;
  oauthState: string | null;
  createdAt: Date;
  lastAccessedAt: Date;
  codeVerifier: string | null;
  tokenExpiresAt: Date | null;
}

export const DeezerSessionSchema = new EntitySchema<DeezerSessionRow>({
  name: 'DeezerSession',
  tableName: 'deezer_sessions',
  properties: {
    sessionId: { ...col.varchar(64, 'session_id', false), primary: true },
    accessToken: col.text('access_token'),
    deezerUserId: col.varchar(50, 'deezer_user_id'),
    deezerUsername: col.varchar(100, 'deezer_username'),
    oauthState: col.varchar(64, 'oauth_state'),
    createdAt: col.timestamptz('created_at', false),
    lastAccessedAt: col.timestamptz('last_accessed_at', false),
    codeVerifier: col.varchar(128, 'code_verifier'),
    tokenExpiresAt: col.timestamptz('token_expires_at'),
  },
});
