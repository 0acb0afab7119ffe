import { connectorConfigSpec, rateLimitField } from '@soulspot/connector-kit';
import { type Config, type Field, int, loadConfig as load, str, url } from '@soulspot/observability';

const shared = connectorConfigSpec({ port: 8081 });

/**
 * PUBLIC_URL/auth/callback is the redirect URI, and Spotify accepts one only over HTTPS or as plain HTTP to a
 * loopback IP literal — never `localhost` (provider-apis.md §1.2; every app since November 2025). Any other PUBLIC_URL
 * would let the connector start and then fail every login at Spotify's authorize page.
 */
function redirectBaseUrl(base: Field<string>): Field<string> {
  return {
    ...base,
    parse(raw) {
      const value = base.parse(raw);
      const { protocol, hostname } = new URL(value);
      if (protocol === 'https:' || (protocol === 'http:' && (hostname === '127.0.0.1' || hostname === '[::1]'))) return value;
      throw new Error('Spotify takes redirect URIs only over https or as http://127.0.0.1 / http://[::1] (not localhost)');
    },
  };
}

/**
 * Every environment variable the Spotify connector reads. Exported so deployment manifests can be checked
 * against it; defaults point at the real Spotify.
 */
export const configSpec = {
  ...shared,
  PUBLIC_URL: redirectBaseUrl(shared.PUBLIC_URL),
  SPOTIFY_CLIENT_ID: str({ required: false, doc: 'app client id; without it the connector starts but cannot log in' }),
  SPOTIFY_CLIENT_SECRET: str({ required: false, secret: true, doc: 'confidential client secret; without it the PKCE public-client flow is used' }),
  SPOTIFY_ACCOUNTS_URL: url({ default: 'https://accounts.spotify.com' }),
  SPOTIFY_API_URL: url({ default: 'https://api.spotify.com/v1' }),
  SPOTIFY_SCOPES: str({ default: 'user-follow-read user-library-read' }),
  SPOTIFY_RATE_LIMIT: rateLimitField({ default: '100/30s', doc: 'client-side limit, N/window (Spotify counts a rolling 30 s window)' }),
  SPOTIFY_CONCURRENCY: int({ default: 8, min: 1, max: 64, doc: 'requests in flight at once' }),
  SPOTIFY_ARTIST_ALBUMS_LIMIT: int({ default: 10, min: 1, max: 50, doc: 'page size of /artists/{id}/albums (10 is the 2026 cap)' }),
  SPOTIFY_INCLUDE_GROUPS: str({ default: 'album,single,compilation' }),
};

export type SpotifyConnectorConfig = Config<typeof configSpec>;

/** Reads and validates the environment; in a service, bad values print one line each and exit 2. */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: { exitOnError?: boolean } = {}): SpotifyConnectorConfig {
  return load(configSpec, env, options);
}
