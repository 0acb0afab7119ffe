import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@soulspot/observability';
import { startProjector } from '../src/projection';
import { createRebuildController, createSwitchableProjector, type RebuildController, type SwitchableProjector } from '../src/rebuild';
import { artistEvent, at } from './support/events';
import { startStack, waitUntilCaughtUp, type Stack } from './support/harness';
import { spotifyId } from './support/library-generator';

// A rebuild of a projection whose topic has no event yet (a new deployment), then one that has grown since.

const logger = createLogger('rebuild-empty-topic-test');
const PARTITIONS = 3;

let stack: Stack;
let live: SwitchableProjector;
let pool: pg.Pool;
let controller: RebuildController;

beforeAll(async () => {
  stack = await startStack('library-events-rebuild-empty', PARTITIONS);
  pool = new pg.Pool({ connectionString: stack.db.url, max: 6 });
  pool.on('error', (error) => logger.warn({ err: error.message }, 'idle connection failed'));
  const options = {
    databaseUrl: stack.db.url,
    brokers: stack.kafka.brokers,
    topic: stack.topic,
    dlqTopic: stack.dlqTopic,
    projection: 'library',
    partitions: PARTITIONS,
    sessionTimeoutMs: 6_000,
    logger,
  };
  live = await createSwitchableProjector(() => startProjector({ ...options, groupId: 'library-service.live', yieldsToRebuild: true }));
  controller = createRebuildController({ ...options, pool, live, catchUpLag: 100, pollMs: 50 });
}, 120_000);

afterAll(async () => {
  await controller?.close();
  await live?.stop();
  await pool?.end();
  await stack?.stop();
}, 60_000);

const artists = async () => Number((await pool.query('select count(*) from soulspot_artists')).rows[0].count);

describe('rebuild of an empty topic', () => {
  it('blue/green and in-place both complete at once, and a later rebuild of the grown topic has everything', async () => {
    const started = await controller.start('blue_green');
    expect(started.partitions.map((p) => p.target)).toEqual([0, 0, 0]);
    await controller.settled();
    expect((await controller.status()).phase).toBe('done');

    const readiness: boolean[] = [];
    const inPlace = createRebuildController({
      pool,
      databaseUrl: stack.db.url,
      brokers: stack.kafka.brokers,
      topic: stack.topic,
      dlqTopic: stack.dlqTopic,
      projection: 'library',
      live,
      logger,
      partitions: PARTITIONS,
      sessionTimeoutMs: 6_000,
      pollMs: 50,
      onReadiness: (serving) => readiness.push(serving),
    });
    try {
      await inPlace.start('in_place');
      await inPlace.settled();
      expect((await inPlace.status()).phase).toBe('done');
      expect(readiness).toEqual([false, true]);
    } finally {
      await inPlace.close();
    }

    await stack.publish(Array.from({ length: 9 }, (_, i) => artistEvent('spotify', spotifyId('empty', i), `Late Artist ${i}`, { at: at(100 + i) })));
    await waitUntilCaughtUp(live);
    expect(await artists()).toBe(9);
    await controller.start('blue_green');
    await controller.settled();
    expect((await controller.status()).phase).toBe('done');
    await waitUntilCaughtUp(live);
    expect(await artists()).toBe(9);
  }, 120_000);
});
