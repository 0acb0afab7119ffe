import { randomBytes } from 'node:crypto';
import { json, redirect, text, type FakeRequest, type Reply } from '../http/server';
import type { Recorder } from '../http/recorder';
import type { ResolvedDeezerFaults } from './settings';

/**
 * Deezer Connect (reference §4): auth.php redirects back with a code; access_token.php swaps it for a
 * token, replying in plain text (`access_token=...&expires=...`) or JSON with `output=json`. No refresh
 * tokens exist; `expires=0` (offline_access) means the token never expires.
 */

export interface DeezerApp {
  appId: string;
  appSecret: string;
}

interface Code {
  perms: string[];
  issuedAt: number;
  used: boolean;
}

export interface DeezerToken {
  /** null = never expires (offline_access). */
  expiresAt: number | null;
  /** The lifetime the client was told (`expires`); forced expiry does not move it. */
  announcedExpiresAt: number | null;
  revoked: boolean;
  /** When the fake first answered code 300 for it. */
  rejectedAt?: number;
}

export type TokenCheck = { ok: true } | { ok: false; reusedAfterRejection: boolean };

const CODE_TTL_MS = 10 * 60 * 1000;

export class DeezerConnect {
  private readonly codes = new Map<string, Code>();
  private readonly tokens = new Map<string, DeezerToken>();

  constructor(
    private readonly app: DeezerApp,
    private readonly settings: () => ResolvedDeezerFaults,
    private readonly recorder: Recorder,
    private readonly now: () => number,
    private readonly graceMs: number,
  ) {}

  authorize(request: FakeRequest): Reply {
    const q = request.query;
    if (q.get('app_id') !== this.app.appId) return text(400, 'Invalid app_id', 'text/html; charset=utf-8');
    const redirectUri = q.get('redirect_uri');
    let back: URL;
    try {
      back = new URL(redirectUri ?? '');
    } catch {
      return text(400, 'Invalid redirect_uri', 'text/html; charset=utf-8');
    }
    const state = q.get('state');
    if (this.settings().authorizeDenied) {
      back.searchParams.set('error_reason', 'user_denied');
    } else {
      const code = `fr${randomBytes(16).toString('hex')}`;
      this.codes.set(code, { perms: (q.get('perms') ?? 'basic_access').split(','), issuedAt: this.now(), used: false });
      back.searchParams.set('code', code);
    }
    if (state !== null) back.searchParams.set('state', state);
    return redirect(back.toString());
  }

  /** GET with query parameters, or POST with a form body (some clients do that). */
  accessToken(request: FakeRequest): Reply {
    const params = request.method === 'POST' ? new URLSearchParams(request.body) : request.query;
    for (const [k, v] of request.query) if (!params.has(k)) params.set(k, v);
    const wrong = text(200, 'wrong code', 'text/html; charset=utf-8');
    const code = this.codes.get(params.get('code') ?? '');
    if (params.get('app_id') !== this.app.appId || params.get('secret') !== this.app.appSecret) return wrong;
    if (!code || code.used || this.now() - code.issuedAt > CODE_TTL_MS) return wrong;
    code.used = true;
    const settings = this.settings();
    const expires = code.perms.includes('offline_access') ? 0 : settings.accessTokenTtlSeconds;
    const token = `fr${randomBytes(24).toString('base64url')}`;
    const expiresAt = expires === 0 ? null : this.now() + expires * 1000;
    this.tokens.set(token, { expiresAt, announcedExpiresAt: expiresAt, revoked: false });
    this.recorder.tokenIssued();
    if (params.get('output') === 'json') {
      return json(200, { access_token: token, expires, ...(settings.expireKeyInJson ? { expire: expires } : {}) });
    }
    return text(200, `access_token=${token}&expires=${expires}`, 'text/html; charset=utf-8');
  }

  check(token: string, endpoint: string): TokenCheck {
    const entry = this.tokens.get(token);
    if (!entry) return { ok: false, reusedAfterRejection: false };
    const now = this.now();
    if (this.settings().strictExpiry && entry.announcedExpiresAt !== null && now >= entry.announcedExpiresAt && entry.rejectedAt === undefined) {
      this.recorder.violation({ kind: 'expired-token', endpoint, at: now, detail: 'access token used past the `expires` it was issued with' });
    }
    if (!entry.revoked && (entry.expiresAt === null || now < entry.expiresAt)) return { ok: true };
    return this.reject(entry, endpoint);
  }

  /** An injected code 300: the presented token is dead from now on. */
  invalidate(token: string, endpoint: string): void {
    const entry = this.tokens.get(token);
    if (!entry) return;
    entry.revoked = true;
    this.reject(entry, endpoint);
  }

  private reject(entry: DeezerToken, endpoint: string): TokenCheck {
    const now = this.now();
    const reused = entry.rejectedAt !== undefined && now - entry.rejectedAt > this.graceMs;
    entry.rejectedAt ??= now;
    if (reused) this.recorder.violation({ kind: 'expired-token', endpoint, at: now, detail: 'access token used again after a code 300 reply' });
    return { ok: false, reusedAfterRejection: reused };
  }

  expireAccessTokens(): void {
    const now = this.now();
    for (const entry of this.tokens.values()) if (entry.expiresAt === null || entry.expiresAt > now) entry.expiresAt = now;
  }

  revokeAll(): void {
    for (const entry of this.tokens.values()) entry.revoked = true;
  }
}
