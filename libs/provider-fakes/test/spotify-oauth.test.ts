import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSpotify, type FakeSpotify, type FakeSpotifyOptions } from '../src/index';
import { pkcePair, REDIRECT_URI, spotifyAuthorize, spotifyGet, spotifyLogin, tokenRequest } from './helpers';

describe('fake Spotify accounts service', () => {
  let fake: FakeSpotify;
  let clock = 1_800_000_000_000;
  const start = async (options: FakeSpotifyOptions = {}) => {
    clock = 1_800_000_000_000;
    fake = await startFakeSpotify({ artists: 3, now: () => clock, ...options });
    return fake;
  };
  afterEach(async () => fake?.close());

  it('authorize redirects with code and the echoed state; PKCE exchange returns the documented token shape', async () => {
    await start();
    const { verifier, challenge } = pkcePair();
    const auth = await spotifyAuthorize(fake, { state: 'csrf-123', scope: 'user-follow-read', code_challenge_method: 'S256', code_challenge: challenge });
    expect(auth.status).toBe(302);
    expect(auth.location!.origin + auth.location!.pathname).toBe(REDIRECT_URI);
    expect(auth.location!.searchParams.get('state')).toBe('csrf-123');
    const code = auth.location!.searchParams.get('code')!;
    const token = await tokenRequest(fake, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: fake.clientId, code_verifier: verifier });
    expect(token.status).toBe(200);
    expect(token.body).toEqual({
      access_token: expect.stringMatching(/^BQ/),
      token_type: 'Bearer',
      scope: 'user-follow-read',
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^AQ/),
    });
    // Codes are single-use.
    const again = await tokenRequest(fake, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: fake.clientId, code_verifier: verifier });
    expect(again).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid authorization code' } });
  });

  it('a wrong PKCE verifier is invalid_grant "code_verifier was incorrect"', async () => {
    await start();
    const { challenge } = pkcePair();
    const auth = await spotifyAuthorize(fake, { scope: '', code_challenge_method: 'S256', code_challenge: challenge });
    const token = await tokenRequest(fake, {
      grant_type: 'authorization_code',
      code: auth.location!.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      client_id: fake.clientId,
      code_verifier: pkcePair().verifier,
    });
    expect(token).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'code_verifier was incorrect' } });
  });

  it('rejects localhost redirect URIs, reports denial as error=access_denied, and codes expire', async () => {
    await start();
    const bad = await fetch(`${fake.accountsUrl}/authorize?${new URLSearchParams({ client_id: fake.clientId, response_type: 'code', redirect_uri: 'http://localhost:8888/cb' })}`, { redirect: 'manual' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Invalid redirect URI');
    fake.setFaults({ authorizeDenied: true });
    const denied = await spotifyAuthorize(fake, { state: 'z' });
    expect(Object.fromEntries(denied.location!.searchParams)).toEqual({ error: 'access_denied', state: 'z' });
    fake.setFaults({ authorizeDenied: null });
    const auth = await spotifyAuthorize(fake, {});
    clock += 601_000;
    const basic = `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`;
    const late = await tokenRequest(fake, { grant_type: 'authorization_code', code: auth.location!.searchParams.get('code')!, redirect_uri: REDIRECT_URI }, { authorization: basic });
    expect(late.body).toEqual({ error: 'invalid_grant', error_description: 'Authorization code expired' });
  });

  it('classic flow: Basic auth exchange works; a JSON body is unsupported_grant_type', async () => {
    await start();
    const auth = await spotifyAuthorize(fake, { scope: 'user-library-read' });
    const basic = `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`;
    const json = await fetch(`${fake.accountsUrl}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic }, body: '{}' });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('unsupported_grant_type');
    const token = await tokenRequest(fake, { grant_type: 'authorization_code', code: auth.location!.searchParams.get('code')!, redirect_uri: REDIRECT_URI }, { authorization: basic });
    expect(token.status).toBe(200);
    // Refreshing a classic token without the Basic header fails (TS-SDK issues #79/#113).
    const refresh = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: token.body!.refresh_token, client_id: fake.clientId });
    expect(refresh.body).toEqual({ error: 'invalid_client', error_description: 'Invalid client' });
    const ok = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: token.body!.refresh_token }, { authorization: basic });
    expect(ok.status).toBe(200);
  });

  it('access tokens expire after expires_in: 401 "The access token expired", then a refresh fixes it', async () => {
    await start({ faults: { accessTokenTtlSeconds: 60 } });
    const tokens = await spotifyLogin(fake);
    expect(tokens.expires_in).toBe(60);
    expect((await spotifyGet(fake, '/me/following?type=artist', tokens.access_token)).status).toBe(200);
    clock += 60_000;
    const expired = await spotifyGet(fake, '/me/following?type=artist', tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: { status: 401, message: 'The access token expired' } });
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const refreshed = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: fake.clientId });
    expect(refreshed.status).toBe(200);
    expect((await spotifyGet(fake, '/me/following?type=artist', refreshed.body!.access_token)).status).toBe(200);
    expect(fake.violations()).toEqual([]);
    expect(fake.stats().refreshes).toBe(1);
  });

  it('strictExpiry: using a token past its announced lifetime is a violation, a forced expiry is not', async () => {
    await start({ faults: { accessTokenTtlSeconds: 60, strictExpiry: true } });
    const tokens = await spotifyLogin(fake);
    fake.expireAccessTokens();
    expect((await spotifyGet(fake, '/me/albums', tokens.access_token)).status).toBe(401);
    expect(fake.violations()).toEqual([]);
    const fresh = await spotifyLogin(fake);
    clock += 61_000;
    expect((await spotifyGet(fake, '/me/albums', fresh.access_token)).status).toBe(401);
    expect(fake.violations()).toMatchObject([{ kind: 'expired-token', detail: expect.stringContaining('expires_in') }]);
  });

  it('missing and unknown tokens get their documented 401 messages', async () => {
    await start();
    const missing = await fetch(`${fake.baseUrl}/me/following?type=artist`);
    expect(await missing.json()).toEqual({ error: { status: 401, message: 'No token provided' } });
    const unknown = await spotifyGet(fake, '/me/following?type=artist', 'BQnope');
    expect(unknown.body).toEqual({ error: { status: 401, message: 'Invalid access token' } });
  });

  it('expireAccessTokens() forces expiry mid-run; using the token again after the 401 is a violation', async () => {
    await start({ inFlightGraceMs: 100 });
    const tokens = await spotifyLogin(fake);
    fake.expireAccessTokens();
    expect((await spotifyGet(fake, '/me/albums', tokens.access_token)).status).toBe(401);
    expect(fake.violations()).toEqual([]);
    clock += 50; // still in flight: tolerated
    expect((await spotifyGet(fake, '/me/albums', tokens.access_token)).status).toBe(401);
    expect(fake.violations()).toEqual([]);
    clock += 1000;
    expect((await spotifyGet(fake, '/me/albums', tokens.access_token)).status).toBe(401);
    expect(fake.violations()).toMatchObject([{ kind: 'expired-token', endpoint: 'GET /v1/me/albums' }]);
  });

  it('refreshTokenRotation "rotate": a new refresh token, the old one still works', async () => {
    await start({ faults: { refreshTokenRotation: 'rotate' } });
    const tokens = await spotifyLogin(fake);
    const first = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: fake.clientId });
    expect(first.body!.refresh_token).toMatch(/^AQ/);
    expect(first.body!.refresh_token).not.toBe(tokens.refresh_token);
    const second = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: fake.clientId });
    expect(second.status).toBe(200);
    expect(fake.violations()).toEqual([]);
  });

  it('refreshTokenRotation "omit": no refresh_token in the reply, the old one keeps working', async () => {
    await start({ faults: { refreshTokenRotation: 'omit' } });
    const tokens = await spotifyLogin(fake);
    for (let i = 0; i < 2; i++) {
      const reply = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: fake.clientId });
      expect(reply.status).toBe(200);
      expect(Object.keys(reply.body!).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    }
  });

  it('refreshTokenRotation "rotate-invalidate": the old refresh token is dead and using it is a stale-refresh-token violation', async () => {
    await start({ faults: { refreshTokenRotation: 'rotate-invalidate' } });
    const tokens = await spotifyLogin(fake);
    const rotated = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: fake.clientId });
    expect(rotated.status).toBe(200);
    const stale = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: fake.clientId });
    expect(stale).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh token' } });
    expect(fake.violations()).toMatchObject([{ kind: 'stale-refresh-token', endpoint: 'POST /api/token' }]);
    const fresh = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: rotated.body!.refresh_token, client_id: fake.clientId });
    expect(fresh.status).toBe(200);
  });

  it('invalidGrant / revokeTokens(): invalid_grant "Refresh token revoked"; retrying it is a violation', async () => {
    await start({ inFlightGraceMs: 0 });
    const tokens = await spotifyLogin(fake);
    fake.setFaults({ invalidGrant: true });
    const refresh = () => tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: fake.clientId });
    expect(await refresh()).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Refresh token revoked' } });
    expect(fake.violations()).toEqual([]);
    clock += 10;
    expect((await refresh()).body!.error).toBe('invalid_grant');
    expect(fake.violations()).toMatchObject([{ kind: 'stale-refresh-token' }]);

    fake.clearFaults();
    fake.resetStats();
    const other = await spotifyLogin(fake);
    fake.revokeTokens();
    expect((await spotifyGet(fake, '/me/albums', other.access_token)).body.error.message).toBe('Invalid access token');
    const revoked = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: other.refresh_token, client_id: fake.clientId });
    expect(revoked.body).toEqual({ error: 'invalid_grant', error_description: 'Refresh token revoked' });
  });

  it('refresh tokens die 6 months after the original authorization, however often they were refreshed', async () => {
    await start({ faults: { refreshTokenRotation: 'omit' } });
    const tokens = await spotifyLogin(fake);
    clock += 181 * 86_400_000;
    expect((await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: fake.clientId })).status).toBe(200);
    clock += 2 * 86_400_000;
    const late = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: fake.clientId });
    expect(late.body).toEqual({ error: 'invalid_grant', error_description: 'Refresh token revoked' });
  });

  it('scopes are enforced: /me/albums without user-library-read is 403', async () => {
    await start();
    const tokens = await spotifyLogin(fake, 'user-follow-read');
    const reply = await spotifyGet(fake, '/me/albums', tokens.access_token);
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ error: { status: 403, message: 'Insufficient client scope' } });
  });
});
