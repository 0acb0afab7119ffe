import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSpotify, type FakeSpotify, type FakeSpotifyOptions } from '../src/index';
import { spotifyGet, spotifyLogin, tokenRequest } from './helpers';

describe('fake Spotify fault switches', () => {
  let fake: FakeSpotify;
  let token: string;
  let clock = 1_800_000_000_000;
  const start = async (options: FakeSpotifyOptions = {}) => {
    clock = 1_800_000_000_000;
    fake = await startFakeSpotify({ artists: 40, now: () => clock, ...options });
    token = (await spotifyLogin(fake)).access_token;
  };
  const get = (path = '/me/following?type=artist') => spotifyGet(fake, path, token);
  afterEach(async () => fake?.close());

  it('rateLimited: 429 + Retry-After + JSON body, for exactly `times` requests', async () => {
    await start();
    fake.setFaults({ rateLimited: { times: 2, retryAfterSeconds: 3 } });
    const first = await get();
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.body).toEqual({ error: { status: 429, message: 'API rate limit exceeded' } });
    clock += 3000;
    expect((await get()).status).toBe(429);
    clock += 3000;
    expect((await get()).status).toBe(200);
    expect(fake.stats().injected.rateLimited).toBe(2);
    expect(fake.violations()).toEqual([]);
  });

  it('rateLimited variants: no Retry-After header, empty body, huge value, HTTP-date', async () => {
    await start();
    fake.setFaults({ rateLimited: { times: 1, retryAfterSeconds: null, body: 'empty' } });
    const bare = await get();
    expect(bare.status).toBe(429);
    expect(bare.headers.get('retry-after')).toBeNull();
    expect(bare.text).toBe('');
    expect(bare.headers.get('content-length')).toBe('0');
    // No window announced: an immediate retry is not a violation.
    expect((await get()).status).toBe(200);

    fake.setFaults({ rateLimited: { times: 1, retryAfterSeconds: 3600 } });
    expect((await get()).headers.get('retry-after')).toBe('3600');
    // clearFaults() also forgets the announced window (the access token would expire before it ends).
    fake.clearFaults();
    fake.setFaults({ rateLimited: { times: 1, retryAfterSeconds: 2, retryAfterFormat: 'http-date' } });
    const dated = await get();
    expect(dated.headers.get('retry-after')).toBe(new Date(clock + 2000).toUTCString());
    expect(fake.violations()).toEqual([]);
  });

  it('an HTTP-date Retry-After names the second the window ends: a request at that second is not a violation', async () => {
    await start({ inFlightGraceMs: 200 });
    clock += 700; // not on a whole second: the date cannot say .700
    fake.setFaults({ rateLimited: { times: 1, retryAfterSeconds: 2, retryAfterFormat: 'http-date' } });
    const limited = await get();
    const end = Date.parse(limited.headers.get('retry-after')!);
    expect(end).toBe(1_800_000_003_000);
    clock = end - 1;
    expect((await get()).status).toBe(429);
    expect(fake.violations()).toHaveLength(1);
    clock = end;
    expect((await get()).status).toBe(200);
    expect(fake.violations()).toHaveLength(1);
  });

  it('a request inside an announced Retry-After window is answered 429 and recorded as a violation', async () => {
    await start({ inFlightGraceMs: 200 });
    fake.setFaults({ rateLimited: { times: 1, retryAfterSeconds: 5 } });
    expect((await get()).status).toBe(429);
    clock += 100; // in flight when the 429 went out: tolerated
    expect((await get()).status).toBe(429);
    expect(fake.violations()).toEqual([]);
    clock += 1900;
    const early = await get('/me/albums');
    expect(early.status).toBe(429);
    expect(early.headers.get('retry-after')).toBe('3');
    expect(fake.violations()).toMatchObject([{ kind: 'retry-after', endpoint: 'GET /v1/me/albums' }]);
    clock += 3000;
    expect((await get()).status).toBe(200);
    expect(fake.violations()).toHaveLength(1);
  });

  it('quotaExceeded: 429 with reason QUOTA_EXCEEDED and no Retry-After by default', async () => {
    await start();
    fake.setFaults({ quotaExceeded: { rate: 1 } });
    for (let i = 0; i < 3; i++) {
      const reply = await get();
      expect(reply.status).toBe(429);
      expect(reply.headers.get('retry-after')).toBeNull();
      expect(reply.body).toEqual({ error: { status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' } });
    }
    fake.setFaults({ quotaExceeded: null });
    expect((await get()).status).toBe(200);
  });

  it('serverErrors: a burst of exactly N 5xx in json, html or empty style, optionally on one endpoint only', async () => {
    await start();
    fake.setFaults({ serverErrors: { times: 3 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get()).status);
    expect(statuses).toEqual([503, 503, 503, 200]);
    fake.setFaults({ serverErrors: { times: 1, status: 502, body: 'html' } });
    const html = await get();
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toContain('text/html');
    fake.setFaults({ serverErrors: { times: 1, status: 500, body: 'empty' } });
    expect((await get()).text).toBe('');
    fake.setFaults({ serverErrors: { rate: 1, endpoints: ['GET /v1/me/albums'] } });
    expect((await get()).status).toBe(200);
    expect((await get('/me/albums')).status).toBe(503);
  });

  it('the token endpoint fails only when listed explicitly', async () => {
    await start();
    const tokens = await spotifyLogin(fake);
    fake.setFaults({ serverErrors: { times: 1, body: 'html', endpoints: ['POST /api/token'] } });
    const refresh = () => tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: fake.clientId }).catch(() => null);
    const failed = await fetch(`${fake.accountsUrl}/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: fake.clientId }),
    });
    expect(failed.status).toBe(503);
    expect((await refresh())!.status).toBe(200);
  });

  it('malformedJson: HTTP 200 with a body that does not parse', async () => {
    await start();
    fake.setFaults({ malformedJson: { times: 1 } });
    const reply = await get();
    expect(reply.status).toBe(200);
    expect(() => JSON.parse(reply.text)).toThrow();
    expect((await get()).status).toBe(200);
  });

  it('random fault rates are seeded: the same request sequence gets the same faults', async () => {
    const run = async () => {
      await start({ seed: 99 });
      fake.setFaults({ rateLimited: { rate: 0.05, retryAfterSeconds: null }, serverErrors: { rate: 0.05 } });
      const statuses: number[] = [];
      for (let i = 0; i < 150; i++) statuses.push((await get()).status);
      await fake.close();
      return statuses;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    const faults = a.filter((s) => s !== 200).length;
    expect(faults).toBeGreaterThan(3);
    expect(faults).toBeLessThan(35);
    expect(a).toContain(429);
    expect(a).toContain(503);
  });

  it('shortPages: fewer items than limit, next continues after the last item, nothing lost', async () => {
    await start();
    fake.setFaults({ shortPages: { rate: 1, keep: 0.3 } });
    const ids: string[] = [];
    let next: string | null = '/me/following?type=artist&limit=10';
    let pages = 0;
    while (next) {
      const page: { items: { id: string }[]; next: string | null } = (await get(next)).body.artists;
      expect(page.items.length).toBeLessThanOrEqual(3);
      ids.push(...page.items.map((a) => a.id));
      next = page.next;
      pages++;
    }
    expect(ids).toEqual(fake.library.followedArtistIds());
    expect(pages).toBe(Math.ceil(40 / 3));
  });

  it('rateLimit: a rolling window per client id trips with Retry-After until a slot frees up', async () => {
    await start();
    fake.setFaults({ rateLimit: { maxRequests: 5, windowMs: 30_000 } });
    for (let i = 0; i < 5; i++) {
      expect((await get()).status).toBe(200);
      clock += 1000;
    }
    const limited = await get();
    expect(limited.status).toBe(429);
    // Rejected requests count too (hammering prolongs the limit): the window holds 0s..5s, so the
    // sixth request fits once the two oldest (0s, 1s) have left it, at 31s.
    expect(limited.headers.get('retry-after')).toBe('26');
    clock += 25_000;
    // A client that comes back too early is still limited, and that is recorded.
    expect((await get()).status).toBe(429);
    expect(fake.violations()).toMatchObject([{ kind: 'retry-after' }]);
    clock += 1000;
    expect((await get()).status).toBe(200);
    expect(fake.stats().injected).toEqual({ rateLimit: 1, 'retry-after-window': 1 });
  });

  it('counts requests per endpoint and status', async () => {
    await start();
    fake.resetStats();
    await get();
    await get();
    await get(`/albums/${fake.library.idOf('album', 0)}`);
    await get('/nope');
    const stats = fake.stats();
    expect(stats.total).toBe(4);
    expect(stats.byEndpoint).toEqual({ 'GET /v1/me/following': 2, 'GET /v1/albums/{id}': 1, 'GET (unknown)': 1 });
    expect(stats.byStatus).toEqual({ '200': 3, '404': 1 });
  });
});
