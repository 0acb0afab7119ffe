import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@soulspot/observability';
import { startLiveProjectorInWorker, startProjector, type LiveProjectorOptions } from '../src/projection';
import { dumpLibrary, libraryCounts, resetProjection } from './support/dump';
import { SERVICE_ENTRY, startStack, waitUntilCaughtUp, type Stack } from './support/harness';
import { generateLibrary } from './support/library-generator';

const logger = createLogger('live-worker-test');

describe('the live projector in its own worker thread', () => {
  let stack: Stack;
  let options: LiveProjectorOptions;
  beforeAll(async () => {
    stack = await startStack('library-events-live-worker', 4);
    options = {
      databaseUrl: stack.db.url,
      brokers: stack.kafka.brokers,
      topic: stack.topic,
      dlqTopic: stack.dlqTopic,
      projection: 'library',
      maxBytesPerPartition: 16 * 1024,
    };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('projects exactly what the same projector does in this thread; status and stop reach it across the thread', async () => {
    const events = [...generateLibrary({ artists: 20, albumsPerArtist: 2, tracksPerAlbum: 3, overlap: 0.4, seed: 5, twists: true })];
    await stack.publish(events);

    const inWorker = await startLiveProjectorInWorker({ ...options, groupId: 'live-worker' }, SERVICE_ENTRY, logger);
    await waitUntilCaughtUp(inWorker);
    expect((await inWorker.status()).eventsApplied).toBe(events.length);
    await inWorker.stop();
    // the thread is gone: nothing answers any more
    await expect(inWorker.status()).rejects.toThrow(/live projector worker exited/);
    const fromWorker = await dumpLibrary(stack.sql);
    expect((await libraryCounts(stack.sql)).hybrid).toBeGreaterThan(0);

    await resetProjection(stack.sql);
    const here = await startProjector({ ...options, groupId: 'live-here', logger });
    await waitUntilCaughtUp(here);
    await here.stop();
    expect(await dumpLibrary(stack.sql)).toBe(fromWorker);
  }, 120_000);

  it('a projector that cannot start reports why, as a start-up error and not as an unexpected exit', async () => {
    const unreachable = new URL(stack.db.url);
    unreachable.port = '1'; // nothing listens there
    let exited = false;
    const start = startLiveProjectorInWorker({ ...options, databaseUrl: unreachable.toString(), groupId: 'live-broken' }, SERVICE_ENTRY, logger, {
      onUnexpectedExit: () => (exited = true),
    });
    await expect(start).rejects.toThrow(/projector failed to start: .*ECONNREFUSED/);
    // a failed start is the caller's error, not an unexpected exit
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(exited).toBe(false);
  }, 60_000);
});
