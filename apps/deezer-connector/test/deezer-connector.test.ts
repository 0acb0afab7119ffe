import { connectorTesting } from '@soulspot/connector-kit';
import { SnapshotKind } from '@soulspot/contracts';
import { type FakeDeezer, startFakeDeezer } from '@soulspot/provider-fakes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_QUOTA, type Infra, type Running, startConnector, startInfra } from './setup';

const { encryptionKey, eventsOfRun, login, readAllEvents, startSync, summarize, syncToEnd } = connectorTesting;

/**
 * End to end against the fake Deezer, real PostgreSQL and the real broker: OAuth login through the HTTP endpoints,
 * then syncs whose events are read back from the topic and decoded.
 */
describe('deezer-connector end to end', () => {
  let infra: Infra;
  let fake: FakeDeezer;
  let running: Running;

  beforeAll(async () => {
    infra = await startInfra();
    fake = await startFakeDeezer({ seed: 11, artists: 300, albumsPerArtist: 1, tracksPerAlbum: 2, savedAlbums: 12, faults: { quota: FAST_QUOTA } });
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
    expect((await startSync(running.url)).status).toBe(409);
    expect(await readAllEvents(infra.brokers)).toHaveLength(0);
    expect(fake.stats().total).toBe(0);
  });

  it('logs in through the HTTP endpoints (state checked) and becomes ready', async () => {
    const callback = await login(running.url);
    expect(callback.status).toBe(200);
    expect(await callback.json()).toEqual({ status: 'authenticated', provider: 'deezer' });
    expect(await (await fetch(`${running.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  let firstRunEventIds: Set<string>;

  it('a 300-artist library arrives complete (UPC from /album, ISRC from the track list, ms durations) within the quota', async () => {
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('succeeded');
    const expected = fake.library.expectedCounts();
    const run = eventsOfRun(await readAllEvents(infra.brokers), progress.runId);
    const summary = summarize(run);
    expect(summary.artists.size).toBe(300);
    expect(summary.albums.size).toBe(expected.albums);
    expect(summary.tracks.size).toBe(expected.tracks);
    expect(summary.tracksWithIsrc).toBe(expected.tracks);
    expect(run).toHaveLength(300 + expected.albums + expected.tracks + 2);
    const albums = run.flatMap((e) => (e.envelope.payload?.$case === 'albumObserved' ? [e.envelope.payload.value.album!] : []));
    expect(albums.every((album) => /^\d{13}$/.test(album.upc))).toBe(true);
    const tracks = run.flatMap((e) => (e.envelope.payload?.$case === 'trackObserved' ? [e.envelope.payload.value.track!] : []));
    expect(tracks.every((track) => track.durationMs > 0 && track.durationMs % 1000 === 0)).toBe(true);
    const followed = summary.snapshots[SnapshotKind.SNAPSHOT_KIND_FOLLOWED_ARTISTS];
    expect(followed.complete).toBe(true);
    expect(new Set(followed.providerIds)).toEqual(new Set(fake.library.followedArtistIds().map(String)));
    expect(new Set(summary.snapshots[SnapshotKind.SNAPSHOT_KIND_SAVED_ALBUMS].providerIds)).toEqual(new Set(fake.library.savedAlbumIds().map(String)));
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
    const gone = String(fake.library.followedArtistIds()[42]);
    fake.library.unfollowArtist(gone);
    const progress = await syncToEnd(running.url);
    expect(progress.status).toBe('succeeded');
    const snapshot = summarize(eventsOfRun(await readAllEvents(infra.brokers), progress.runId)).snapshots[SnapshotKind.SNAPSHOT_KIND_FOLLOWED_ARTISTS];
    expect(snapshot.complete).toBe(true);
    expect(snapshot.providerIds).toHaveLength(299);
    expect(snapshot.providerIds).not.toContain(gone);
    expect(fake.violations()).toEqual([]);
  });

  it('no token ever reaches the logs (Deezer echoes it in `next` URLs)', async () => {
    const logs = running.logs.join('\n');
    expect(running.logs.length).toBeGreaterThan(5);
    expect(logs).not.toMatch(/fr[A-Za-z0-9_-]{20,}/);
    expect(logs).not.toMatch(/access_token=(?!REDACTED)/);
  });
});
