import { SnapshotKind } from '@soulspot/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeSpotify } from '@soulspot/provider-fakes';
import { connectorTesting } from '@soulspot/connector-kit';
import { type Infra, type Running, encryptionKey, startConnector, startFakeSpotify, startInfra } from './setup';

const { eventsOfRun, login, readAllEvents, startSync, summarize, syncToEnd } = connectorTesting;

/**
 * End to end against the fake Spotify (development-mode profile: stripped fields, 403 batch endpoints,
 * artist-albums cap 10), real PostgreSQL and the real broker: OAuth login through the HTTP endpoints, then
 * syncs whose events are read back from the topic and decoded.
 */
describe('spotify-connector end to end', () => {
  let infra: Infra;
  let fake: FakeSpotify;
  let running: Running;

  beforeAll(async () => {
    infra = await startInfra();
    fake = await startFakeSpotify({ seed: 7, artists: 300, albumsPerArtist: 1, tracksPerAlbum: 2, savedAlbums: 12 });
    running = await startConnector(infra, fake, encryptionKey());
  });

  afterAll(async () => {
    await running?.connector.close();
    await fake?.close();
    await infra?.stop();
  });

  it('without credentials: ready says "not authenticated", sync is refused and nothing is published', async () => {
    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not authenticated' });
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    const sync = await startSync(running.url);
    expect(sync.status).toBe(409);
    expect(await readAllEvents(infra.brokers)).toHaveLength(0);
    expect(fake.stats().total).toBe(0);
  });

  it('rejects a callback whose state does not belong to this browser (CSRF)', async () => {
    const start = await fetch(`${running.url}/auth/login`, { redirect: 'manual' });
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    // Same code and state, but without the login cookie (another browser) ...
    const foreign = await fetch(authorize.headers.get('location')!, { redirect: 'manual' });
    expect(foreign.status).toBe(400);
    // ... or with a forged state.
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0];
    const forged = new URL(authorize.headers.get('location')!);
    forged.searchParams.set('state', 'forged');
    expect((await fetch(forged, { headers: { cookie } })).status).toBe(400);
    expect((await fetch(`${running.url}/readyz`)).status).toBe(503);
  });

  it('logs in with PKCE through the HTTP endpoints and becomes ready', async () => {
    const callback = await login(running.url);
    expect(callback.status).toBe(200);
    expect(await callback.json()).toEqual({ status: 'authenticated', provider: 'spotify' });
    expect(await (await fetch(`${running.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  let firstRunEventIds: Set<string>;

  it('a 300-artist library arrives complete, ISRCs included, without a single violation', async () => {
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('succeeded');
    const expected = fake.library.expectedCounts();
    const run = eventsOfRun(await readAllEvents(infra.brokers), progress.runId);
    const summary = summarize(run);
    expect(summary.artists.size).toBe(300);
    expect(summary.albums.size).toBe(expected.albums);
    expect(summary.tracks.size).toBe(expected.tracks);
    expect(summary.tracksWithIsrc).toBe(expected.tracks);
    expect(new Set(summary.snapshots[SnapshotKind.SNAPSHOT_KIND_FOLLOWED_ARTISTS].providerIds)).toEqual(new Set(fake.library.followedArtistIds().map(String)));
    expect(summary.snapshots[SnapshotKind.SNAPSHOT_KIND_FOLLOWED_ARTISTS].complete).toBe(true);
    expect(new Set(summary.snapshots[SnapshotKind.SNAPSHOT_KIND_SAVED_ALBUMS].providerIds)).toEqual(new Set(fake.library.savedAlbumIds().map(String)));
    expect(run).toHaveLength(300 + expected.albums + expected.tracks + 2);
    expect(progress.eventsPublished).toBe(run.length);
    // Saved albums are flagged saved; each album id appears once.
    const savedFlags = run.filter((e) => e.envelope.payload?.$case === 'albumObserved' && e.envelope.payload.value.saved);
    expect(savedFlags).toHaveLength(fake.library.savedCount);
    // Development mode: batch /tracks answered 403 once, then one request per track.
    expect(fake.stats().byEndpoint['GET /v1/tracks']).toBe(1);
    expect(fake.stats().byEndpoint['GET /v1/tracks/{id}']).toBe(expected.tracks);
    expect(fake.violations()).toEqual([]);
    firstRunEventIds = new Set(run.map((e) => e.envelope.eventId));
  });

  it('a second run over unchanged data publishes events with the same ids', async () => {
    const progress = await syncToEnd(running.url, { force: true });
    expect(progress.status).toBe('succeeded');
    const run = eventsOfRun(await readAllEvents(infra.brokers), progress.runId);
    expect(new Set(run.map((e) => e.envelope.eventId))).toEqual(firstRunEventIds);
  });

  it('unfollowing an artist shows in the next FOLLOWED_ARTISTS snapshot', async () => {
    const gone = String(fake.library.followedArtistIds()[17]);
    fake.library.unfollowArtist(gone);
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('succeeded');
    const snapshot = summarize(eventsOfRun(await readAllEvents(infra.brokers), progress.runId)).snapshots[SnapshotKind.SNAPSHOT_KIND_FOLLOWED_ARTISTS];
    expect(snapshot.complete).toBe(true);
    expect(snapshot.providerIds).toHaveLength(299);
    expect(snapshot.providerIds).not.toContain(gone);
  });

  it('exposes metrics, and no token ever reaches the logs', async () => {
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toMatch(/soulspot_connector_http_requests_total\{provider="spotify",endpoint="tracks",status="200"\} \d+/);
    expect(metrics).toMatch(/soulspot_connector_sync_runs_total\{status="succeeded"\} 3/);
    const logs = running.logs.join('\n');
    expect(running.logs.length).toBeGreaterThan(5);
    expect(logs).not.toMatch(/BQ[A-Za-z0-9_-]{20,}|AQ[A-Za-z0-9_-]{20,}/);
    const access = await running.connector.tokens.accessToken();
    expect(logs).not.toContain(access);
  });
});
