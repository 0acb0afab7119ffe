import { type ConnectorOAuth, InvalidGrant, type SpotifyTokenStore, type TokenGrant, postTokenRequest } from '@soulspot/connector-kit';

export interface SpotifyClientCredentials {
  accountsUrl: string;
  clientId: string;
  /** Confidential client when set (Basic auth on the token endpoint); PKCE public client otherwise. */
  clientSecret?: string;
  scopes: string;
}

function clientAuth(credentials: SpotifyClientCredentials): { form: Record<string, string>; basicAuth?: { user: string; password: string } } {
  if (credentials.clientSecret) return { form: {}, basicAuth: { user: credentials.clientId, password: credentials.clientSecret } };
  return { form: { client_id: credentials.clientId } };
}

/** Refresh-token grant: Basic auth for confidential clients, client_id in the body for PKCE tokens (§1.4). */
export function spotifyRefresher(credentials: SpotifyClientCredentials): (refreshToken: string) => Promise<TokenGrant> {
  return (refreshToken) => {
    const auth = clientAuth(credentials);
    return postTokenRequest('spotify', `${credentials.accountsUrl.replace(/\/$/, '')}/api/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, ...auth.form }, { basicAuth: auth.basicAuth });
  };
}

/** Authorization code + PKCE (S256) against the Spotify accounts service; tokens go to spotify_tokens. */
export function spotifyOAuth(credentials: SpotifyClientCredentials, tokens: SpotifyTokenStore): ConnectorOAuth {
  const base = credentials.accountsUrl.replace(/\/$/, '');
  return {
    usesPkce: true,
    authorizeUrl({ state, codeChallenge, redirectUri }) {
      const url = new URL(`${base}/authorize`);
      url.searchParams.set('client_id', credentials.clientId);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      url.searchParams.set('scope', credentials.scopes);
      url.searchParams.set('code_challenge_method', 'S256');
      url.searchParams.set('code_challenge', codeChallenge ?? '');
      return url.toString();
    },
    async exchangeCode({ code, codeVerifier, redirectUri }) {
      const auth = clientAuth(credentials);
      const grant = await postTokenRequest(
        'spotify',
        `${base}/api/token`,
        { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier, ...auth.form },
        { basicAuth: auth.basicAuth },
      );
      if (!grant.refreshToken) throw new InvalidGrant('invalid_grant', 'the code exchange returned no refresh token');
      await tokens.save({ ...grant, refreshToken: grant.refreshToken });
    },
  };
}
