import { randomBytes } from 'node:crypto';
import { provisionPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeezerTokenStore } from '../src/auth/deezer-token-store';
import { OAuthSessionStore } from '../src/auth/oauth-sessions';
import { InvalidGrant, type TokenGrant } from '../src/auth/oauth-token-client';
import { SpotifyTokenStore } from '../src/auth/spotify-token-store';
import { TokenCipher } from '../src/auth/token-cipher';
import { type Pool, createPool } from '../src/db';
import { ReauthRequired } from '../src/errors';
import { SyncStatusStore } from '../src/sync/sync-status-store';

/** The kit's database-backed parts against real PostgreSQL with the real schema. */
let stop: () => Promise<void>;
let url: string;
const pools: Pool[] = [];
const cipher = new TokenCipher(randomBytes(32));

function pool(): Pool {
  const created = createPool(url);
  pools.push(created);
  return created;
}

beforeAll(async () => {
  const postgres = await provisionPostgres();
  url = postgres.url;
  stop = postgres.stop;
  await migrateUp(url);
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await stop?.();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SyncStatusStore', () => {
  it('a claimed entity is not claimed again until its lease expires — a crash never blocks it for good', async () => {
    const store = new SyncStatusStore(pool(), 'spotify');
    expect(await store.claim('album', ['a1', 'a2', 'a1'], { leaseMs: 300 })).toEqual(new Set(['a1', 'a2']));
    // "Crash": nothing completes or releases. Another run sees the lease...
    expect(await store.claim('album', ['a1', 'a2', 'a3'], { leaseMs: 300 })).toEqual(new Set(['a3']));
    await sleep(350);
    // ... and takes the entities over once it has expired.
    expect(await store.claim('album', ['a1', 'a2'], { leaseMs: 300 })).toEqual(new Set(['a1', 'a2']));
  });

  it('complete starts the cooldown, release makes an entity due at once, force ignores both', async () => {
    const store = new SyncStatusStore(pool(), 'deezer');
    await store.claim('artist_albums', ['x', 'y'], { leaseMs: 60_000 });
    await store.complete('artist_albums', ['x'], { cooldownMs: 60_000, itemsSynced: 7 });
    await store.release('artist_albums', ['y'], 'boom');
    expect(await store.claim('artist_albums', ['x', 'y'], { leaseMs: 60_000 })).toEqual(new Set(['y']));
    expect(await store.claim('artist_albums', ['x', 'y'], { leaseMs: 60_000, force: true })).toEqual(new Set(['x', 'y']));
    // Providers are independent rows.
    expect(await new SyncStatusStore(pool(), 'spotify').claim('artist_albums', ['x'], { leaseMs: 1000 })).toEqual(new Set(['x']));
  });

  it('two instances claiming, completing and releasing the same entities in opposite orders never deadlock', async () => {
    const [one, two] = [new SyncStatusStore(pool(), 'spotify'), new SyncStatusStore(pool(), 'spotify')];
    const ids = Array.from({ length: 300 }, (_, i) => `dl-${String(i).padStart(3, '0')}`);
    const reversed = [...ids].reverse();
    const lease = { leaseMs: 60_000, force: true };
    // A deadlock makes PostgreSQL abort one of the statements (40P01), which would fail that instance's sync.
    for (let round = 0; round < 10; round++) {
      const [claimedByOne, , , claimedByTwo] = await Promise.all([
        one.claim('album', ids, lease).then(async (claimed) => {
          await one.complete('album', reversed, { cooldownMs: 1 });
          return claimed;
        }),
        two.claim('album', reversed, lease).then(() => two.release('album', ids)),
        one.complete('album', ids, { cooldownMs: 1 }),
        two.claim('album', ids, lease),
      ]);
      // forced claims take every entity, whoever held it
      expect(claimedByOne.size).toBe(ids.length);
      expect(claimedByTwo.size).toBe(ids.length);
    }
  });

  it('persists a rate-limit window, never shortening it', async () => {
    const store = new SyncStatusStore(pool(), 'spotify');
    expect(await store.rateLimitedUntil()).toBeUndefined();
    const later = new Date(Date.now() + 3_600_000);
    await store.setRateLimitedUntil(later, 'Retry-After 3600');
    await store.setRateLimitedUntil(new Date(Date.now() + 1000), 'a shorter one');
    expect((await new SyncStatusStore(pool(), 'spotify').rateLimitedUntil())?.getTime()).toBe(later.getTime());
    expect(await new SyncStatusStore(pool(), 'deezer').rateLimitedUntil()).toBeUndefined();
  });
});

describe('SpotifyTokenStore', () => {
  const grant = (access: string, refresh?: string, expiresInSeconds = 3600): TokenGrant => ({ accessToken: access, refreshToken: refresh, expiresInSeconds });

  async function seed(accountId: string, expiresInSeconds: number): Promise<void> {
    const store = new SpotifyTokenStore({ pool: pool(), cipher, accountId, refresh: async () => grant('unused') });
    await store.save({ accessToken: 'access-0', refreshToken: 'refresh-0', expiresInSeconds });
  }

  it('stores tokens encrypted', async () => {
    await seed('enc', 3600);
    const { rows } = await pool().query(`SELECT access_token, refresh_token FROM spotify_tokens WHERE id = 'enc'`);
    expect(rows[0].access_token).toMatch(/^v1\./);
    expect(rows[0].access_token).not.toContain('access-0');
    expect(rows[0].refresh_token).not.toContain('refresh-0');
  });

  it('refreshes once for many concurrent callers in two "processes", and keeps the old refresh token when none is returned', async () => {
    await seed('race', 10); // within the refresh skew: expired for practical purposes
    const calls: string[] = [];
    const refresh = async (refreshToken: string) => {
      calls.push(refreshToken);
      await sleep(100); // a slow token endpoint widens the race window
      return grant(`access-${calls.length}`); // no refresh_token in the answer
    };
    const processA = new SpotifyTokenStore({ pool: pool(), cipher, accountId: 'race', refresh });
    const processB = new SpotifyTokenStore({ pool: pool(), cipher, accountId: 'race', refresh });
    const tokens = await Promise.all([...Array.from({ length: 5 }, () => processA.accessToken()), ...Array.from({ length: 5 }, () => processB.accessToken())]);
    expect(calls).toEqual(['refresh-0']);
    expect(new Set(tokens)).toEqual(new Set(['access-1']));
    const { rows } = await pool().query(`SELECT refresh_token FROM spotify_tokens WHERE id = 'race'`);
    expect(cipher.decrypt(rows[0].refresh_token, 'spotify_tokens.refresh_token:race')).toBe('refresh-0');
  });

  it('after a 401, refreshes only if nobody replaced the rejected token meanwhile', async () => {
    await seed('rejected', 3600);
    let n = 0;
    const refresh = async () => grant(`fresh-${++n}`, `rt-${n}`);
    const a = new SpotifyTokenStore({ pool: pool(), cipher, accountId: 'rejected', refresh });
    const b = new SpotifyTokenStore({ pool: pool(), cipher, accountId: 'rejected', refresh });
    expect(await a.accessToken()).toBe('access-0');
    expect(await b.accessToken()).toBe('access-0');
    await a.refresh('access-0');
    await b.refresh('access-0'); // b's 401 was for the same old token: a already replaced it
    expect(n).toBe(1);
    expect(await b.accessToken()).toBe('fresh-1');
  });

  it('invalid_grant marks the credentials invalid and raises ReauthRequired once — no retry loop', async () => {
    await seed('revoked', 10);
    let calls = 0;
    const store = new SpotifyTokenStore({
      pool: pool(),
      cipher,
      accountId: 'revoked',
      refresh: async () => {
        calls++;
        throw new InvalidGrant('invalid_grant', 'Refresh token revoked');
      },
    });
    await expect(store.accessToken()).rejects.toBeInstanceOf(ReauthRequired);
    await expect(store.accessToken()).rejects.toBeInstanceOf(ReauthRequired);
    await expect(store.refresh('access-0')).rejects.toBeInstanceOf(ReauthRequired);
    expect(calls).toBe(1);
    expect(await store.state()).toBe('reauth_required');
    // A new login makes the row valid again.
    await store.save({ accessToken: 'access-new', refreshToken: 'refresh-new', expiresInSeconds: 3600 });
    expect(await store.state()).toBe('authenticated');
  });

  it('invalidating a rejected access token that another process already replaced keeps the credentials valid', async () => {
    await seed('replaced', 3600);
    let n = 0;
    const refresh = async () => grant(`fresh-${++n}`, `rt-${n}`);
    const a = new SpotifyTokenStore({ pool: pool(), cipher, accountId: 'replaced', refresh });
    const b = new SpotifyTokenStore({ pool: pool(), cipher, accountId: 'replaced', refresh });
    const sentByA = await a.accessToken();
    await b.refresh(sentByA); // b's 401 for the same token: b stores fresh-1
    await a.invalidate('401 after a refresh', sentByA); // a's request for the old token fails late
    expect(await a.state()).toBe('authenticated');
    expect(await a.accessToken()).toBe('fresh-1');
    await a.invalidate('401 after a refresh', 'fresh-1');
    expect(await b.state()).toBe('reauth_required');
  });
});

describe('OAuthSessionStore', () => {
  it('a state is accepted once, only with its own session, and carries the PKCE verifier', async () => {
    const sessions = new OAuthSessionStore({ pool: pool(), cipher, table: 'spotify_sessions' });
    const login = await sessions.begin({ pkce: true });
    expect(login.codeChallenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const other = await sessions.begin({ pkce: true });
    expect(await sessions.consume(other.sessionId, login.state)).toBeUndefined();
    const consumed = await sessions.consume(login.sessionId, login.state);
    expect(consumed?.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await sessions.consume(login.sessionId, login.state)).toBeUndefined();
  });

  it('expires unused states', async () => {
    const sessions = new OAuthSessionStore({ pool: pool(), cipher, table: 'deezer_sessions', ttlMs: 100 });
    const login = await sessions.begin({ pkce: false });
    await sleep(150);
    expect(await sessions.consume(login.sessionId, login.state)).toBeUndefined();
  });
});

describe('DeezerTokenStore', () => {
  it('a new login replaces the previous token; a rejected token leaves the connector unauthenticated', async () => {
    const sessions = new OAuthSessionStore({ pool: pool(), cipher, table: 'deezer_sessions' });
    const store = new DeezerTokenStore({ pool: pool(), cipher });
    const first = await sessions.begin({ pkce: false });
    await store.save(first.sessionId, 'fr-first', 0);
    const second = await sessions.begin({ pkce: false });
    await store.save(second.sessionId, 'fr-second', 3600);
    const url = new URL('https://api.deezer.com/user/me/artists?access_token=stale');
    await new DeezerTokenStore({ pool: pool(), cipher }).apply(url, {});
    expect(url.searchParams.get('access_token')).toBe('fr-second');
    const { rows } = await pool().query('SELECT count(*)::int AS n FROM deezer_sessions WHERE access_token IS NOT NULL');
    expect(rows[0].n).toBe(1);
    await expect(store.refresh('fr-second')).rejects.toBeInstanceOf(ReauthRequired);
    expect(await store.state()).toBe('not_authenticated');
    await expect(store.apply(new URL('https://api.deezer.com/user/me'), {})).rejects.toBeInstanceOf(ReauthRequired);
  });

  it('a request rejected with the old token after a new login stored a fresh one forgets only the old one', async () => {
    const sessions = new OAuthSessionStore({ pool: pool(), cipher, table: 'deezer_sessions' });
    const syncing = new DeezerTokenStore({ pool: pool(), cipher });
    const callback = new DeezerTokenStore({ pool: pool(), cipher }); // the login callback, maybe another process
    const before = await sessions.begin({ pkce: false });
    await syncing.save(before.sessionId, 'fr-old', 3600);
    const sent = await syncing.apply(new URL('https://api.deezer.com/user/me/albums'), {});
    // While that request is out, the user logs in again; then the request comes back with code 300.
    const relogin = await sessions.begin({ pkce: false });
    await callback.save(relogin.sessionId, 'fr-new', 3600);
    await syncing.invalidate('code 300', sent);
    expect(await syncing.state()).toBe('authenticated');
    const url = new URL('https://api.deezer.com/user/me/albums');
    expect(await syncing.apply(url, {})).toBe('fr-new');
    // A 401 for the replaced token: retry with the new one instead of re-authorization.
    await expect(syncing.refresh(sent)).resolves.toBeUndefined();
    // The fresh token itself rejected: now it is forgotten.
    await expect(syncing.refresh('fr-new')).rejects.toBeInstanceOf(ReauthRequired);
    expect(await callback.state()).toBe('not_authenticated');
  });
});
