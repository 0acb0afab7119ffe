import { TransientFailure } from '../errors';
import { errorMessage } from '../http/provider-http-client';

/** The provider refused the grant itself (revoked/expired/rotated-away refresh token, used code): never retry. */
export class InvalidGrant extends Error {
  constructor(readonly error: string, readonly description: string) {
    super(`${error}: ${description}`);
    this.name = 'InvalidGrant';
  }
}

export interface TokenGrant {
  accessToken: string;
  /** Absent when the provider did not rotate it: the caller keeps the old one. */
  refreshToken?: string;
  expiresInSeconds: number;
  scope?: string;
}

/**
 * POSTs an OAuth 2.0 token request (application/x-www-form-urlencoded). 5xx and 429 answers are retried a few
 * times — the server said it did not do the work. A network failure is NOT retried: the request may have been
 * processed (and a refresh token rotated), so the caller re-reads state instead of replaying it.
 * 4xx answers with `error` become InvalidGrant (for invalid_grant) or an Error naming the OAuth error.
 */
export async function postTokenRequest(
  provider: string,
  url: string,
  form: Record<string, string>,
  { basicAuth, attempts = 3, fetchImpl = fetch, timeoutMs = 15_000 }: { basicAuth?: { user: string; password: string }; attempts?: number; fetchImpl?: typeof fetch; timeoutMs?: number } = {},
): Promise<TokenGrant> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (basicAuth) headers.authorization = `Basic ${Buffer.from(`${basicAuth.user}:${basicAuth.password}`).toString('base64')}`;
  let lastStatus = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(url, { method: 'POST', headers, body: new URLSearchParams(form), signal: AbortSignal.timeout(timeoutMs) });
      text = await response.text();
    } catch (error) {
      throw new TransientFailure(provider, 'token endpoint', attempt, `network error: ${(error as Error).name}`);
    }
    lastStatus = response.status;
    if (response.status === 429 || response.status >= 500) {
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)));
      continue;
    }
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      throw new TransientFailure(provider, 'token endpoint', attempt, `non-JSON answer with status ${response.status}`);
    }
    if (!response.ok || typeof body?.access_token !== 'string') {
      const error = typeof body?.error === 'string' ? body.error : `http_${response.status}`;
      const description = typeof body?.error_description === 'string' ? body.error_description : errorMessage(text);
      if (error === 'invalid_grant') throw new InvalidGrant(error, description);
      throw new Error(`${provider} token endpoint refused the request: ${error}: ${description}`);
    }
    return {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : undefined,
      expiresInSeconds: Number.isFinite(body.expires_in) ? Number(body.expires_in) : 3600,
      scope: typeof body.scope === 'string' ? body.scope : undefined,
    };
  }
  throw new TransientFailure(provider, 'token endpoint', attempts, `HTTP ${lastStatus}`);
}
