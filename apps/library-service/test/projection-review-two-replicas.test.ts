import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@soulspot/observability';
import { startProjector, type Projector } from '../src/projection';
import { dumpLibrary, resetProjection } from './support/dump';
import { startStack, waitUntilCaughtUp, type Stack } from './support/harness';
import { generateLibrary } from './support/library-generator';

const logger = createLogger('projection-review-two-replicas', { level: 'warn' });

/*
 * The production overlay runs two replicas: two members of one consumer group, each projecting its partitions, their
 * transactions interleaving freely. Whatever the interleaving, the library must be the one a single projector makes.
 */
describe('two live replicas over the broker', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('library-events-two-replicas', 6);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const projector = (groupId: string): Promise<Projector> =>
    startProjector({
      databaseUrl: stack.db.url,
      brokers: stack.kafka.brokers,
      topic: stack.topic,
      dlqTopic: stack.dlqTopic,
      projection: 'library',
      groupId,
      // small fetches: many transactions, so the replicas' state and row transactions interleave often
      maxBytesPerPartition: 4 * 1024,
      sessionTimeoutMs: 10_000,
      logger,
    });

  it('project the same library as one projector', async () => {
    const events = [...generateLibrary({ artists: 60, albumsPerArtist: 2, tracksPerAlbum: 4, overlap: 0.6, seed: 23, twists: true })];
    await stack.publish(events);

    const single = await projector('one-replica');
    try {
      await waitUntilCaughtUp(single, 120_000);
    } finally {
      await single.stop();
    }
    const expected = await dumpLibrary(stack.sql);
    expect(expected.length).toBeGreaterThan(1000);

    for (let round = 0; round < 6; round++) {
      await resetProjection(stack.sql);
      const replicas = await Promise.all([projector(`two-replicas-${round}`), projector(`two-replicas-${round}`)]);
      try {
        for (const replica of replicas) await waitUntilCaughtUp(replica, 120_000);
        const pending = await stack.sql.query('select count(*)::int as n from projection_pending_rows');
        // (the last row work may still be in flight when the checkpoints read caught up: let it land)
        const deadline = Date.now() + 30_000;
        while ((await stack.sql.query('select count(*)::int as n from projection_pending_rows')).rows[0].n > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(pending.rows[0].n).toBeLessThanOrEqual(1);
        const status = await replicas[0].status();
        expect(status.openDeadLetters).toBe(0);
        expect(await dumpLibrary(stack.sql)).toBe(expected);
      } finally {
        await Promise.all(replicas.map((r) => r.stop()));
      }
    }
  }, 600_000);
});
