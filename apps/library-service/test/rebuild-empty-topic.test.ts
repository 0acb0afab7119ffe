import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@soulspot/observability';
import type { RebuildController, SwitchableProjector } from '../src/rebuild';
import { artistEvent, at } from './support/events';
import { startStack, waitUntilCaughtUp, type Stack } from './support/harness';
import { spotifyId } from './support/library-generator';
import { rebuildController, stackProjection, startLiveProjection } from './support/rebuild-fixture';

// A rebuild of a projection whose topic has no event yet (a new deployment), then one that has grown since.

const logger = createLogger('rebuild-empty-topic-test');
const PARTITIONS = 3;

let stack: Stack;
let live: SwitchableProjector;
let pool: pg.Pool;
let controller: RebuildController;
let shared: ReturnType<typeof stackProjection>;

beforeAll(async () => {
  stack = await startStack('library-events-rebuild-empty', PARTITIONS);
  pool = new pg.Pool({ connectionString: stack.db.url, max: 6 });
  pool.on('error', (error) => logger.warn({ err: error.message }, 'idle connection failed'));
  shared = stackProjection(stack, PARTITIONS, logger);
  live = await startLiveProjection(shared);
  controller = rebuildController(shared, { pool, live });
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
    const inPlace = rebuildController(shared, { pool, live }, { onReadiness: (serving) => readiness.push(serving) });
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
