import { TokenCipher, connectorTesting } from '@soulspot/connector-kit';
import { type EventEnvelope, SnapshotKind } from '@soulspot/contracts';
import { type FakeSpotify, type FakeSpotifyOptions, startFakeSpotify } from '@soulspot/provider-fakes';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Infra, type Running, startConnector, startInfra } from './setup';

const { encryptionKey, eventsOfRun, login, readAllEvents, startSync, summarize, syncToEnd, waitForRun } = connectorTesting;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const LIBRARY = { seed: 3, artists: 20, albumsPerArtist: 2, tracksPerAlbum: 3, savedAlbums: 4 };

/**
 * The fault suite: the fake Spotify misbehaves the way the real one does (provider-apis.md §7.5) and the
 * connector must lose nothing, half-publish nothing, never provoke a violation, and never log a token.
 */
describe('spotify-connector under provider faults', () => {
  let infra: Infra;
  const key = encryptionKey();
  const allLogs: string[][] = [];
  const open: Array<{ close(): Promise<void> }> = [];
  let fake: FakeSpotify;

  beforeAll(async () => {
    infra = await startInfra();
  });

  afterEach(async () => {
    while (open.length > 0) await open.pop()!.close();
    // A test that made the provider close its back-off window (quota, long Retry-After) must not block the next one.
    await openBackOffWindow();
  });

  afterAll(async () => {
    await infra?.stop();
  });

  async function connect(env: Record<string, string> = {}, options: { login?: boolean } = {}): Promise<Running> {
    const running = await startConnector(infra, fake, key, env);
    open.push(running.connector);
    allLogs.push(running.logs);
    if (options.login ?? true) expect((await login(running.url)).status).toBe(200);
    return running;
  }

  async function newFake(options: FakeSpotifyOptions = LIBRARY): Promise<FakeSpotify> {
    fake = await startFakeSpotify(options);
    open.push(fake);
    return fake;
  }

  /** Ends a persisted back-off window, as if its time had passed. */
  async function openBackOffWindow(): Promise<void> {
    const db = new pg.Client({ connectionString: infra.databaseUrl });
    await db.connect();
    await db.query(`UPDATE provider_sync_status SET next_sync_allowed_at = now() WHERE provider = 'spotify' AND entity_type = 'rate_limit'`);
    await db.end();
  }

  async function until(condition: () => boolean, timeoutMs = 8_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  async function runEvents(runId: string): Promise<Array<{ key: string; envelope: EventEnvelope }>> {
    return eventsOfRun(await readAllEvents(infra.brokers), runId);
  }

  /** Every album published comes with all of its tracks, and no track comes without its album. */
  function expectNothingHalfPublished(events: Array<{ key: string; envelope: EventEnvelope }>, tracksPerAlbum = LIBRARY.tracksPerAlbum): void {
    const summary = summarize(events);
    for (const album of summary.albums) expect(summary.tracksPerAlbum.get(album)).toBe(tracksPerAlbum);
    for (const album of summary.tracksPerAlbum.keys()) expect(summary.albums.has(album)).toBe(true);
  }

  function expectComplete(events: Array<{ key: string; envelope: EventEnvelope }>): void {
    const expected = fake.library.expectedCounts();
    const summary = summarize(events);
    expect(summary.artists.size).toBe(expected.followedArtists);
    expect(summary.albums.size).toBe(expected.albums);
    expect(summary.tracks.size).toBe(expected.tracks);
    expect(summary.tracksWithIsrc).toBe(expected.tracks);
  }

  it('5% random 429s (no Retry-After), 5% 5xx and 2% malformed JSON: nothing lost, no violation', async () => {
    await newFake();
    const running = await connect();
    fake.setFaults({ rateLimited: { rate: 0.05, retryAfterSeconds: null, body: 'empty' }, serverErrors: { rate: 0.05, body: 'html' }, malformedJson: { rate: 0.02 } });
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('succeeded');
    const injected = fake.stats().injected;
    expect(injected.rateLimited).toBeGreaterThan(0);
    expect(injected.serverErrors).toBeGreaterThan(0);
    expect(injected.malformedJson).toBeGreaterThan(0);
    expectComplete(await runEvents(progress.runId));
    expect(fake.violations()).toEqual([]);
  });

  it('one album that fails every retry (5xx for that id only) is skipped and reported; the rest of the run goes on', async () => {
    await newFake();
    const running = await connect();
    const failing = String(fake.library.idOf('album', 7));
    fake.setFaults({ serverErrors: { rate: 1, paths: [`/v1/albums/${failing}`, `/v1/albums/${failing}/tracks`] } });
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('completed_with_errors');
    expect(progress.errors).toEqual([expect.objectContaining({ code: 'transient_failure', entity: `album:${failing}` })]);
    const events = await runEvents(progress.runId);
    const summary = summarize(events);
    expect(summary.albums.has(failing)).toBe(false);
    expect(summary.albums.size).toBe(fake.library.expectedCounts().albums - 1);
    expectNothingHalfPublished(events);
    expect(fake.violations()).toEqual([]);
  });

  it.each([403, 404] as const)('batch endpoint removed with %i: one probe, then one request per track; nothing lost', async (status) => {
    await newFake();
    fake.setFaults({ batchEndpointsForbidden: true, batchEndpointsRemovedStatus: status });
    const running = await connect();
    const progress = await syncToEnd(running.url);
    expect(progress.status, JSON.stringify(progress.errors)).toBe('succeeded');
    expectComplete(await runEvents(progress.runId));
    expect(fake.stats().byEndpoint['GET /v1/tracks']).toBe(1);
    expect(fake.stats().byEndpoint['GET /v1/tracks/{id}']).toBe(fake.library.expectedCounts().tracks);
    expect(fake.violations()).toEqual([]);
  });

  it('honours Retry-After for every concurrent request: no request lands inside the window', async () => {
    await newFake();
    const running = await connect();
    fake.setFaults({ rateLimited: { times: 2, retryAfterSeconds: 1, endpoints: ['GET /v1/tracks/{id}'] } });
    const started = Date.now();
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('succeeded');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(fake.stats().injected.rateLimited).toBe(2);
    expectComplete(await runEvents(progress.runId));
    expect(fake.violations()).toEqual([]);
  });

  it('honours a Retry-After given as an HTTP-date: nothing lands inside the window', async () => {
    await newFake();
    // One request at a time: no other in-flight 429 (in whole seconds, rounded up) stretches the pause past the date.
    const running = await connect({ SPOTIFY_CONCURRENCY: '1' });
    fake.setFaults({ rateLimited: { times: 1, retryAfterSeconds: 3, retryAfterFormat: 'http-date', endpoints: ['GET /v1/tracks/{id}'] } });
    const started = Date.now();
    const progress = await syncToEnd(running.url, { force: true });
    expect(progress.status, JSON.stringify(progress.errors)).toBe('succeeded');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expectComplete(await runEvents(progress.runId));
    expect(fake.violations()).toEqual([]);
  });

  it('an access token that expires mid-run is refreshed once and the run completes', async () => {
    await newFake();
    const running = await connect();
    const started = await startSync(running.url);
    const { runId } = (await started.json()) as { runId: string };
    while (fake.stats().total < 60) await new Promise((resolve) => setTimeout(resolve, 5));
    fake.expireAccessTokens();
    const progress = await waitForRun(running.url, runId);
    expect(progress.status).toBe('succeeded');
    expect(fake.stats().refreshes).toBe(1);
    expectComplete(await runEvents(runId));
    expect(fake.violations()).toEqual([]);
  });

  it('two concurrent syncs in two connector instances refresh a rotating refresh token exactly once', async () => {
    await newFake();
    fake.setFaults({ refreshTokenRotation: 'rotate-invalidate' });
    const first = await connect();
    // A second instance on the same database (another process in production): it shares only the token row.
    const second = await connect({}, { login: false });
    fake.expireAccessTokens();
    const [a, b] = await Promise.all([syncToEnd(first.url, { force: true }), syncToEnd(second.url, { force: true })]);
    // (the errors in the message: a failure here is timing-dependent, so say what it was)
    expect(a.status, JSON.stringify(a.errors)).toBe('succeeded');
    expect(b.status, JSON.stringify(b.errors)).toBe('succeeded');
    expect(fake.stats().refreshes).toBe(1);
    expect(fake.violations()).toEqual([]);
    const events = await readAllEvents(infra.brokers);
    expectComplete([...eventsOfRun(events, a.runId), ...eventsOfRun(events, b.runId)]);
  });

  it('invalid_grant: re-authorization required, no retry loop, nothing published afterwards', async () => {
    await newFake();
    const running = await connect();
    fake.setFaults({ invalidGrant: true });
    fake.expireAccessTokens();
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('reauth_required');
    expect(progress.resumable).toBe(false);
    expect(fake.stats().byEndpoint['POST /api/token']).toBe(2); // the login exchange + one refresh attempt
    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not authenticated: re-authorization required' });
    expect((await startSync(running.url)).status).toBe(409);
    expect(fake.violations()).toEqual([]);
    // A new login makes the connector usable again.
    fake.clearFaults();
    expect((await login(running.url)).status).toBe(200);
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
  });

  it('QUOTA_EXCEEDED stops the run (no waiting), with nothing half-published', async () => {
    await newFake();
    const running = await connect();
    fake.setFaults({ quotaExceeded: { times: 1, endpoints: ['GET /v1/tracks/{id}'] } });
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('quota_exceeded');
    expect(progress.resumable).toBe(true);
    expectNothingHalfPublished(await runEvents(progress.runId));
    expect(fake.violations()).toEqual([]);
  });

  it('QUOTA_EXCEEDED without Retry-After holds back the scheduled runs after it, manual and forced ones, and a restarted process', async () => {
    await newFake();
    fake.setFaults({ quotaExceeded: { times: 1, endpoints: ['GET /v1/tracks/{id}'] } });
    const running = await connect({ SYNC_INTERVAL_SECONDS: '1' });
    // The scheduler's first run meets the quota error.
    await until(() => fake.stats().injected.quotaExceeded === 1 && running.connector.runner.activeRuns === 0);
    const stoppedAt = Date.now();
    // Requests the run sent before the quota error came back (it loads several tracks at once) can still reach the
    // fake after the run has stopped: count from when nothing more arrives.
    let requestsBefore = fake.stats().total;
    for (;;) {
      await sleep(300);
      if (fake.stats().total === requestsBefore) break;
      requestsBefore = fake.stats().total;
    }
    // Two more scheduler ticks: neither may reach the provider (the quota would be hit again).
    await sleep(2_300);
    expect(fake.stats().total).toBe(requestsBefore);
    const skipped = running.logs.filter((line) => line.includes('scheduled sync skipped'));
    expect(skipped).toHaveLength(1); // said once per window, not once per tick
    expect(skipped[0]).toContain('QUOTA_EXCEEDED');
    const resumeAt = Date.parse(JSON.parse(skipped[0]).until);
    // QUOTA_BACKOFF_SECONDS (default one hour) from when the quota error arrived
    expect(resumeAt).toBeGreaterThan(stoppedAt + 3_590_000);
    expect(resumeAt).toBeLessThan(stoppedAt + 3_610_000);

    const refused = await startSync(running.url, { force: true });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3_500);
    // Persisted: another process (or this one after a restart) stays away too.
    await open.splice(open.indexOf(running.connector), 1)[0].close();
    const restarted = await connect({}, { login: false });
    expect((await startSync(restarted.url)).status).toBe(429);
    expect(fake.stats().total).toBe(requestsBefore);
    expect(fake.violations()).toEqual([]);
  });

  it("QUOTA_EXCEEDED with a Retry-After: later runs wait exactly the provider's window, then sync normally", async () => {
    await newFake();
    const running = await connect();
    fake.setFaults({ quotaExceeded: { times: 1, retryAfterSeconds: 2, endpoints: ['GET /v1/tracks/{id}'] } });
    const stopped = await syncToEnd(running.url);
    expect(stopped.status).toBe('quota_exceeded');
    const resumeAt = Date.parse(stopped.resumeAt!);
    expect(resumeAt - Date.parse(stopped.finishedAt!)).toBeGreaterThan(500);
    expect(resumeAt - Date.parse(stopped.finishedAt!)).toBeLessThanOrEqual(2_000);
    const refused = await startSync(running.url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(2);
    await sleep(resumeAt - Date.now() + 50);
    const resumed = await syncToEnd(running.url);
    expect(resumed.status).toBe('succeeded');
    expect(fake.violations()).toEqual([]);
  });

  it('Retry-After of one hour stops the run fast and resumably; the next run picks up where it stopped', async () => {
    await newFake();
    const cooldowns = { SYNC_ALBUM_COOLDOWN_SECONDS: '3600', SYNC_ARTIST_ALBUMS_COOLDOWN_SECONDS: '3600' };
    const running = await connect(cooldowns);
    // Let the listings and some albums through, then the provider asks for an hour.
    const started = Date.now();
    const { runId } = (await (await startSync(running.url)).json()) as { runId: string };
    while ((fake.stats().byEndpoint['GET /v1/tracks/{id}'] ?? 0) < 50) await new Promise((resolve) => setTimeout(resolve, 5));
    fake.setFaults({ rateLimited: { times: 1, retryAfterSeconds: 3600 } });
    const stopped = await waitForRun(running.url, runId);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stopped.status).toBe('rate_limited');
    expect(stopped.resumable).toBe(true);
    expect(Date.parse(stopped.resumeAt!)).toBeGreaterThan(Date.now() + 3_500_000);
    const firstEvents = await runEvents(stopped.runId);
    expectNothingHalfPublished(firstEvents);

    // Inside the window nothing reaches the provider, even after a restart (the window is persisted).
    const requestsBefore = fake.stats().total;
    const refused = await startSync(running.url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect(fake.stats().total).toBe(requestsBefore);
    expect(fake.violations()).toEqual([]);

    // An hour later (simulated: the provider's window and our persisted gate are over), a new process resumes.
    await open.splice(open.indexOf(running.connector), 1)[0].close();
    fake.clearFaults();
    const db = new pg.Client({ connectionString: infra.databaseUrl });
    await db.connect();
    await db.query(`UPDATE provider_sync_status SET next_sync_allowed_at = now() WHERE provider = 'spotify' AND entity_type = 'rate_limit'`);
    await db.end();
    const resumed = await connect(cooldowns, { login: false });
    const finished = await syncToEnd(resumed.url);
    expect(finished.status).toBe('succeeded');
    expect(finished.skippedByCooldown).toBeGreaterThan(0);
    const secondEvents = await runEvents(finished.runId);
    expectNothingHalfPublished(secondEvents);
    expectComplete([...firstEvents, ...secondEvents]);
    expect(fake.violations()).toEqual([]);
  });

  // The tests below sync with force: an earlier test left album cooldowns of an hour in the shared database.

  /** Albums longer than the 50 tracks an album embeds: their track lists and ISRC lookups take more than one request. */
  const LONG_ALBUMS = { seed: 4, artists: 6, albumsPerArtist: 2, tracksPerAlbum: 55, savedAlbums: 2 };

  it('short pages on every list (cursor and offset paging, embedded track pages continued) lose nothing', async () => {
    await newFake(LONG_ALBUMS);
    // 2 items a page where 50 were asked for (1 of the 10 artist albums)
    fake.setFaults({ shortPages: { rate: 1, keep: 0.05 } });
    const running = await connect();
    const progress = await syncToEnd(running.url, { force: true });
    expect(progress.status, JSON.stringify(progress.errors)).toBe('succeeded');
    const events = await runEvents(progress.runId);
    expectComplete(events);
    expectNothingHalfPublished(events, LONG_ALBUMS.tracksPerAlbum);
    const { byEndpoint, injected } = fake.stats();
    expect(injected.shortPages).toBeGreaterThan(0);
    expect(byEndpoint['GET /v1/me/following']).toBe(3);
    expect(byEndpoint['GET /v1/me/albums']).toBe(1);
    expect(byEndpoint['GET /v1/artists/{id}/albums']).toBe(6 * 2);
    // the 5 tracks after an album's embedded 50, two at a time
    expect(byEndpoint['GET /v1/albums/{id}/tracks']).toBe(3 * fake.library.expectedCounts().albums);
    expect(fake.violations()).toEqual([]);
  });

  it('an extended-quota app: ISRCs from the batch endpoint in groups of at most 50, no per-track requests', async () => {
    await newFake({ ...LONG_ALBUMS, devMode: false });
    const running = await connect();
    const progress = await syncToEnd(running.url, { force: true });
    expect(progress.status, JSON.stringify(progress.errors)).toBe('succeeded');
    const events = await runEvents(progress.runId);
    expectComplete(events);
    expectNothingHalfPublished(events, LONG_ALBUMS.tracksPerAlbum);
    const { byEndpoint, byStatus } = fake.stats();
    // 55 tracks an album: one batch of 50 and one of 5 (the fake answers 400 above 50 ids).
    expect(byEndpoint['GET /v1/tracks']).toBe(2 * fake.library.expectedCounts().albums);
    expect(byEndpoint['GET /v1/tracks/{id}']).toBeUndefined();
    expect(byStatus[400]).toBeUndefined();
    expect(fake.violations()).toEqual([]);
  });

  it("an artist-albums page size above the app's cap (400 Invalid limit) falls back to 10", async () => {
    await newFake();
    const running = await connect({ SPOTIFY_ARTIST_ALBUMS_LIMIT: '50' });
    const progress = await syncToEnd(running.url, { force: true });
    expect(progress.status, JSON.stringify(progress.errors)).toBe('succeeded');
    expectComplete(await runEvents(progress.runId));
    expect(fake.stats().byStatus[400]).toBeGreaterThan(0);
    expect(fake.violations()).toEqual([]);
  });

  it('a PKCE public client (no client secret) logs in and refreshes with client_id alone', async () => {
    await newFake();
    const running = await connect({ SPOTIFY_CLIENT_SECRET: '' });
    fake.expireAccessTokens();
    const progress = await syncToEnd(running.url, { force: true });
    expect(progress.status, JSON.stringify(progress.errors)).toBe('succeeded');
    expect(fake.stats().refreshes).toBe(1);
    expectComplete(await runEvents(progress.runId));
    expect(fake.violations()).toEqual([]);
  });

  it('a refresh reply without a refresh token keeps the old one: later refreshes still work', async () => {
    await newFake();
    fake.setFaults({ refreshTokenRotation: 'omit' });
    const running = await connect();
    for (let round = 1; round <= 2; round++) {
      fake.expireAccessTokens();
      const progress = await syncToEnd(running.url, { force: true });
      expect(progress.status, JSON.stringify(progress.errors)).toBe('succeeded');
      expect(fake.stats().refreshes).toBe(round);
    }
    expect(fake.violations()).toEqual([]);
  });

  it('a token endpoint answering 503 (HTML) during a refresh is retried; the run completes', async () => {
    await newFake();
    const running = await connect();
    fake.setFaults({ serverErrors: { times: 2, body: 'html', endpoints: ['POST /api/token'] } });
    fake.expireAccessTokens();
    const progress = await syncToEnd(running.url, { force: true });
    expect(progress.status, JSON.stringify(progress.errors)).toBe('succeeded');
    expect(fake.stats().injected.serverErrors).toBe(2);
    expect(fake.stats().refreshes).toBe(1);
    expectComplete(await runEvents(progress.runId));
    expect(fake.violations()).toEqual([]);
  });

  it('the user revoked the app (401 on the API, invalid_grant on refresh): re-authorization required, no loop', async () => {
    await newFake();
    const running = await connect();
    fake.revokeTokens();
    const progress = await syncToEnd(running.url, { force: true });
    expect(progress.status).toBe('reauth_required');
    expect(progress.resumable).toBe(false);
    expect(fake.stats().byEndpoint['POST /api/token']).toBe(2); // the login exchange + one refresh attempt
    expect((await startSync(running.url)).status).toBe(409);
    expect(fake.violations()).toEqual([]);
    // A new login makes the connector usable again.
    expect((await login(running.url)).status).toBe(200);
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
  });

  it('a taken-down saved album (name "") is still published, saved and listed, with a blank title', async () => {
    await newFake();
    const album = String(fake.library.savedAlbumIds()[0]);
    fake.setFaults({ takenDownAlbums: [album] });
    const running = await connect();
    const progress = await syncToEnd(running.url, { force: true });
    expect(progress.status, JSON.stringify(progress.errors)).toBe('succeeded');
    const events = await runEvents(progress.runId);
    expectComplete(events);
    const observed = events.flatMap(({ envelope }) => (envelope.payload?.$case === 'albumObserved' ? [envelope.payload.value] : []));
    expect(observed.find((o) => o.album!.providerId === album)).toMatchObject({ saved: true, album: { title: '' } });
    expect(summarize(events).snapshots[SnapshotKind.SNAPSHOT_KIND_SAVED_ALBUMS].providerIds).toContain(album);
    expect(fake.violations()).toEqual([]);
  });

  it('a login the user cancels (error=access_denied) stores nothing and says why', async () => {
    await newFake();
    fake.setFaults({ authorizeDenied: true });
    const running = await connect({}, { login: false });
    const callback = await login(running.url);
    expect(callback.status).toBe(400);
    expect(await callback.json()).toEqual({ error: 'authorization denied: access_denied' });
    expect(fake.stats().byEndpoint['POST /api/token']).toBeUndefined();
  });

  it('never writes a token to the logs', async () => {
    const logs = allLogs.flat().join('\n');
    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).toContain('access token refreshed');
    expect(logs).not.toMatch(/BQ[A-Za-z0-9_-]{20,}|AQ[A-Za-z0-9_-]{20,}/);
    const db = new pg.Client({ connectionString: infra.databaseUrl });
    await db.connect();
    const { rows } = await db.query('SELECT access_token, refresh_token FROM spotify_tokens');
    await db.end();
    const cipher = new TokenCipher(key);
    for (const row of rows) {
      expect(row.access_token).toMatch(/^v1\./);
      expect(logs).not.toContain(cipher.decrypt(row.access_token, 'spotify_tokens.access_token:default'));
      expect(logs).not.toContain(cipher.decrypt(row.refresh_token, 'spotify_tokens.refresh_token:default'));
    }
  });
});
