import { connectorConfigSpec } from '@soulspot/connector-kit';
import { type Config, int, loadConfig as load, str, url } from '@soulspot/observability';

/**
 * Every environment variable the Spotify connector reads. Exported so deployment manifests can be checked
 * against it; defaults point at the real Spotify.
 */
export const configSpec = {
  ...connectorConfigSpec({ port: 8081 }),
  SPOTIFY_CLIENT_ID: str({ required: false, doc: 'app client id; without it the connector starts but cannot log in' }),
  SPOTIFY_CLIENT_SECRET: str({ required: false, secret: true, doc: 'confidential client secret; without it the PKCE public-client flow is used' }),
  SPOTIFY_ACCOUNTS_URL: url({ default: 'https://accounts.spotify.com' }),
  SPOTIFY_API_URL: url({ default: 'https://api.spotify.com/v1' }),
  SPOTIFY_SCOPES: str({ default: 'user-follow-read user-library-read' }),
  SPOTIFY_RATE_LIMIT: str({ default: '100/30s', doc: 'client-side limit, N/window (Spotify counts a rolling 30 s window)' }),
  SPOTIFY_CONCURRENCY: int({ default: 8, min: 1, max: 64, doc: 'requests in flight at once' }),
  SPOTIFY_ARTIST_ALBUMS_LIMIT: int({ default: 10, min: 1, max: 50, doc: 'page size of /artists/{id}/albums (10 is the 2026 cap)' }),
  SPOTIFY_INCLUDE_GROUPS: str({ default: 'album,single,compilation' }),
};

export type SpotifyConnectorConfig = Config<typeof configSpec>;

/** Reads and validates the environment; in a service, bad values print one line each and exit 2. */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: { exitOnError?: boolean } = {}): SpotifyConnectorConfig {
  return load(configSpec, env, options);
}
