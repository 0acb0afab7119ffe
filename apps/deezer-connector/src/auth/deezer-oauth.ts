import { type ConnectorOAuth, type DeezerTokenStore, InvalidGrant, TransientFailure } from '@soulspot/connector-kit';

export interface DeezerAppCredentials {
  connectUrl: string;
  appId: string;
  appSecret: string;
  perms: string;
}

/**
 * Parses the access_token.php answer: plain text `access_token=...&expires=...` (default), JSON with output=json
 * (sometimes with an extra `expire` key), or `wrong code` / an error body for a bad, used or expired code.
 * There is no refresh token and no `expires_in`; `expires` 0 means the token never expires.
 */
export function parseDeezerTokenReply(text: string): { accessToken: string; expiresInSeconds: number } {
  const trimmed = text.trim();
  let token: unknown;
  let expires: unknown;
  if (trimmed.startsWith('{')) {
    const body = JSON.parse(trimmed);
    if (body.error) throw new InvalidGrant('invalid_grant', typeof body.error?.message === 'string' ? body.error.message : 'token request refused');
    token = body.access_token;
    expires = body.expires ?? body.expire;
  } else {
    const params = new URLSearchParams(trimmed);
    token = params.get('access_token');
    expires = params.get('expires');
  }
  if (typeof token !== 'string' || token === '') throw new InvalidGrant('invalid_grant', trimmed === 'wrong code' ? 'wrong code' : 'no access token in the reply');
  const seconds = Number(expires ?? 0);
  return { accessToken: token, expiresInSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 0 };
}

/** Deezer Connect server-side flow (no PKCE in Deezer's protocol; the state check still applies). */
export function deezerOAuth(credentials: DeezerAppCredentials, tokens: DeezerTokenStore): ConnectorOAuth {
  const base = credentials.connectUrl.replace(/\/$/, '');
  return {
    usesPkce: false,
    authorizeUrl({ state, redirectUri }) {
      const url = new URL(`${base}/oauth/auth.php`);
      url.searchParams.set('app_id', credentials.appId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('perms', credentials.perms);
      url.searchParams.set('state', state);
      return url.toString();
    },
    async exchangeCode({ code, sessionId }) {
      const url = new URL(`${base}/oauth/access_token.php`);
      url.searchParams.set('app_id', credentials.appId);
      url.searchParams.set('secret', credentials.appSecret);
      url.searchParams.set('code', code);
      url.searchParams.set('output', 'json');
      let text: string;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
        if (response.status >= 500) throw new Error(`HTTP ${response.status}`);
        text = await response.text();
      } catch (error) {
        throw new TransientFailure('deezer', 'access_token.php', 1, (error as Error).message);
      }
      const grant = parseDeezerTokenReply(text);
      await tokens.save(sessionId, grant.accessToken, grant.expiresInSeconds);
    },
  };
}
