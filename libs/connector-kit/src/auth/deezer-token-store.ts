import type { Logger } from 'pino';
import { type Pool, inTransaction } from '../db';
import { ReauthRequired } from '../errors';
import type { TokenCipher } from './token-cipher';
import type { AuthState, TokenStore } from './token-store';

/**
 * The Deezer access token in `deezer_sessions`, encrypted at rest. Deezer has no refresh token: a token either
 * never expires (`expires=0`, offline_access) or must be replaced by a new login, so "refresh" means
 * ReauthRequired. At most one session row holds a token: the account's (a new login replaces it).
 */
export class DeezerTokenStore implements TokenStore {
  private cached: { sessionId: string; accessToken: string; expiresAt: number | null } | undefined;

  constructor(private readonly options: { pool: Pool; cipher: TokenCipher; logger?: Logger }) {}

  private static ad(sessionId: string): string {
    return `deezer_sessions.access_token:${sessionId}`;
  }

  /** Stores the token of a completed login; it replaces any earlier login's token (one account per connector). */
  async save(sessionId: string, accessToken: string, expiresInSeconds: number, user?: { id?: string; name?: string }): Promise<void> {
    const expiresAt = expiresInSeconds > 0 ? new Date(Date.now() + expiresInSeconds * 1000) : null;
    await inTransaction(this.options.pool, async (client) => {
      const { rowCount } = await client.query(
        `UPDATE deezer_sessions SET access_token = $2, token_expires_at = $3, deezer_user_id = COALESCE($4, deezer_user_id),
           deezer_username = COALESCE($5, deezer_username), last_accessed_at = now() WHERE session_id = $1`,
        [sessionId, this.options.cipher.encrypt(accessToken, DeezerTokenStore.ad(sessionId)), expiresAt, user?.id ?? null, user?.name ?? null],
      );
      if (rowCount !== 1) throw new Error(`deezer session ${sessionId.slice(0, 6)}… does not exist`);
      await client.query('UPDATE deezer_sessions SET access_token = NULL, token_expires_at = NULL WHERE session_id <> $1 AND access_token IS NOT NULL', [sessionId]);
    });
    this.cached = { sessionId, accessToken, expiresAt: expiresAt?.getTime() ?? null };
  }

  async state(): Promise<AuthState> {
    const row = await this.newest();
    if (!row) return 'not_authenticated';
    return row.expiresAt !== null && row.expiresAt <= Date.now() ? 'reauth_required' : 'authenticated';
  }

  async apply(url: URL, _headers: Record<string, string>): Promise<string> {
    if (!this.cached) {
      const row = await this.newest();
      if (!row) throw new ReauthRequired('deezer', 'not authenticated: no token stored');
      this.cached = { sessionId: row.sessionId, accessToken: this.options.cipher.decrypt(row.accessToken, DeezerTokenStore.ad(row.sessionId)), expiresAt: row.expiresAt };
    }
    if (this.cached.expiresAt !== null && this.cached.expiresAt <= Date.now()) {
      throw new ReauthRequired('deezer', 'access token expired (Deezer has no refresh; log in again)');
    }
    // `next` URLs echo the token they were made with; always send the current one.
    url.searchParams.set('access_token', this.cached.accessToken);
    return this.cached.accessToken;
  }

  /** No refresh exists: resolves only when a newer login already replaced the rejected token (retry with it). */
  async refresh(rejectedToken: string): Promise<void> {
    if (!(await this.forget('access token rejected', rejectedToken))) return;
    throw new ReauthRequired('deezer', 'access token rejected (Deezer has no refresh; log in again)');
  }

  /**
   * Forgets the rejected token (rows stay for their user id / name); readiness then reports "not authenticated".
   * Only that token: a request that was sent with the old token and rejected after a new login stored a fresh one
   * must not erase the fresh one.
   */
  async invalidate(reason: string, failedToken: string): Promise<void> {
    await this.forget(reason, failedToken);
  }

  /** Whether `failedToken` was still stored (and is now forgotten). */
  private async forget(reason: string, failedToken: string): Promise<boolean> {
    // Whatever happens, the next request reads the stored token again.
    this.cached = undefined;
    const forgotten = await inTransaction(this.options.pool, async (client) => {
      const { rows } = await client.query('SELECT session_id, access_token FROM deezer_sessions WHERE access_token IS NOT NULL FOR UPDATE');
      const failed = rows
        .filter((row) => this.options.cipher.decrypt(row.access_token, DeezerTokenStore.ad(row.session_id)) === failedToken)
        .map((row) => row.session_id as string);
      if (failed.length > 0) {
        await client.query('UPDATE deezer_sessions SET access_token = NULL, token_expires_at = NULL WHERE session_id = ANY($1::text[])', [failed]);
      }
      return failed.length > 0;
    });
    if (forgotten) this.options.logger?.warn({ provider: 'deezer', reason }, 'credentials invalid; the user must log in again');
    else this.options.logger?.info({ provider: 'deezer', reason }, 'a rejected access token was already replaced by a newer login; keeping the new one');
    return forgotten;
  }

  private async newest(): Promise<{ sessionId: string; accessToken: string; expiresAt: number | null } | undefined> {
    const { rows } = await this.options.pool.query(
      'SELECT session_id, access_token, token_expires_at FROM deezer_sessions WHERE access_token IS NOT NULL ORDER BY last_accessed_at DESC LIMIT 1',
    );
    if (rows.length === 0) return undefined;
    return { sessionId: rows[0].session_id, accessToken: rows[0].access_token, expiresAt: rows[0].token_expires_at ? new Date(rows[0].token_expires_at).getTime() : null };
  }
}
