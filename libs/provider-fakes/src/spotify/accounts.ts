import { createHash, randomBytes } from 'node:crypto';
import { json, redirect, text, type FakeRequest, type Reply } from '../http/server';
import type { Recorder } from '../http/recorder';
import type { ResolvedSpotifyFaults } from './settings';

/**
 * The fake accounts service: /authorize (auto-approving user), /api/token (authorization_code with or
 * without PKCE, refresh_token), and the token book-keeping the Web API checks Bearer tokens against.
 */

export interface SpotifyClient {
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs; empty = any loopback IP literal or https URI (never `localhost`). */
  redirectUris: string[];
}

interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  challenge: string | null;
  issuedAt: number;
  used: boolean;
}

interface RefreshGrant {
  clientId: string;
  pkce: boolean;
  scope: string;
  /** The original authorization: the 6-month lifetime counts from here and refreshing never extends it. */
  authorizedAt: number;
  state: 'active' | 'rotated' | 'revoked';
  /** When the fake first answered invalid_grant for it (a second use after the grace is a violation). */
  rejectedAt?: number;
}

export interface AccessGrant {
  clientId: string;
  scopes: Set<string>;
  expiresAt: number;
  /** The lifetime the client was told (`expires_in`); forced expiry does not move it. */
  announcedExpiresAt: number;
  revoked: boolean;
  /** When the fake first answered 401 for it. */
  rejectedAt?: number;
}

export type AccessCheck =
  | { ok: true; grant: AccessGrant }
  | { ok: false; message: string; error: 'invalid_token' | 'missing_token'; reusedAfterRejection: boolean };

const VERIFIER_RE = /^[A-Za-z0-9\-._~]{43,128}$/;

function tokenError(error: string, description?: string): Reply {
  return json(400, description === undefined ? { error } : { error, error_description: description });
}

function base64Url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Loopback IP literal (any port) or https — what Spotify accepts since the 2025 redirect-URI hardening. */
export function isAcceptableRedirectUri(uri: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return false;
  }
  if (parsed.protocol === 'https:') return true;
  return parsed.protocol === 'http:' && (parsed.hostname === '127.0.0.1' || parsed.hostname === '[::1]');
}

export class SpotifyAccounts {
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly accessTokens = new Map<string, AccessGrant>();

  constructor(
    private readonly client: SpotifyClient,
    private readonly settings: () => ResolvedSpotifyFaults,
    private readonly recorder: Recorder,
    private readonly now: () => number,
    private readonly graceMs: number,
  ) {}

  // ---- /authorize --------------------------------------------------------------------------------

  authorize(request: FakeRequest): Reply {
    const q = request.query;
    const clientId = q.get('client_id');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (clientId !== this.client.clientId) return text(400, 'INVALID_CLIENT: Invalid client', 'text/html; charset=utf-8');
    const registered = this.client.redirectUris.length > 0 ? this.client.redirectUris.includes(redirectUri) : isAcceptableRedirectUri(redirectUri);
    if (!registered) return text(400, 'INVALID_CLIENT: Invalid redirect URI', 'text/html; charset=utf-8');
    const back = new URL(redirectUri);
    const state = q.get('state');
    const fail = (error: string): Reply => {
      back.searchParams.set('error', error);
      if (state !== null) back.searchParams.set('state', state);
      return redirect(back.toString());
    };
    if (q.get('response_type') !== 'code') return fail('unsupported_response_type');
    const challenge = q.get('code_challenge');
    if (challenge !== null && (q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge))) return fail('invalid_request');
    if (this.settings().authorizeDenied) return fail('access_denied');
    const code = `AQ${base64Url(randomBytes(96))}`;
    this.codes.set(code, { clientId, redirectUri, scope: q.get('scope') ?? '', challenge, issuedAt: this.now(), used: false });
    back.searchParams.set('code', code);
    if (state !== null) back.searchParams.set('state', state);
    return redirect(back.toString());
  }

  // ---- /api/token --------------------------------------------------------------------------------

  token(request: FakeRequest): Reply {
    const contentType = String(request.headers['content-type'] ?? '');
    if (!contentType.startsWith('application/x-www-form-urlencoded')) return tokenError('unsupported_grant_type', 'grant_type parameter is missing');
    const form = new URLSearchParams(request.body);
    const grantType = form.get('grant_type');
    if (grantType === null) return tokenError('unsupported_grant_type', 'grant_type parameter is missing');
    const auth = this.clientAuthentication(request, form);
    if ('reply' in auth) return auth.reply;
    if (grantType === 'authorization_code') return this.exchangeCode(form, auth);
    if (grantType === 'refresh_token') return this.refresh(form, auth);
    return tokenError('unsupported_grant_type', 'grant_type must be client_credentials, authorization_code or refresh_token');
  }

  /** Basic header (confidential client) or client_id in the form (PKCE); a wrong secret is invalid_client. */
  private clientAuthentication(request: FakeRequest, form: URLSearchParams): { clientId: string | null; authenticated: boolean } | { reply: Reply } {
    const header = request.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const id = decoded.slice(0, colon);
      const secret = decoded.slice(colon + 1);
      if (id !== this.client.clientId) return { reply: tokenError('invalid_client', 'Invalid client') };
      if (secret !== this.client.clientSecret) return { reply: tokenError('invalid_client', 'Invalid client secret') };
      return { clientId: id, authenticated: true };
    }
    const id = form.get('client_id');
    if (id !== null && id !== this.client.clientId) return { reply: tokenError('invalid_client', 'Invalid client') };
    const secret = form.get('client_secret');
    if (secret !== null) {
      if (secret !== this.client.clientSecret) return { reply: tokenError('invalid_client', 'Invalid client secret') };
      return { clientId: id, authenticated: true };
    }
    return { clientId: id, authenticated: false };
  }

  private exchangeCode(form: URLSearchParams, auth: { clientId: string | null; authenticated: boolean }): Reply {
    const code = form.get('code');
    if (code === null) return tokenError('invalid_request', 'code must be supplied');
    const entry = this.codes.get(code);
    if (!entry || entry.used) return tokenError('invalid_grant', 'Invalid authorization code');
    if (this.now() - entry.issuedAt > this.settings().authorizationCodeTtlSeconds * 1000) return tokenError('invalid_grant', 'Authorization code expired');
    if (form.get('redirect_uri') !== entry.redirectUri) return tokenError('invalid_grant', 'Invalid redirect URI');
    if (auth.clientId !== null && auth.clientId !== entry.clientId) return tokenError('invalid_client', 'Invalid client');
    let pkce = false;
    if (entry.challenge !== null) {
      const verifier = form.get('code_verifier');
      if (verifier === null) return tokenError('invalid_request', 'code_verifier required');
      if (!VERIFIER_RE.test(verifier) || base64Url(createHash('sha256').update(verifier).digest()) !== entry.challenge) {
        return tokenError('invalid_grant', 'code_verifier was incorrect');
      }
      if (auth.clientId === null && !auth.authenticated) return tokenError('invalid_request', 'client_id required');
      pkce = !auth.authenticated;
    } else if (!auth.authenticated) {
      return tokenError('invalid_client');
    }
    entry.used = true;
    const refreshToken = this.issueRefreshToken({ clientId: entry.clientId, pkce, scope: entry.scope, authorizedAt: this.now(), state: 'active' });
    return this.tokenReply(entry.clientId, entry.scope, refreshToken);
  }

  private refresh(form: URLSearchParams, auth: { clientId: string | null; authenticated: boolean }): Reply {
    const token = form.get('refresh_token');
    if (token === null) return tokenError('invalid_request', 'refresh_token must be supplied');
    const grant = this.refreshTokens.get(token);
    if (!grant) return tokenError('invalid_grant', 'Invalid refresh token');
    const now = this.now();
    const settings = this.settings();
    if (grant.rejectedAt !== undefined) {
      if (now - grant.rejectedAt > this.graceMs) {
        this.violation('stale-refresh-token', `refresh token reused after invalid_grant (${grant.state})`);
      }
      return tokenError('invalid_grant', grant.state === 'rotated' ? 'Invalid refresh token' : 'Refresh token revoked');
    }
    if (grant.state === 'rotated') {
      grant.rejectedAt = now;
      this.violation('stale-refresh-token', 'refresh with a refresh token that an earlier refresh rotated away');
      return tokenError('invalid_grant', 'Invalid refresh token');
    }
    if (grant.state === 'revoked' || settings.invalidGrant || now - grant.authorizedAt > settings.refreshTokenMaxAgeSeconds * 1000) {
      grant.state = 'revoked';
      grant.rejectedAt = now;
      return tokenError('invalid_grant', 'Refresh token revoked');
    }
    // PKCE tokens refresh with client_id in the body; classic tokens need the Basic header.
    if (grant.pkce ? auth.clientId !== grant.clientId && !auth.authenticated : !auth.authenticated) {
      return tokenError('invalid_client', 'Invalid client');
    }
    this.recorder.refreshed();
    let newRefreshToken: string | null = null;
    if (settings.refreshTokenRotation !== 'omit') {
      newRefreshToken = this.issueRefreshToken({ ...grant, state: 'active' });
      if (settings.refreshTokenRotation === 'rotate-invalidate') grant.state = 'rotated';
    }
    return this.tokenReply(grant.clientId, grant.scope, newRefreshToken);
  }

  private issueRefreshToken(grant: RefreshGrant): string {
    const token = `AQ${base64Url(randomBytes(96))}`;
    this.refreshTokens.set(token, { ...grant, rejectedAt: undefined });
    return token;
  }

  private tokenReply(clientId: string, scope: string, refreshToken: string | null): Reply {
    const ttl = this.settings().accessTokenTtlSeconds;
    const accessToken = `BQ${base64Url(randomBytes(120))}`;
    this.accessTokens.set(accessToken, {
      clientId,
      scopes: new Set(scope.split(' ').filter(Boolean)),
      expiresAt: this.now() + ttl * 1000,
      announcedExpiresAt: this.now() + ttl * 1000,
      revoked: false,
    });
    this.recorder.tokenIssued();
    return json(200, {
      access_token: accessToken,
      token_type: 'Bearer',
      scope,
      expires_in: ttl,
      ...(refreshToken === null ? {} : { refresh_token: refreshToken }),
    });
  }

  private violation(kind: 'stale-refresh-token' | 'expired-token', detail: string, endpoint = 'POST /api/token'): void {
    this.recorder.violation({ kind, endpoint, at: this.now(), detail });
  }

  // ---- used by the Web API -------------------------------------------------------------------------

  checkAccess(authorization: string | undefined, endpoint: string): AccessCheck {
    if (!authorization?.startsWith('Bearer ')) return { ok: false, message: 'No token provided', error: 'missing_token', reusedAfterRejection: false };
    const grant = this.accessTokens.get(authorization.slice(7));
    if (!grant) return { ok: false, message: 'Invalid access token', error: 'invalid_token', reusedAfterRejection: false };
    const now = this.now();
    if (this.settings().strictExpiry && now >= grant.announcedExpiresAt && grant.rejectedAt === undefined) {
      this.violation('expired-token', 'access token used past the expires_in it was issued with', endpoint);
    }
    const dead = grant.revoked || now >= grant.expiresAt;
    if (!dead) return { ok: true, grant };
    const reused = grant.rejectedAt !== undefined && now - grant.rejectedAt > this.graceMs;
    grant.rejectedAt ??= now;
    if (reused) this.violation('expired-token', 'access token used again after a 401', endpoint);
    return { ok: false, message: grant.revoked ? 'Invalid access token' : 'The access token expired', error: 'invalid_token', reusedAfterRejection: reused };
  }

  /** Every access token issued so far expires now (the next use gets 401 "The access token expired"). */
  expireAccessTokens(): void {
    const now = this.now();
    for (const grant of this.accessTokens.values()) if (grant.expiresAt > now) grant.expiresAt = now;
  }

  /** The user revoked the app: every access and refresh token dies (`invalid_grant` / `Refresh token revoked`). */
  revokeAll(): void {
    for (const grant of this.accessTokens.values()) grant.revoked = true;
    for (const grant of this.refreshTokens.values()) if (grant.state === 'active') grant.state = 'revoked';
  }
}
