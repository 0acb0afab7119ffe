import type { RequestAuth } from '../http/provider-http-client';

export type AuthState = 'authenticated' | 'not_authenticated' | 'reauth_required';

/** What the HTTP client, the server (readiness, callback) and the sync need from a connector's credentials. */
export interface TokenStore extends RequestAuth {
  /** Whether usable credentials are stored (read from the database, so every process agrees). */
  state(): Promise<AuthState>;
}
