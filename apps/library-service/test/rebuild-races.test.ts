import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@soulspot/observability';
import { lockProjection } from '../src/projection/sql';
import {
  RebuildConflictError,
  REBUILD_LOCK,
  type RebuildController,
  type RebuildControllerOptions,
  type SwitchableProjector,
} from '../src/rebuild';
import { createShadowSchema, dropSchema, setAutovacuum, tablesWithAutovacuumOff } from '../src/rebuild/schemas';
import { insertRebuild, latestRebuild } from '../src/rebuild/state';
import { startStack, waitUntilCaughtUp, type Stack } from './support/harness';
import { generateLibrary } from './support/library-generator';
import { eventually } from './support/eventually';
import { rebuildController, stackProjection, startLiveProjection } from './support/rebuild-fixture';

// Two controllers on one database stand for two replicas of library-service (each with its own controller; the live
// projector is shared here, which only matters to the replica that pauses it).

const logger = createLogger('rebuild-races-test');
const PARTITIONS = 4;

let stack: Stack;
let live: SwitchableProjector;
let readPool: pg.Pool;

function newController(extra: Partial<RebuildControllerOptions> = {}): RebuildController {
  return rebuildController(stackProjection(stack, PARTITIONS, logger), { pool: readPool, live }, { maxBytesPerPartition: 16 * 1024, ...extra });
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
  live = await startLiveProjection(stackProjection(stack, PARTITIONS, logger), {
    // small transactions: an in-place replay lasts long enough to be held before it reaches its target
    maxBytesPerPartition: 4 * 1024,
    maxEventsPerTransaction: 10,
  });
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

/** Ends the session holding the rebuild lock, as a failover or an idle-session timeout would. */
async function terminateLockHolder(): Promise<void> {
  const { rows } = await readPool.query<{ ok: boolean }>(
    `select pg_terminate_backend(pid) as ok from pg_locks where locktype = 'advisory' and objid = $1 and granted`,
    [REBUILD_LOCK],
  );
  expect(rows.map((r) => r.ok)).toEqual([true]);
}

describe('readiness of the read API around an in-place rebuild', () => {
  it('a failed in-place rebuild still gets readiness back when a blue/green rebuild is started after it', async () => {
    await waitUntilCaughtUp(live);
    const readiness: boolean[] = [];
    const controller = newController({ onReadiness: (serving) => readiness.push(serving) });
    try {
      await controller.start('in_place');
      // held before it can catch up, so the rebuild is still waiting when its lock goes
      await live.pause();
      await terminateLockHolder();
      await controller.settled();
      expect((await controller.status()).phase).toBe('failed');
      expect(readiness).toEqual([false]);
      // the operator's next step: a blue/green rebuild (its swap brings a complete library, the live projector resumes)
      await controller.start('blue_green');
      await controller.settled();
      expect((await controller.status()).phase).toBe('done');
      await eventually(() => readiness.length >= 2);
      expect(readiness).toEqual([false, true]);
    } finally {
      await controller.close();
      await live.resume().catch(() => undefined);
    }
    await waitUntilCaughtUp(live);
  }, 120_000);

  it('a replica that does not run an in-place rebuild is NOT_SERVING too until the replay has caught up', async () => {
    await waitUntilCaughtUp(live);
    const runnerReadiness: boolean[] = [];
    const replicaReadiness: boolean[] = [];
    const runner = newController({ onReadiness: (serving) => runnerReadiness.push(serving) });
    const replica = newController({ onReadiness: (serving) => replicaReadiness.push(serving) });
    try {
      await runner.start('in_place');
      await live.pause();
      // the replica's periodic check (main.ts: at start-up and every 15 s) sees the rebuild another process runs
      expect(await replica.resumeInterrupted()).toBe(false);
      expect((await replica.status()).phase).toBe('replaying');
      expect(replicaReadiness).toEqual([false]);
      // asked again, it changes nothing
      expect(await replica.resumeInterrupted()).toBe(false);
      await live.resume();
      await runner.settled();
      expect((await runner.status()).phase).toBe('done');
      expect(runnerReadiness).toEqual([false, true]);
      await eventually(() => replicaReadiness.length >= 2);
      expect(replicaReadiness).toEqual([false, true]);
    } finally {
      await live.resume().catch(() => undefined);
      await runner.close();
      await replica.close();
    }
    await waitUntilCaughtUp(live);
  }, 120_000);
});

describe('ids across a failed in-place rebuild', () => {
  it('the ids only the truncated tables resolved still redirect once the replay catches up, even when the failed run is gone', async () => {
    await waitUntilCaughtUp(live);
    // an id the replay never derives (one of an earlier version of the rules), kept as a redirect by the live tables
    const { rows } = await readPool.query<{ id: string }>('select id from soulspot_tracks order by id limit 1');
    const target = rows[0].id;
    const formerId = '00000000-0000-5000-8000-00000000f00d';
    await readPool.query(`insert into projection_id_redirects (entity_type, old_id, new_id) values ('track', $1, $2)`, [formerId, target]);
    const redirect = async () =>
      (await readPool.query<{ new_id: string }>(`select new_id from projection_id_redirects where entity_type = 'track' and old_id = $1`, [formerId])).rows[0]?.new_id;

    const failing = newController();
    const replica = newController();
    try {
      await failing.start('in_place');
      await live.pause();
      // another replica's periodic check sees it running (and leaves the carry-over to the process running it)
      expect(await replica.resumeInterrupted()).toBe(false);
      await terminateLockHolder();
      await failing.settled();
      expect((await failing.status()).phase).toBe('failed');
      // the process that ran it ends before the replay (the live projector's) has caught up
      await failing.close();
      // the replica's next check
      expect(await replica.resumeInterrupted()).toBe(false);
      await live.resume();
      await eventually(async () => (await redirect()) === target);
      await eventually(async () => (await readPool.query(`select 1 from pg_namespace where nspname = 'projection_carry'`)).rowCount === 0);
    } finally {
      await live.resume().catch(() => undefined);
      await failing.close();
      await replica.close();
    }
    await waitUntilCaughtUp(live);
  }, 120_000);
});

describe('ids across a failed in-place rebuild, followed by another', () => {
  it('a second in-place rebuild started before the failed one caught up carries the ids of both truncations over', async () => {
    await waitUntilCaughtUp(live);
    const { rows } = await readPool.query<{ id: string }>('select id from soulspot_albums order by id limit 1');
    const target = rows[0].id;
    const formerId = '00000000-0000-5000-8000-00000000beef';
    await readPool.query(`insert into projection_id_redirects (entity_type, old_id, new_id) values ('album', $1, $2)`, [formerId, target]);
    const controller = newController();
    try {
      await controller.start('in_place');
      await live.pause();
      await terminateLockHolder();
      await controller.settled();
      expect((await controller.status()).phase).toBe('failed');
      // the operator starts over at once (the live tables hold only part of the replay, not the injected redirect)
      await controller.start('in_place');
      await controller.settled();
      expect((await controller.status()).phase).toBe('done');
      const { rows: redirects } = await readPool.query<{ new_id: string }>(
        `select new_id from projection_id_redirects where entity_type = 'album' and old_id = $1`,
        [formerId],
      );
      expect(redirects.map((r) => r.new_id)).toEqual([target]);
      expect((await readPool.query(`select 1 from pg_namespace where nspname = 'projection_carry'`)).rowCount).toBe(0);
    } finally {
      await live.resume().catch(() => undefined);
      await controller.close();
    }
    await waitUntilCaughtUp(live);
  }, 120_000);
});

describe('tables whose shape a migration changed', () => {
  const columnExists = async (schema: string, table: string, column: string) =>
    (await readPool.query('select 1 from information_schema.columns where table_schema = $1 and table_name = $2 and column_name = $3', [schema, table, column]))
      .rowCount === 1;

  it('a migration that adds a column while a blue/green rebuild replays fails the rebuild instead of swapping in tables without it', async () => {
    await waitUntilCaughtUp(live);
    const controller = newController();
    // the projection writer lock keeps the swap (and the replay) from getting ahead of the migration; the live
    // projector is held so that nothing else waits for that lock while holding the table the migration alters
    await live.pause();
    const migration = await readPool.connect();
    let migrated = false;
    try {
      await migration.query('begin');
      await lockProjection(migration, 'writer');
      await controller.start('blue_green');
      // a newer release's migration, run by a rolling update while the shadow (copied from the old shape) replays
      await migration.query('alter table soulspot_artists add column test_added_during_rebuild text');
      await migration.query('commit');
      migrated = true;
      migration.release();
      await controller.settled();
      const status = await controller.status();
      expect(status.phase).toBe('failed');
      expect(status.error).toContain('test_added_during_rebuild');
      expect(await columnExists('public', 'soulspot_artists', 'test_added_during_rebuild')).toBe(true);
    } finally {
      if (!migrated) {
        await migration.query('rollback').catch(() => undefined);
        migration.release();
      }
      await controller.close();
      await live.resume();
      await readPool.query('alter table soulspot_artists drop column if exists test_added_during_rebuild');
    }
    await waitUntilCaughtUp(live);
  }, 120_000);

  it('a rollback to tables from before a later migration is refused; the live tables keep their shape', async () => {
    await waitUntilCaughtUp(live);
    const controller = newController();
    try {
      await controller.start('blue_green');
      await controller.settled();
      expect((await controller.status()).phase).toBe('done');
      // a migration after the swap reaches the live tables only; the rollback target still has the old shape
      await readPool.query('alter table soulspot_tracks add column test_added_after_swap integer');
      await readPool.query('create index test_added_after_swap_idx on soulspot_tracks (test_added_after_swap)');
      const refused = await controller.rollback().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RebuildConflictError);
      expect((refused as Error).message).toContain('test_added_after_swap');
      expect(await columnExists('public', 'soulspot_tracks', 'test_added_after_swap')).toBe(true);
      expect((await controller.status()).rollbackAvailable).toBe(true);
    } finally {
      await controller.close();
      await readPool.query('drop index if exists test_added_after_swap_idx');
      await readPool.query('alter table soulspot_tracks drop column if exists test_added_after_swap');
    }
    await waitUntilCaughtUp(live);
  }, 120_000);
});

describe('cancel around the swap', () => {
  it('a cancel while the swap waits for a long reader stops the swap: cancelled, shadow removed, live tables untouched', async () => {
    await waitUntilCaughtUp(live);
    const controller = newController();
    // a long-running read (a report, a stuck client) holds the live artists: the swap's exclusive lock waits for it
    const reader = await readPool.connect();
    let readerOpen = true;
    const endReader = async () => {
      if (!readerOpen) return;
      readerOpen = false;
      await reader.query('commit').catch(() => undefined);
      reader.release();
    };
    try {
      await reader.query('begin');
      await reader.query('select count(*) from soulspot_artists');
      const before = (await readPool.query<{ n: number }>('select count(*)::int as n from soulspot_artists')).rows[0].n;
      const { rows } = await readPool.query<{ oid: string }>(`select 'public.soulspot_artists'::regclass::oid::text as oid`);
      await controller.start('blue_green');
      await eventually(async () => (await controller.status()).phase === 'swapping');
      const cancel = controller.cancel();
      cancel.catch(() => undefined);
      // the reader goes away on its own some seconds later (the swap retries every 3 s meanwhile)
      const settledFirst = await Promise.race([cancel.then(() => true, () => true), new Promise((resolve) => setTimeout(() => resolve(false), 10_000))]);
      await endReader();
      const result = await cancel;
      expect(settledFirst).toBe(true);
      expect(result.phase).toBe('cancelled');
      expect(await phaseOf()).toBe('cancelled');
      expect((await readPool.query(`select 1 from pg_namespace where nspname = 'projection_shadow'`)).rowCount).toBe(0);
      // the very same table is live (not a swapped-in copy)
      expect((await readPool.query<{ oid: string }>(`select 'public.soulspot_artists'::regclass::oid::text as oid`)).rows[0].oid).toBe(rows[0].oid);
      expect((await readPool.query<{ n: number }>('select count(*)::int as n from soulspot_artists')).rows[0].n).toBe(before);
    } finally {
      await endReader();
      await controller.close();
    }
    await waitUntilCaughtUp(live);
  }, 120_000);
});

describe('a cancel whose runner dies before it cleans up', () => {
  it('another replica removes the shadow and turns live autovacuum back on', async () => {
    const id = await interruptedBlueGreen();
    // as the runner leaves it while catching up: live autovacuum off, the rebuild lock held by its session
    await setAutovacuum(readPool, 'public', false);
    const runner = await readPool.connect();
    const replica = newController();
    const other = newController();
    try {
      await runner.query('select pg_advisory_lock($1)', [REBUILD_LOCK]);
      // a cancel from a replica that does not hold the lock only marks the row: the runner is to clean up...
      expect((await replica.cancel()).phase).toBe('cancelled');
      // ...but it dies first
      await runner.query('select pg_advisory_unlock($1)', [REBUILD_LOCK]);
      runner.release(true);
      expect(await other.resumeInterrupted()).toBe(false);
      expect(await phaseOf()).toBe('cancelled');
      expect((await latestRebuild(readPool, 'library'))?.id).toBe(id);
      expect((await readPool.query(`select 1 from pg_namespace where nspname = 'projection_shadow'`)).rowCount).toBe(0);
      expect(await tablesWithAutovacuumOff(readPool, 'public')).toEqual([]);
    } finally {
      await replica.close();
      await other.close();
      await setAutovacuum(readPool, 'public', true);
    }
  }, 120_000);
});

describe('status from a replica that does not run the rebuild', () => {
  it('reports a rebuild that makes no progress as stuck, with the progress it has', async () => {
    await waitUntilCaughtUp(live);
    const runner = newController({ catchUpLag: -1, stuckAfterSeconds: 2 });
    const replica = newController({ stuckAfterSeconds: 2 });
    // the replay cannot commit anything while another writer holds the projection writer lock (a stuck writer)
    const holder = await readPool.connect();
    let held = true;
    const release = async () => {
      if (!held) return;
      held = false;
      await holder.query('commit').catch(() => undefined);
      holder.release();
    };
    try {
      await holder.query('begin');
      await lockProjection(holder, 'writer');
      await runner.start('blue_green');
      await eventually(async () => (await runner.status()).stuck, 30_000);
      const seen = await replica.status();
      expect(seen.phase).toBe('replaying');
      expect(seen.partitions.reduce((sum, p) => sum + p.target, 0)).toBeGreaterThan(0);
      expect(seen.stuck).toBe(true);
      // once the writer lets go, the replay moves again and is no longer stuck anywhere
      await release();
      await eventually(async () => !(await replica.status()).stuck, 30_000);
      expect((await runner.cancel()).phase).toBe('cancelled');
    } finally {
      await release();
      await runner.close();
      await replica.close();
    }
    await waitUntilCaughtUp(live);
  }, 120_000);
});

describe('live autovacuum left off by a process that died', () => {
  it('is turned back on by the next check of any replica once no rebuild or rollback is under way', async () => {
    await waitUntilCaughtUp(live);
    expect(['replaying', 'catching_up', 'swapping']).not.toContain(await phaseOf());
    // as an in-place start or a rollback leaves it when its process dies between turning it off and its transaction
    await setAutovacuum(readPool, 'public', false);
    const replica = newController();
    const busy = await readPool.connect();
    try {
      // while someone holds the rebuild lock (a rollback under way), it is theirs
      await busy.query('select pg_advisory_lock($1)', [REBUILD_LOCK]);
      expect(await replica.resumeInterrupted()).toBe(false);
      expect((await tablesWithAutovacuumOff(readPool, 'public')).length).toBeGreaterThan(0);
      await busy.query('select pg_advisory_unlock($1)', [REBUILD_LOCK]);
      expect(await replica.resumeInterrupted()).toBe(false);
      expect(await tablesWithAutovacuumOff(readPool, 'public')).toEqual([]);
    } finally {
      busy.release(true);
      await replica.close();
      await setAutovacuum(readPool, 'public', true);
    }
  }, 120_000);
});
