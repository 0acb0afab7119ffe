import type { Pool } from '../db';
import { createPkcePair, randomToken } from './pkce';
import type { TokenCipher } from './token-cipher';

export type SessionTable = 'spotify_sessions' | 'deezer_sessions';

export interface PendingLogin {
  sessionId: string;
  state: string;
  codeChallenge?: string;
}

/**
 * Login state in `spotify_sessions` / `deezer_sessions`: a random session id (the browser cookie), a random
 * `state` and, with PKCE, the code verifier (encrypted). The callback must present both the cookie and the state
 * (CSRF: a state alone could be replayed from another browser), within the TTL, once.
 */
export class OAuthSessionStore {
  constructor(
    private readonly options: { pool: Pool; cipher: TokenCipher; table: SessionTable; ttlMs?: number },
  ) {}

  private get ttlMs(): number {
    return this.options.ttlMs ?? 10 * 60_000;
  }

  async begin({ pkce }: { pkce: boolean }): Promise<PendingLogin> {
    const { pool, cipher, table } = this.options;
    const sessionId = randomToken(24);
    const state = randomToken(24);
    const pair = pkce ? createPkcePair() : undefined;
    const verifier = pair ? cipher.encrypt(pair.verifier, `${table}.code_verifier:${sessionId}`) : null;
    // Abandoned logins (state set, never completed) are removed after a day.
    await pool.query(`DELETE FROM ${table} WHERE access_token IS NULL AND oauth_state IS NOT NULL AND created_at < now() - interval '1 day'`);
    await pool.query(`INSERT INTO ${table} (session_id, oauth_state, code_verifier) VALUES ($1, $2, $3)`, [sessionId, state, verifier]);
    return { sessionId, state, codeChallenge: pair?.challenge };
  }

  /**
   * Checks and consumes a callback's state. Returns the PKCE verifier ('' without PKCE), or undefined when the
   * state is unknown, expired, already used, or belongs to another browser session.
   */
  async consume(sessionId: string, state: string): Promise<{ codeVerifier: string } | undefined> {
    const { pool, cipher, table } = this.options;
    // RETURNING yields the new row, so the old verifier is read in a locked sub-select of the same statement.
    const { rows } = await pool.query(
      `UPDATE ${table} AS t SET oauth_state = NULL, code_verifier = NULL, last_accessed_at = now()
       FROM (SELECT session_id, code_verifier AS verifier FROM ${table}
             WHERE session_id = $1 AND oauth_state = $2 AND created_at > now() - ($3::double precision * interval '1 millisecond')
             FOR UPDATE) AS old
       WHERE t.session_id = old.session_id
       RETURNING old.verifier AS code_verifier`,
      [sessionId, state, this.ttlMs],
    );
    if (rows.length === 0) return undefined;
    const stored: string | null = rows[0].code_verifier;
    return { codeVerifier: stored ? cipher.decrypt(stored, `${table}.code_verifier:${sessionId}`) : '' };
  }
}
