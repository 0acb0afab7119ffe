import type { Logger } from 'pino';
import { type Pool, inTransaction } from '../db';
import { ReauthRequired } from '../errors';
import { InvalidGrant, type TokenGrant } from './oauth-token-client';
import type { TokenCipher } from './token-cipher';
import type { AuthState, TokenStore } from './token-store';

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

export interface RefreshingTokenStoreOptions {
  pool: Pool;
  cipher: TokenCipher;
  /** Exchanges a refresh token at the provider; throws InvalidGrant when the provider refuses it. */
  refresh: (refreshToken: string) => Promise<TokenGrant>;
  accountId?: string;
  /** Refresh this long before expiry, so a token does not expire between the check and the request. */
  refreshSkewMs?: number;
  logger?: Logger;
  provider?: string;
}

/**
 * OAuth tokens of one account in `spotify_tokens`, encrypted at rest, with single-flight refresh:
 * - within a process, concurrent callers share one refresh promise;
 * - across processes, the refresh runs while holding the row lock (SELECT ... FOR UPDATE), and the row is re-read
 *   after the lock is acquired — if another process already refreshed, its token is used and no second refresh
 *   happens (a rotated refresh token would otherwise be spent twice and the loser would store a dead one);
 * - a response without a refresh token keeps the old one;
 * - invalid_grant marks the row invalid and raises ReauthRequired, once: no retry loop.
 */
export class SpotifyTokenStore implements TokenStore {
  private cached: CachedToken | undefined;
  private inflight: Promise<CachedToken> | undefined;
  private readonly accountId: string;
  private readonly skewMs: number;
  private readonly provider: string;

  constructor(private readonly options: RefreshingTokenStoreOptions) {
    this.accountId = options.accountId ?? 'default';
    this.skewMs = options.refreshSkewMs ?? 60_000;
    this.provider = options.provider ?? 'spotify';
  }

  private ad(column: 'access_token' | 'refresh_token'): string {
    return `spotify_tokens.${column}:${this.accountId}`;
  }

  /** Stores the tokens of a completed login (a new login makes an invalid row valid again). */
  async save(grant: TokenGrant & { refreshToken: string }): Promise<void> {
    const { cipher, pool } = this.options;
    const expiresAt = new Date(Date.now() + grant.expiresInSeconds * 1000);
    await pool.query(
      `INSERT INTO spotify_tokens (id, access_token, refresh_token, token_expires_at, scopes, is_valid, last_error, last_error_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, true, NULL, NULL, now())
       ON CONFLICT (id) DO UPDATE SET access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token,
         token_expires_at = EXCLUDED.token_expires_at, scopes = EXCLUDED.scopes, is_valid = true,
         last_error = NULL, last_error_at = NULL, updated_at = now()`,
      [this.accountId, cipher.encrypt(grant.accessToken, this.ad('access_token')), cipher.encrypt(grant.refreshToken, this.ad('refresh_token')), expiresAt, grant.scope ?? null],
    );
    this.cached = { accessToken: grant.accessToken, expiresAt: expiresAt.getTime() };
  }

  async state(): Promise<AuthState> {
    const { rows } = await this.options.pool.query('SELECT is_valid FROM spotify_tokens WHERE id = $1', [this.accountId]);
    if (rows.length === 0) return 'not_authenticated';
    return rows[0].is_valid ? 'authenticated' : 'reauth_required';
  }

  async apply(_url: URL, headers: Record<string, string>): Promise<string> {
    const token = await this.accessToken();
    headers.authorization = `Bearer ${token}`;
    return token;
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async accessToken(): Promise<string> {
    if (!this.cached) this.cached = await this.load();
    if (this.cached.expiresAt - Date.now() > this.skewMs) return this.cached.accessToken;
    return (await this.singleFlight(undefined)).accessToken;
  }

  /** After a 401: refresh unless someone already replaced the rejected token. */
  async refresh(rejectedToken: string): Promise<void> {
    await this.singleFlight(rejectedToken);
  }

  /**
   * Marks the credentials invalid — only if the rejected access token is still the stored one: another process's
   * refresh or a new login since the request was sent replaced it, and the replacement must stay usable.
   */
  async invalidate(reason: string, failedToken: string): Promise<void> {
    this.cached = undefined;
    const invalidated = await inTransaction(this.options.pool, async (client) => {
      const { rows } = await client.query('SELECT access_token FROM spotify_tokens WHERE id = $1 AND is_valid FOR UPDATE', [this.accountId]);
      if (rows.length === 0 || this.options.cipher.decrypt(rows[0].access_token, this.ad('access_token')) !== failedToken) return false;
      await client.query(
        'UPDATE spotify_tokens SET is_valid = false, last_error = $2, last_error_at = now(), updated_at = now() WHERE id = $1',
        [this.accountId, reason.slice(0, 500)],
      );
      return true;
    });
    if (invalidated) this.options.logger?.warn({ provider: this.provider, reason }, 'credentials invalid; the user must log in again');
    else this.options.logger?.info({ provider: this.provider, reason }, 'a rejected access token was already replaced; keeping the new one');
  }

  private singleFlight(rejectedToken: string | undefined): Promise<CachedToken> {
    if (!this.inflight) {
      this.inflight = this.refreshUnderLock(rejectedToken).finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight.then((token) => {
      this.cached = token;
      return token;
    });
  }

  private async load(): Promise<CachedToken> {
    const { rows } = await this.options.pool.query('SELECT access_token, token_expires_at, is_valid FROM spotify_tokens WHERE id = $1', [this.accountId]);
    if (rows.length === 0) throw new ReauthRequired(this.provider, 'not authenticated: no tokens stored');
    if (!rows[0].is_valid) throw new ReauthRequired(this.provider, 'stored credentials were rejected; log in again');
    return { accessToken: this.options.cipher.decrypt(rows[0].access_token, this.ad('access_token')), expiresAt: new Date(rows[0].token_expires_at).getTime() };
  }

  private async refreshUnderLock(rejectedToken: string | undefined): Promise<CachedToken> {
    const { cipher, pool } = this.options;
    let invalidGrant: InvalidGrant | undefined;
    const result = await inTransaction(pool, async (client) => {
      const { rows } = await client.query(
        'SELECT access_token, refresh_token, token_expires_at, is_valid FROM spotify_tokens WHERE id = $1 FOR UPDATE',
        [this.accountId],
      );
      if (rows.length === 0) throw new ReauthRequired(this.provider, 'not authenticated: no tokens stored');
      if (!rows[0].is_valid) throw new ReauthRequired(this.provider, 'stored credentials were rejected; log in again');
      const current: CachedToken = {
        accessToken: cipher.decrypt(rows[0].access_token, this.ad('access_token')),
        expiresAt: new Date(rows[0].token_expires_at).getTime(),
      };
      // Re-read under the lock: another sync (maybe another process) may have refreshed while we waited.
      const alreadyReplaced = rejectedToken !== undefined && current.accessToken !== rejectedToken;
      const stillFresh = rejectedToken === undefined && current.expiresAt - Date.now() > this.skewMs;
      if (alreadyReplaced || stillFresh) return current;

      const oldRefreshToken = cipher.decrypt(rows[0].refresh_token, this.ad('refresh_token'));
      let grant: TokenGrant;
      try {
        grant = await this.options.refresh(oldRefreshToken);
      } catch (error) {
        if (!(error instanceof InvalidGrant)) throw error;
        invalidGrant = error;
        await client.query(
          'UPDATE spotify_tokens SET is_valid = false, last_error = $2, last_error_at = now(), updated_at = now() WHERE id = $1',
          [this.accountId, `${error.error}: ${error.description}`.slice(0, 500)],
        );
        return undefined;
      }
      const expiresAt = new Date(Date.now() + grant.expiresInSeconds * 1000);
      // Providers may omit the refresh token on refresh: keep the old one rather than storing nothing.
      const refreshToken = grant.refreshToken ?? oldRefreshToken;
      await client.query(
        `UPDATE spotify_tokens SET access_token = $2, refresh_token = $3, token_expires_at = $4, scopes = COALESCE($5, scopes),
           last_refreshed_at = now(), updated_at = now() WHERE id = $1`,
        [this.accountId, cipher.encrypt(grant.accessToken, this.ad('access_token')), cipher.encrypt(refreshToken, this.ad('refresh_token')), expiresAt, grant.scope ?? null],
      );
      this.options.logger?.info({ provider: this.provider, rotated: grant.refreshToken !== undefined }, 'access token refreshed');
      return { accessToken: grant.accessToken, expiresAt: expiresAt.getTime() };
    });
    if (invalidGrant || !result) {
      this.cached = undefined;
      this.options.logger?.warn({ provider: this.provider, error: invalidGrant?.error }, 'refresh token refused; the user must log in again');
      throw new ReauthRequired(this.provider, `refresh token refused (${invalidGrant?.description ?? 'invalid_grant'})`);
    }
    return result;
  }
}
