import { Metadata, status as Status } from '@grpc/grpc-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeType, type LibraryChange } from '@soulspot/contracts/library';
import { createLogger } from '@soulspot/observability';
import { startGrpcServer, type GrpcServerHandle } from '../src/grpc';
import type { RebuildController, SwitchableProjector } from '../src/rebuild';
import { connect, type Clients } from './support/grpc-client';
import { startStack, waitUntilCaughtUp, type Stack } from './support/harness';
import { generateLibrary } from './support/library-generator';
import { rebuildController, stackProjection, startLiveProjection } from './support/rebuild-fixture';

// WatchLibraryChanges across the exchanges of tables a rebuild makes: the feed a watcher follows is replaced with the
// tables (swap, rollback) or emptied (in-place), so what the replaced feed would have told it must reach it anyway.

const logger = createLogger('rebuild-change-feed-test');
const PARTITIONS = 2;

let stack: Stack;
let live: SwitchableProjector;
let pool: pg.Pool;
let server: GrpcServerHandle;
let clients: Clients;
let controller: RebuildController;

beforeAll(async () => {
  stack = await startStack('library-events-rebuild-feed', PARTITIONS);
  pool = new pg.Pool({ connectionString: stack.db.url, max: 6 });
  pool.on('error', (error) => logger.warn({ err: error.message }, 'idle connection failed'));
  const shared = stackProjection(stack, PARTITIONS, logger);
  live = await startLiveProjection(shared);
  controller = rebuildController(shared, { pool, live });
  server = await startGrpcServer({
    pool,
    logger,
    port: 0,
    host: '127.0.0.1',
    pageTokenSecret: 'rebuild-change-feed-test-secret',
    projection: live,
    rebuild: controller,
  });
  clients = connect(server.port);
  await stack.publish([...generateLibrary({ artists: 6, albumsPerArtist: 1, tracksPerAlbum: 2, overlap: 0.3, seed: 13 })]);
  await waitUntilCaughtUp(live);
}, 120_000);

afterAll(async () => {
  clients?.close();
  await controller?.close();
  await server?.stop(false);
  await live?.stop();
  await pool?.end();
  await stack?.stop();
}, 60_000);

const head = async () => BigInt((await pool.query('select coalesce(max(seq), 0)::text as n from projection_changes')).rows[0].n);

/** Changes a watcher from `startCursor` gets until `enough` says so, or the error that ends its stream; gives up after 45 s. */
function watch(startCursor: bigint, enough: (changes: LibraryChange[]) => boolean): Promise<LibraryChange[] | { code: Status; details: string }> {
  return new Promise((resolve) => {
    const changes: LibraryChange[] = [];
    const stream = clients.library.watchLibraryChanges({ sendCheckpoints: false, startCursor: startCursor.toString(), entityTypes: [] }, new Metadata());
    const timer = setTimeout(() => {
      stream.cancel();
      resolve(changes);
    }, 45_000);
    stream.on('data', (change: LibraryChange) => {
      changes.push(change);
      if (enough(changes)) {
        clearTimeout(timer);
        stream.cancel();
        resolve(changes);
      }
    });
    stream.on('error', (error: { code: Status; details: string }) => {
      clearTimeout(timer);
      if (error.code !== Status.CANCELLED) resolve({ code: error.code, details: error.details });
    });
  });
}

/** An artist row only the live tables have (an id the replay never derives, as an earlier version of the rules would). */
async function injectArtist(id: string, name: string): Promise<void> {
  await pool.query(`insert into soulspot_artists (id, name) values ($1, $2)`, [id, name]);
}

const changesFor = async (after: bigint, ids: string[]) =>
  (
    await pool.query<{ entity_id: string; op: string; redirect_to: string | null }>(
      `select entity_id, op, redirect_to from projection_changes where seq > $1 and entity_id = any($2::text[]) order by seq`,
      [after.toString(), ids],
    )
  ).rows;

const ofEntity = (changes: LibraryChange[], id: string) => changes.filter((c) => c.entity === `artists/${id}`);

describe('the change feed across a rebuild', () => {
  it('a blue/green swap tells watchers at the head which entities are gone or merged, and sends lagging ones to re-list', async () => {
    const ghost = '00000000-0000-5000-8000-00000000a001';
    const mergedAway = '00000000-0000-5000-8000-00000000a002';
    await injectArtist(ghost, 'Ghost Artist');
    // an entity of the live tables whose member (a Spotify artist) the rebuilt tables give to another entity
    await injectArtist(mergedAway, 'Merged Away');
    const { rows } = await pool.query<{ member_key: string; entity_id: string }>(
      `select member_key, entity_id from projection_entity_members where entity_type = 'artist' order by member_key limit 1`,
    );
    const holder = rows[0].entity_id;
    await pool.query(`update projection_entity_members set entity_id = $1 where member_key = $2`, [mergedAway, rows[0].member_key]);
    const before = await head();
    expect(before).toBeGreaterThan(1n);

    await controller.start('blue_green');
    await controller.settled();
    expect((await controller.status()).phase).toBe('done');
    await waitUntilCaughtUp(live);

    expect(await changesFor(before, [ghost, mergedAway])).toEqual([
      { entity_id: ghost, op: 'delete', redirect_to: null },
      { entity_id: mergedAway, op: 'delete', redirect_to: holder },
    ]);
    const atHead = await watch(before, (changes) => ofEntity(changes, ghost).length > 0 && ofEntity(changes, mergedAway).length > 0);
    expect(Array.isArray(atHead)).toBe(true);
    const seen = atHead as LibraryChange[];
    expect(ofEntity(seen, ghost).map((c) => c.changeType)).toEqual([ChangeType.CHANGE_TYPE_DELETED]);
    expect(ofEntity(seen, mergedAway).map((c) => [c.changeType, c.mergedInto])).toEqual([[ChangeType.CHANGE_TYPE_MERGED, `artists/${holder}`]]);
    // a watcher that had not seen the last change of the replaced feed cannot get it any more: re-list
    expect(await watch(before - 1n, () => true)).toMatchObject({ code: Status.OUT_OF_RANGE });
  }, 150_000);

  it('an in-place rebuild tells watchers at the head which entities are gone, and sends lagging ones to re-list', async () => {
    const ghost = '00000000-0000-5000-8000-00000000b001';
    await injectArtist(ghost, 'Ghost Artist Two');
    const before = await head();
    await controller.start('in_place');
    await controller.settled();
    expect((await controller.status()).phase).toBe('done');
    await waitUntilCaughtUp(live);

    expect(await changesFor(before, [ghost])).toEqual([{ entity_id: ghost, op: 'delete', redirect_to: null }]);
    const atHead = await watch(before, (changes) => ofEntity(changes, ghost).length > 0);
    expect(Array.isArray(atHead) ? ofEntity(atHead, ghost).map((c) => c.changeType) : atHead).toEqual([ChangeType.CHANGE_TYPE_DELETED]);
    expect(await watch(before - 1n, () => true)).toMatchObject({ code: Status.OUT_OF_RANGE });
  }, 150_000);

  it('a rollback sends watchers that had not reached the head to re-list; those at the head get the restored library', async () => {
    const before = await head();
    await controller.rollback();
    await waitUntilCaughtUp(live);
    const atHead = await watch(before, (changes) => changes.length >= 3);
    expect(Array.isArray(atHead) ? atHead.length : atHead).toBe(3);
    expect(await watch(before - 1n, () => true)).toMatchObject({ code: Status.OUT_OF_RANGE });
  }, 150_000);
});

describe('a rollback that cannot announce the restored library', () => {
  it('changes nothing: the tables are exchanged only together with the announcement watchers need', async () => {
    await waitUntilCaughtUp(live);
    expect((await pool.query(`select 1 from pg_namespace where nspname = 'projection_previous'`)).rowCount).toBe(1);
    const liveTable = async () => (await pool.query<{ oid: string }>(`select 'public.soulspot_artists'::regclass::oid::text as oid`)).rows[0].oid;
    const before = await liveTable();
    const headBefore = await head();
    // the write of the announcement fails (as a lost connection or a full disk would make it)
    await pool.query(`create function test_refuse_changes() returns trigger language plpgsql as $$ begin raise exception 'announcement refused'; end $$`);
    await pool.query(`create trigger test_refuse_changes before insert on projection_previous.projection_changes for each statement execute function test_refuse_changes()`);
    let failure: unknown;
    try {
      failure = await controller.rollback().then(
        () => undefined,
        (error: unknown) => error,
      );
    } finally {
      await pool.query(`drop trigger if exists test_refuse_changes on projection_previous.projection_changes`);
      await pool.query(`drop trigger if exists test_refuse_changes on public.projection_changes`);
      await pool.query(`drop function test_refuse_changes()`);
    }
    expect((failure as Error | undefined)?.message).toContain('announcement refused');
    // either both happened or neither: here neither
    expect(await liveTable()).toBe(before);
    expect(await head()).toBe(headBefore);
    await waitUntilCaughtUp(live);
  }, 120_000);
});
