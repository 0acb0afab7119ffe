import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { status as Status, Metadata } from '@grpc/grpc-js';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import type { LibraryChange } from '@soulspot/contracts/library';
import { startGrpcServer, type GrpcServerHandle } from '../src/grpc';
import { pruneChangeFeed, startChangeFeedPruner } from '../src/projection';
import { connect, type Clients } from './support/grpc-client';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const DAY = 86_400_000;

let postgres: ProvisionedPostgres;
let pool: pg.Pool;
let server: GrpcServerHandle;
let clients: Clients;

beforeAll(async () => {
  postgres = await provisionPostgres();
  await migrateUp(postgres.url);
  pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
  // a connection still closing when PostgreSQL stops at teardown reports 57P01 on the pool: not this test's subject
  pool.on('error', () => undefined);
  server = await startGrpcServer({ pool, logger, port: 0, host: '127.0.0.1', pageTokenSecret: 'change-feed-retention-test', watch: { pollIntervalMs: 50, gapGraceMs: 300 } });
  clients = connect(server.port);
});

afterAll(async () => {
  clients?.close();
  await server?.stop(false);
  await pool?.end();
  await postgres?.stop();
});

beforeEach(async () => {
  await pool.query('truncate projection_changes');
  await pool.query('update projection_change_retention set pruned_through = 0, pruned_at = null');
});

/** Appends changes committed `ageMs` ago; returns their sequence numbers. */
async function appendChanges(count: number, ageMs: number): Promise<string[]> {
  const { rows } = await pool.query<{ seq: string }>(
    `insert into projection_changes (entity_type, entity_id, op, changed_at)
     select 'artist', gen_random_uuid()::text, 'upsert', now() - $2 * interval '1 millisecond' from generate_series(1, $1)
     returning seq::text`,
    [count, ageMs],
  );
  return rows.map((r) => r.seq);
}

async function remainingSeqs(): Promise<string[]> {
  return (await pool.query<{ seq: string }>('select seq::text from projection_changes order by seq')).rows.map((r) => r.seq);
}

/** The first `count` changes a watcher gets from `startCursor`, or the error that ends its stream. */
function watch(startCursor: string, count: number): Promise<LibraryChange[] | { code: Status; details: string }> {
  return new Promise((resolve) => {
    const changes: LibraryChange[] = [];
    const stream = clients.library.watchLibraryChanges({ sendCheckpoints: false, startCursor, entityTypes: [] }, new Metadata());
    stream.on('data', (change: LibraryChange) => {
      changes.push(change);
      if (changes.length === count) {
        stream.cancel();
        resolve(changes);
      }
    });
    stream.on('error', (error: { code: Status; details: string }) => {
      if (error.code !== Status.CANCELLED) resolve(error);
    });
  });
}

describe('change feed retention (PostgreSQL + gRPC over TCP)', () => {
  it('deletes the changes older than the retention in chunks, keeps the rest, and records how far it pruned', async () => {
    const old = await appendChanges(25, 10 * DAY);
    const young = await appendChanges(5, 0);
    const result = await pruneChangeFeed(pool, new Date(Date.now() - DAY), 7);
    expect(result).toEqual({ deleted: 25, prunedThrough: BigInt(old[24]) });
    expect(await remainingSeqs()).toEqual(young);
    const [mark] = (await pool.query('select pruned_through::text, pruned_at from projection_change_retention')).rows;
    expect(mark.pruned_through).toBe(old[24]);
    expect(mark.pruned_at).toBeInstanceOf(Date);
    // nothing more is old enough
    expect(await pruneChangeFeed(pool, new Date(Date.now() - DAY), 7)).toEqual({ deleted: 0, prunedThrough: BigInt(old[24]) });
  });

  it('stops at the first change young enough to keep, even if older ones follow it', async () => {
    await appendChanges(3, 10 * DAY);
    const young = await appendChanges(2, 0);
    const oldAgain = await appendChanges(2, 10 * DAY);
    expect((await pruneChangeFeed(pool, new Date(Date.now() - DAY))).deleted).toBe(3);
    expect(await remainingSeqs()).toEqual([...young, ...oldAgain]);
  });

  it('tells a watcher whose cursor is below the pruned changes to re-list (OUT_OF_RANGE); a cursor at the mark resumes', async () => {
    const old = await appendChanges(4, 10 * DAY);
    const young = await appendChanges(3, 0);
    await pruneChangeFeed(pool, new Date(Date.now() - DAY));

    const tooOld = await watch(old[1], 1);
    expect(tooOld).toMatchObject({ code: Status.OUT_OF_RANGE });
    expect((tooOld as { details: string }).details).toContain(`pruned through ${old[3]}`);
    const resumed = (await watch(old[3], 3)) as LibraryChange[];
    expect(resumed.map((c) => c.cursor)).toEqual(young);
  });

  it('a watcher from the head of a feed pruned empty gets the next change', async () => {
    await appendChanges(3, 10 * DAY);
    await pruneChangeFeed(pool, new Date(Date.now() + DAY));
    expect(await remainingSeqs()).toEqual([]);
    const next = watch('', 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [seq] = await appendChanges(1, 0);
    const changes = (await next) as LibraryChange[];
    expect(changes.map((c) => c.cursor)).toEqual([seq]);
    expect(changes[0].entity).toMatch(/^artists\//);
  });

  it('the service\'s pruner prunes at start and then on its interval, and stops cleanly', async () => {
    await appendChanges(2, 10 * DAY);
    const young = await appendChanges(1, 0);
    const pruner = startChangeFeedPruner({ pool, retentionMs: DAY, intervalMs: 100, logger });
    try {
      await expect.poll(remainingSeqs, { timeout: 5000 }).toEqual(young);
      // a change that ages past the retention later goes at a later round
      await pool.query(`update projection_changes set changed_at = now() - interval '2 days'`);
      await expect.poll(remainingSeqs, { timeout: 5000 }).toEqual([]);
    } finally {
      await pruner.stop();
    }
  });
});
