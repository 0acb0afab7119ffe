/**
 * Helpers for connector integration tests and benchmarks (exported as `connectorTesting`): the browser side of the
 * OAuth login, POST /sync + polling, reading the event topic back and summarizing a run's events. They talk HTTP
 * and Kafka like any client would; nothing here fakes the database or the broker.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { DEFAULT_PARTITIONS, type EventEnvelope, LIBRARY_EVENTS_TOPIC, decodeEnvelope } from '@soulspot/contracts';
import { createKafka, ensureTopics, topicEndOffsets } from '@soulspot/messaging';
import { createLogger } from '@soulspot/observability';
import type { RunProgress } from '../sync/run-progress';

/** Logger whose JSON lines are kept in memory, so tests can scan them for leaked secrets. */
export function capturedLogger(name: string): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(name, { destination, level: 'debug' }), lines };
}

export const encryptionKey = () => randomBytes(32).toString('base64');

/** Follows the browser part of an OAuth login: /auth/login -> provider authorize -> /auth/callback with the cookie. */
export async function login(connectorUrl: string): Promise<Response> {
  const start = await fetch(`${connectorUrl}/auth/login`, { redirect: 'manual' });
  if (start.status !== 302) throw new Error(`/auth/login answered ${start.status}: ${await start.text()}`);
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0];
  const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  if (authorize.status !== 302) throw new Error(`authorize answered ${authorize.status}: ${await authorize.text()}`);
  return fetch(authorize.headers.get('location')!, { headers: { cookie }, redirect: 'manual' });
}

export async function startSync(connectorUrl: string, body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${connectorUrl}/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** POST /sync, then polls GET /sync/{runId} until the run is no longer running. */
export async function syncToEnd(connectorUrl: string, body: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<RunProgress> {
  const started = await startSync(connectorUrl, body);
  if (started.status !== 202) throw new Error(`POST /sync answered ${started.status}: ${await started.text()}`);
  const { runId } = (await started.json()) as { runId: string };
  return waitForRun(connectorUrl, runId, timeoutMs);
}

export async function waitForRun(connectorUrl: string, runId: string, timeoutMs = 60_000): Promise<RunProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = (await (await fetch(`${connectorUrl}/sync/${runId}`)).json()) as RunProgress;
    if (progress.status !== 'running') return progress;
    if (Date.now() > deadline) throw new Error(`run ${runId} still running after ${timeoutMs} ms: ${JSON.stringify(progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads and decodes every event on the library topic (from offset 0 up to the current end). */
export async function readAllEvents(brokers: string[]): Promise<Array<{ key: string; envelope: EventEnvelope }>> {
  const kafka = createKafka({ brokers, clientId: 'test-reader', logger: createLogger('test-reader', { level: 'error' }) });
  await ensureTopics(kafka, [{ topic: LIBRARY_EVENTS_TOPIC, numPartitions: DEFAULT_PARTITIONS }]);
  const ends = await topicEndOffsets(kafka, LIBRARY_EVENTS_TOPIC);
  const expected = [...ends.values()].reduce((sum, end) => sum + Number(end), 0);
  const events: Array<{ key: string; envelope: EventEnvelope }> = [];
  if (expected === 0) return events;
  const consumer = kafka.consumer({ groupId: `test-reader-${randomBytes(6).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: LIBRARY_EVENTS_TOPIC, fromBeginning: true });
    let resolveDone: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        events.push({ key: message.key!.toString(), envelope: decodeEnvelope(message.value) });
        if (events.length >= expected) resolveDone();
      },
    });
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`read ${events.length}/${expected} events`)), 30_000))]);
  } finally {
    await consumer.disconnect();
  }
  return events;
}

export function eventsOfRun(events: Array<{ key: string; envelope: EventEnvelope }>, runId: string) {
  return events.filter((e) => e.envelope.correlationId === runId);
}

/** Counts per payload type, the snapshots, and the album -> track-count map of a run's events. */
export function summarize(events: Array<{ key: string; envelope: EventEnvelope }>) {
  const artists = new Set<string>();
  const albums = new Set<string>();
  const tracks = new Set<string>();
  const tracksPerAlbum = new Map<string, number>();
  const snapshots: Record<string, { providerIds: string[]; complete: boolean }> = {};
  const tracksWithIsrc = new Set<string>();
  for (const { envelope } of events) {
    const payload = envelope.payload!;
    switch (payload.$case) {
      case 'artistObserved':
        artists.add(payload.value.artist!.providerId);
        break;
      case 'albumObserved':
        albums.add(payload.value.album!.providerId);
        break;
      case 'trackObserved': {
        const track = payload.value.track!;
        tracks.add(track.providerId);
        if (track.isrc) tracksWithIsrc.add(track.providerId);
        tracksPerAlbum.set(track.album!.providerId, (tracksPerAlbum.get(track.album!.providerId) ?? 0) + 1);
        break;
      }
      case 'librarySnapshot':
        snapshots[payload.value.kind] = { providerIds: payload.value.providerIds, complete: payload.value.complete };
        break;
    }
  }
  return { artists, albums, tracks, tracksPerAlbum, snapshots, tracksWithIsrc: tracksWithIsrc.size };
}
