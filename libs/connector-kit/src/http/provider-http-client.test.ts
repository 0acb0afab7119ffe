import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Forbidden, NotFound, RateLimited, ReauthRequired, TransientFailure } from '../errors';
import { ProviderHttpClient, type ProviderHttpClientOptions, type RequestAuth } from './provider-http-client';
import { TokenBucket } from './token-bucket';

/** A real HTTP server answering from a script: one reply per request, then 200 {"ok":true}. */
type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'drop';
let server: Server;
let baseUrl: string;
let script: Reply[] = [];
let arrivals: Array<{ at: number; authorization?: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    arrivals.push({ at: Date.now(), authorization: req.headers.authorization });
    const reply = script.shift() ?? { status: 200, body: '{"ok":true}' };
    if (reply === 'drop') {
      req.socket.destroy();
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  script = [];
  arrivals = [];
});

function client(overrides: Partial<ProviderHttpClientOptions> = {}): ProviderHttpClient {
  return new ProviderHttpClient({
    provider: 'test',
    limiter: new TokenBucket({ capacity: 100, refillPerSecond: 1000 }),
    backoff: { baseMs: 5, capMs: 20 },
    maxAttempts: 4,
    retryAfterCapMs: 2_000,
    timeoutMs: 2_000,
    ...overrides,
  });
}

describe('ProviderHttpClient', () => {
  it('retries 5xx, dropped connections and malformed JSON, then returns the data', async () => {
    script = [{ status: 503, body: '<html>busy</html>' }, 'drop', { status: 200, body: '{"truncat' }];
    await expect(client().getJson(`${baseUrl}/a`)).resolves.toEqual({ ok: true });
    expect(arrivals).toHaveLength(4);
  });

  it('gives up with TransientFailure after maxAttempts', async () => {
    script = Array.from({ length: 10 }, () => ({ status: 500 }));
    await expect(client().getJson(`${baseUrl}/a`)).rejects.toBeInstanceOf(TransientFailure);
    expect(arrivals).toHaveLength(4);
  });

  it('never retries 404 / 403', async () => {
    script = [{ status: 404, body: '{"error":{"status":404,"message":"non existing id"}}' }];
    await expect(client().getJson(`${baseUrl}/a`)).rejects.toBeInstanceOf(NotFound);
    script = [{ status: 403, body: '{"error":{"status":403,"message":"Forbidden"}}' }];
    await expect(client().getJson(`${baseUrl}/b`)).rejects.toBeInstanceOf(Forbidden);
    expect(arrivals).toHaveLength(2);
  });

  it('sends nothing inside a window that opened while a request waited for its rate-limiter slot', async () => {
    // 2 tokens, one more every 250 ms: the third and fourth requests queue in the limiter while the first gets its 429
    script = [{ status: 429, headers: { 'retry-after': '1' }, body: '' }];
    const http = client({ limiter: new TokenBucket({ capacity: 2, refillPerSecond: 4 }), retryAfterCapMs: 5_000 });
    await Promise.all(['a', 'b', 'c', 'd'].map((path) => http.getJson(`${baseUrl}/${path}`)));
    const limited = arrivals[0];
    const insideWindow = arrivals.slice(1).filter((a) => a.at > limited.at + 5 && a.at - limited.at < 990);
    // (the second request may have been sent before the 429 came back; none may start after it inside the window)
    expect(insideWindow.length).toBeLessThanOrEqual(1);
    expect(arrivals).toHaveLength(5);
  });

  it('honours Retry-After for every request: nothing is sent inside the window', async () => {
    script = [{ status: 429, headers: { 'retry-after': '1' }, body: '' }];
    const http = client();
    const first = http.getJson(`${baseUrl}/a`);
    // A concurrent request issued after the 429 arrived must wait for the window too.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = http.getJson(`${baseUrl}/b`);
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
    const [limited, ...rest] = arrivals;
    expect(rest).toHaveLength(2);
    for (const later of rest) expect(later.at - limited.at).toBeGreaterThanOrEqual(990);
  });

  it('stops fast with a resumable RateLimited when Retry-After is beyond the cap', async () => {
    script = [{ status: 429, headers: { 'retry-after': '3600' }, body: '{"error":{"status":429,"message":"API rate limit exceeded"}}' }];
    const http = client();
    const started = Date.now();
    const error = (await http.getJson(`${baseUrl}/a`).catch((e) => e)) as RateLimited;
    expect(error).toBeInstanceOf(RateLimited);
    expect(error.resumable).toBe(true);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.resumeAt.getTime()).toBeGreaterThan(started + 3_590_000);
    // Later calls fail without touching the provider.
    await expect(http.getJson(`${baseUrl}/b`)).rejects.toBeInstanceOf(RateLimited);
    expect(arrivals).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('backs off when a 429 has no Retry-After', async () => {
    script = [{ status: 429 }, { status: 429 }];
    await expect(client().getJson(`${baseUrl}/a`)).resolves.toEqual({ ok: true });
    expect(arrivals).toHaveLength(3);
  });

  it('backs off when Retry-After is 0 instead of sending again at once', async () => {
    script = [
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 429, headers: { 'retry-after': '0' } },
    ];
    await expect(client({ backoff: { baseMs: 100, capMs: 100 }, random: () => 1 }).getJson(`${baseUrl}/a`)).resolves.toEqual({ ok: true });
    expect(arrivals).toHaveLength(3);
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i].at - arrivals[i - 1].at).toBeGreaterThanOrEqual(90);
  });

  it('refreshes once on 401 with the rejected token, then retries with the new one', async () => {
    let current = 'old-token';
    const refreshedWith: string[] = [];
    const auth: RequestAuth = {
      apply: async (_url, headers) => {
        headers.authorization = `Bearer ${current}`;
        return current;
      },
      refresh: async (rejected) => {
        refreshedWith.push(rejected);
        current = 'new-token';
      },
      invalidate: async () => undefined,
    };
    script = [{ status: 401, body: '{"error":{"status":401,"message":"The access token expired"}}' }];
    await expect(client({ auth }).getJson(`${baseUrl}/a`)).resolves.toEqual({ ok: true });
    expect(refreshedWith).toEqual(['old-token']);
    expect(arrivals.map((a) => a.authorization)).toEqual(['Bearer old-token', 'Bearer new-token']);
  });

  it('a second 401 after refreshing means re-auth: the token that was rejected is invalidated, no loop', async () => {
    let current = 'old-token';
    const invalidated: Array<[string, string]> = [];
    const auth: RequestAuth = {
      apply: async () => current,
      refresh: async () => {
        current = 'refreshed-token';
      },
      invalidate: async (reason, failedToken) => {
        invalidated.push([reason, failedToken]);
      },
    };
    script = [{ status: 401 }, { status: 401 }, { status: 401 }];
    await expect(client({ auth }).getJson(`${baseUrl}/a`)).rejects.toBeInstanceOf(ReauthRequired);
    expect(invalidated).toEqual([[expect.any(String), 'refreshed-token']]);
    expect(arrivals).toHaveLength(2);
  });

  it('a provider answer meaning re-auth (e.g. Deezer code 300) invalidates the token that request used', async () => {
    const invalidated: string[] = [];
    const auth: RequestAuth = {
      apply: async () => 'token-of-this-request',
      refresh: async () => undefined,
      invalidate: async (_reason, failedToken) => {
        invalidated.push(failedToken);
      },
    };
    const interpret = () => ({ kind: 'fail' as const, error: new ReauthRequired('test', 'code 300') });
    script = [{ status: 200, body: '{"error":{"code":300}}' }];
    await expect(client({ auth, interpret }).getJson(`${baseUrl}/a`)).rejects.toBeInstanceOf(ReauthRequired);
    expect(invalidated).toEqual(['token-of-this-request']);
  });
});
