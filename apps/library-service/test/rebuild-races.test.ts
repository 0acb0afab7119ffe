import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@soulspot/observability';
import { startProjector } from '../src/projection';
import {
  createRebuildController,
  createSwitchableProjector,
  RebuildConflictError,
  type RebuildController,
  type RebuildControllerOptions,
  type SwitchableProjector,
} from '../src/rebuild';
import { createShadowSchema, dropSchema } from '../src/rebuild/schemas';
import { insertRebuild, latestRebuild } from '../src/rebuild/state';
import { startStack, waitUntilCaughtUp, type Stack } from './support/harness';
import { generateLibrary } from './support/library-generator';

// Two controllers on one database stand for two replicas of library-service (each with its own controller; the live
// projector is shared here, which only matters to the replica that pauses it).

const logger = createLogger('rebuild-races-test');
const PARTITIONS = 4;

let stack: Stack;
let live: SwitchableProjector;
let readPool: pg.Pool;

function newController(extra: Partial<RebuildControllerOptions> = {}): RebuildController {
  return createRebuildController({
    pool: readPool,
    databaseUrl: stack.db.url,
    brokers: stack.kafka.brokers,
    topic: stack.topic,
    dlqTopic: stack.dlqTopic,
    projection: 'library',
    live,
    logger,
    partitions: PARTITIONS,
    maxBytesPerPartition: 16 * 1024,
    sessionTimeoutMs: 6_000,
    catchUpLag: 100,
    pollMs: 50,
    ...extra,
  });
}

/**
 * The read pool, except that a dedicated connection (what the controller takes the rebuild lock on) is handed out
 * only once `open()` is called: lets a test put another replica's work between a controller's look at the rebuild
 * row and its lock. The database is the real one; only the order of events is chosen.
 */
function gatedPool(): { pool: pg.Pool; waiting: () => boolean; open: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let waiting = false;
  const pool = new Proxy(readPool, {
    get(target, property) {
      if (property === 'connect') {
        return async () => {
          waiting = true;
          await gate;
          return target.connect();
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { pool, waiting: () => waiting, open: release };
}

async function eventually(probe: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What a replica that died mid-replay leaves: an active blue/green rebuild row and its shadow, no lock holder. */
async function interruptedBlueGreen(): Promise<string> {
  const client = await readPool.connect();
  try {
    await client.query('begin');
    await dropSchema(client, 'projection_shadow');
    await createShadowSchema(client, 'projection_shadow');
    const record = await insertRebuild(client, {
      projection: 'library',
      mode: 'blue_green',
      consumerGroup: `library-service.library.rebuild-test-${Date.now()}`,
      targetOffsets: new Map(),
    });
    await client.query('commit');
    return record.id;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

const phaseOf = async () => (await latestRebuild(readPool, 'library'))?.phase;

beforeAll(async () => {
  stack = await startStack('library-events-rebuild-races', PARTITIONS);
  readPool = new pg.Pool({ connectionString: stack.db.url, max: 8 });
  readPool.on('error', (error) => logger.warn({ err: error.message }, 'idle read connection failed'));
  live = await createSwitchableProjector(() =>
    startProjector({
      databaseUrl: stack.db.url,
      brokers: stack.kafka.brokers,
      topic: stack.topic,
      dlqTopic: stack.dlqTopic,
      projection: 'library',
      groupId: 'library-service.live',
      partitions: PARTITIONS,
      maxBytesPerPartition: 16 * 1024,
      sessionTimeoutMs: 6_000,
      logger,
      yieldsToRebuild: true,
    }),
  );
  await stack.publish([...generateLibrary({ artists: 8, albumsPerArtist: 2, tracksPerAlbum: 3, overlap: 0.4, seed: 5, twists: true })]);
  await waitUntilCaughtUp(live);
}, 120_000);

afterAll(async () => {
  await live?.stop();
  await readPool?.end();
  await stack?.stop();
}, 60_000);

describe('two replicas on one database', () => {
  it('a replica that resumes an interrupted rebuild another replica has just cancelled leaves it cancelled', async () => {
    const id = await interruptedBlueGreen();
    const gated = gatedPool();
    const resuming = newController({ pool: gated.pool });
    const cancelling = newController();
    try {
      // replica A has read the rebuild row (active) and is about to take the lock...
      const resumed = resuming.resumeInterrupted();
      await eventually(() => gated.waiting());
      // ...when replica B cancels it: no process ran it, so B does the cancel itself
      expect((await cancelling.cancel()).phase).toBe('cancelled');
      gated.open();
      expect(await resumed).toBe(false);
      await resuming.settled();
      const record = await latestRebuild(readPool, 'library');
      expect(record?.id).toBe(id);
      expect(record?.phase).toBe('cancelled');
      expect(record?.error).toBeNull();
    } finally {
      gated.open();
      await resuming.close();
      await cancelling.close();
    }
  }, 120_000);

  it('a cancel that reads the rebuild active and gets the lock after another replica swapped is refused; the swap stays done', async () => {
    await interruptedBlueGreen();
    const gated = gatedPool();
    const cancelling = newController({ pool: gated.pool });
    const resuming = newController();
    try {
      // replica B has read the rebuild row (active) and is about to take the lock...
      const cancel = cancelling.cancel();
      cancel.catch(() => undefined);
      await eventually(() => gated.waiting());
      // ...while replica A resumes it and swaps
      expect(await resuming.resumeInterrupted()).toBe(true);
      await resuming.settled();
      expect(await phaseOf()).toBe('done');
      gated.open();
      await expect(cancel).rejects.toBeInstanceOf(RebuildConflictError);
      expect(await phaseOf()).toBe('done');
    } finally {
      gated.open();
      await cancelling.close();
      await resuming.close();
    }
    await waitUntilCaughtUp(live);
  }, 120_000);
});
