import { createHash, randomBytes } from 'node:crypto';
import type { FakeDeezer as FullFakeDeezer, FakeSpotify as FullFakeSpotify } from '../src/index';

/** What the helpers need: satisfied by in-process fakes and by `startFakesInChildProcess` ones. */
type FakeSpotify = Pick<FullFakeSpotify, 'baseUrl' | 'accountsUrl' | 'clientId' | 'clientSecret'>;
type FakeDeezer = Pick<FullFakeDeezer, 'baseUrl' | 'accountsUrl' | 'appId' | 'appSecret'>;

export const REDIRECT_URI = 'http://127.0.0.1:8888/auth/callback';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** GET /authorize and return the redirect's query (code, state or error). */
export async function spotifyAuthorize(fake: FakeSpotify, params: Record<string, string>): Promise<{ status: number; location: URL | null; body: string }> {
  const query = new URLSearchParams({ client_id: fake.clientId, response_type: 'code', redirect_uri: REDIRECT_URI, ...params });
  const response = await fetch(`${fake.accountsUrl}/authorize?${query}`, { redirect: 'manual' });
  const location = response.headers.get('location');
  return { status: response.status, location: location ? new URL(location) : null, body: await response.text() };
}

export async function tokenRequest(fake: FakeSpotify, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${fake.accountsUrl}/api/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
}

export interface SpotifyTokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
}

/** The full PKCE login a connector performs. */
export async function spotifyLogin(fake: FakeSpotify, scope = 'user-follow-read user-library-read'): Promise<SpotifyTokens> {
  const { verifier, challenge } = pkcePair();
  const auth = await spotifyAuthorize(fake, { state: 's1', scope, code_challenge_method: 'S256', code_challenge: challenge });
  const code = auth.location!.searchParams.get('code')!;
  const token = await tokenRequest(fake, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: fake.clientId, code_verifier: verifier });
  if (token.status !== 200) throw new Error(`login failed: ${JSON.stringify(token.body)}`);
  return token.body as SpotifyTokens;
}

export async function spotifyGet(fake: FakeSpotify, pathOrUrl: string, accessToken: string) {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${fake.baseUrl}${pathOrUrl}`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
  const text = await response.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, text, body };
}

export async function deezerLogin(fake: FakeDeezer, perms = 'basic_access'): Promise<string> {
  const auth = await fetch(
    `${fake.accountsUrl}/oauth/auth.php?${new URLSearchParams({ app_id: fake.appId, redirect_uri: REDIRECT_URI, perms, state: 'd1' })}`,
    { redirect: 'manual' },
  );
  const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
  const reply = await fetch(`${fake.accountsUrl}/oauth/access_token.php?${new URLSearchParams({ app_id: fake.appId, secret: fake.appSecret, code })}`);
  return new URLSearchParams(await reply.text()).get('access_token')!;
}

export async function deezerGet(fake: FakeDeezer, pathOrUrl: string) {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${fake.baseUrl}${pathOrUrl}`;
  const response = await fetch(url);
  const text = await response.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: response.status, text, body };
}
