import { connectorTesting } from '@soulspot/connector-kit';
import { type EventEnvelope, SnapshotKind } from '@soulspot/contracts';
import { type FakeDeezer, type FakeDeezerOptions, startFakeDeezer } from '@soulspot/provider-fakes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAST_QUOTA, type Infra, type Running, startConnector, startInfra } from './setup';

const { encryptionKey, eventsOfRun, login, readAllEvents, startSync, summarize, syncToEnd, waitForRun } = connectorTesting;

const LIBRARY = { seed: 5, artists: 20, albumsPerArtist: 2, tracksPerAlbum: 3, savedAlbums: 4 };

/**
 * The fault suite against the fake Deezer: errors inside HTTP-200 bodies (4 quota, 300 invalid token, 800 no data,
 * 700 busy), 5xx, malformed JSON and the 50 requests / 5 s quota. Nothing lost, nothing half-published, no
 * violation recorded by the fake, no token in the logs.
 */
describe('deezer-connector under provider faults', () => {
  let infra: Infra;
  const key = encryptionKey();
  const allLogs: string[][] = [];
  const open: Array<{ close(): Promise<void> }> = [];
  let fake: FakeDeezer;

  beforeAll(async () => {
    infra = await startInfra();
  });

  afterEach(async () => {
    while (open.length > 0) await open.pop()!.close();
  });

  afterAll(async () => {
    await infra?.stop();
  });

  async function setUp(options: FakeDeezerOptions = {}, env: Record<string, string> = {}): Promise<Running> {
    fake = await startFakeDeezer({ ...LIBRARY, faults: { quota: FAST_QUOTA }, ...options });
    open.push(fake);
    const running = await startConnector(infra, fake, key, env);
    open.push(running.connector);
    allLogs.push(running.logs);
    expect((await login(running.url)).status).toBe(200);
    return running;
  }

  async function runEvents(runId: string): Promise<Array<{ key: string; envelope: EventEnvelope }>> {
    return eventsOfRun(await readAllEvents(infra.brokers), runId);
  }

  function expectNothingHalfPublished(events: Array<{ key: string; envelope: EventEnvelope }>, tracksPerAlbum: number): void {
    const summary = summarize(events);
    for (const album of summary.albums) expect(summary.tracksPerAlbum.get(album)).toBe(tracksPerAlbum);
    for (const album of summary.tracksPerAlbum.keys()) expect(summary.albums.has(album)).toBe(true);
  }

  it('5% 5xx, 3% quota errors (code 4), 1% busy (700), 2% malformed JSON: nothing lost, no violation', async () => {
    const running = await setUp();
    fake.setFaults({
      serverErrors: { rate: 0.05 },
      malformedJson: { rate: 0.02 },
      errors: [
        { code: 4, rate: 0.03 },
        { code: 700, rate: 0.01 },
      ],
    });
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('succeeded');
    const injected = fake.stats().injected;
    expect(injected.serverErrors).toBeGreaterThan(0);
    expect(injected['deezer-error-4']).toBeGreaterThan(0);
    const expected = fake.library.expectedCounts();
    const summary = summarize(await runEvents(progress.runId));
    expect(summary.albums.size).toBe(expected.albums);
    expect(summary.tracks.size).toBe(expected.tracks);
    expect(summary.tracksWithIsrc).toBe(expected.tracks);
    expect(fake.violations()).toEqual([]);
  });

  it("stays under Deezer's real quota of 50 requests per 5 s", async () => {
    const running = await setUp(
      { artists: 20, albumsPerArtist: 1, tracksPerAlbum: 1, savedAlbums: 0, faults: { quota: { maxRequests: 50, windowMs: 5_000, key: 'token' } } },
      { DEEZER_RATE_LIMIT: '50/5s' },
    );
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('succeeded');
    expect(fake.stats().total).toBeGreaterThan(60);
    expect(fake.stats().injected['deezer-quota']).toBeUndefined();
    expect(fake.violations()).toEqual([]);
    expect(summarize(await runEvents(progress.runId)).albums.size).toBe(20);
  }, 30_000);

  it('code 800 on one album: that album is skipped and reported, every other album arrives', async () => {
    const running = await setUp();
    const missing = String(fake.library.idOf('album', 7));
    fake.setFaults({ errors: { code: 800, rate: 1, paths: [`/album/${missing}`] } });
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('completed_with_errors');
    expect(progress.errors).toEqual([expect.objectContaining({ code: 'not_found', entity: `album:${missing}` })]);
    const events = await runEvents(progress.runId);
    const summary = summarize(events);
    expect(summary.albums.has(missing)).toBe(false);
    expect(summary.albums.size).toBe(fake.library.expectedCounts().albums - 1);
    expectNothingHalfPublished(events, LIBRARY.tracksPerAlbum);
    expect(fake.violations()).toEqual([]);
  });

  it('an error given as a bare string inside HTTP 200 is an error: the album is skipped and reported, not published as data', async () => {
    const running = await setUp();
    const failing = String(fake.library.idOf('album', 7));
    fake.setFaults({ errors: { code: 0, stringError: true, message: 'Something went wrong', rate: 1, paths: [`/album/${failing}`] } });
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('completed_with_errors');
    expect(progress.errors).toEqual([expect.objectContaining({ code: 'provider_error', entity: `album:${failing}` })]);
    const events = await runEvents(progress.runId);
    const summary = summarize(events);
    expect(summary.albums.has(failing)).toBe(false);
    expect(summary.albums.size).toBe(fake.library.expectedCounts().albums - 1);
    expect([...summary.albums].every((id) => /^\d+$/.test(id))).toBe(true);
    expectNothingHalfPublished(events, LIBRARY.tracksPerAlbum);
    expect(fake.violations()).toEqual([]);
  });

  it('code 300 mid-run (token expired/revoked): re-auth required, the token is never used again', async () => {
    const running = await setUp();
    const { runId } = (await (await startSync(running.url)).json()) as { runId: string };
    while (fake.stats().total < 40) await new Promise((resolve) => setTimeout(resolve, 5));
    fake.expireAccessTokens();
    const progress = await waitForRun(running.url, runId);
    expect(progress.status).toBe('reauth_required');
    expectNothingHalfPublished(await runEvents(runId), LIBRARY.tracksPerAlbum);
    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not authenticated' });
    expect((await startSync(running.url)).status).toBe(409);
    // Nothing uses the dead token after the grace period: the fake would record 'expired-token'.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(fake.violations()).toEqual([]);
    expect((await login(running.url)).status).toBe(200);
    expect((await syncToEnd(running.url)).status).toBe('succeeded');
  });

  it('a page whose items are all unavailable (empty, with a next) does not end the followed-artists listing', async () => {
    const hidden = [5, 6, 7, 8, 9];
    const running = await setUp({ faults: { quota: FAST_QUOTA, unavailableItems: { positions: hidden, endpoints: ['GET /user/me/artists'] } } }, { DEEZER_PAGE_LIMIT: '5' });
    const progress = await syncToEnd(running.url);
    expect(progress.status, JSON.stringify(progress.errors)).toBe('succeeded');
    const listed = fake.library.followedArtistIds().map(String).filter((_, position) => !hidden.includes(position));
    const summary = summarize(await runEvents(progress.runId));
    const snapshot = summary.snapshots[SnapshotKind.SNAPSHOT_KIND_FOLLOWED_ARTISTS];
    // A complete snapshot that stopped at the empty page would unfollow every artist after it.
    expect(snapshot.complete).toBe(true);
    expect(snapshot.providerIds).toEqual(listed);
    expect(summary.artists).toEqual(new Set(listed));
    expect(fake.violations()).toEqual([]);
  });

  it("an empty page in an album's track list does not cut the album's tracks short", async () => {
    // One track per page, the second track of every album unavailable: its page is empty, the third track follows.
    const running = await setUp({ faults: { quota: FAST_QUOTA, unavailableItems: { positions: [1], endpoints: ['GET /album/{id}/tracks'] } } }, { DEEZER_PAGE_LIMIT: '1' });
    const progress = await syncToEnd(running.url);
    expect(progress.status, JSON.stringify(progress.errors)).toBe('succeeded');
    const events = await runEvents(progress.runId);
    const summary = summarize(events);
    expect(summary.albums.size).toBe(fake.library.expectedCounts().albums);
    expectNothingHalfPublished(events, LIBRARY.tracksPerAlbum - 1);
    expect(fake.violations()).toEqual([]);
  });

  it('short pages on every list lose nothing', async () => {
    // 1 item a page where 3 were asked for: every list (followed artists, saved albums, artist albums, tracks) runs over several pages
    const running = await setUp({ faults: { quota: FAST_QUOTA, shortPages: { rate: 1, keep: 0.34 } } }, { DEEZER_PAGE_LIMIT: '3' });
    const progress = await syncToEnd(running.url);
    expect(progress.status, JSON.stringify(progress.errors)).toBe('succeeded');
    const events = await runEvents(progress.runId);
    const expected = fake.library.expectedCounts();
    const summary = summarize(events);
    expect(summary.artists.size).toBe(expected.followedArtists);
    expect(summary.albums.size).toBe(expected.albums);
    expect(summary.tracks.size).toBe(expected.tracks);
    expectNothingHalfPublished(events, LIBRARY.tracksPerAlbum);
    expect(new Set(summary.snapshots[SnapshotKind.SNAPSHOT_KIND_SAVED_ALBUMS].providerIds)).toEqual(new Set(fake.library.savedAlbumIds().map(String)));
    expect(fake.stats().byEndpoint['GET /user/me/artists']).toBe(LIBRARY.artists);
    expect(fake.violations()).toEqual([]);
  });

  it('an expiring token (no offline_access) is not used past its `expires`: re-authorization required, nothing sent', async () => {
    const running = await setUp({ faults: { quota: FAST_QUOTA, accessTokenTtlSeconds: 1, strictExpiry: true } }, { DEEZER_PERMS: 'basic_access' });
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not authenticated: re-authorization required' });
    expect((await startSync(running.url)).status).toBe(409);
    expect(fake.stats().byEndpoint['GET /user/me/artists']).toBeUndefined();
    expect(fake.violations()).toEqual([]);
  });

  it('a login the user denies (error_reason=user_denied) stores nothing and says why', async () => {
    fake = await startFakeDeezer({ ...LIBRARY, faults: { quota: FAST_QUOTA, authorizeDenied: true } });
    open.push(fake);
    const running = await startConnector(infra, fake, key);
    open.push(running.connector);
    const callback = await login(running.url);
    expect(callback.status).toBe(400);
    expect(await callback.json()).toEqual({ error: 'authorization denied: user_denied' });
    expect(fake.stats().byEndpoint['GET /oauth/access_token.php']).toBeUndefined();
  });

  it('never writes a token to the logs', async () => {
    const logs = allLogs.flat().join('\n');
    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).not.toMatch(/fr[A-Za-z0-9_-]{20,}/);
    expect(logs).not.toMatch(/access_token=(?!REDACTED)/);
  });
});
