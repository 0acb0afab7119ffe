import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RebuildMode, RebuildPhase, type RebuildStatus } from '@soulspot/contracts/library';
import { topicEndOffsets } from '@soulspot/messaging';
import { createLogger } from '@soulspot/observability';
import { startProjector } from '../src/projection';
import { createShadowSchema, dropSchema } from '../src/rebuild/schemas';
import { runCli } from '../src/cli/run';
import { dumpLibrary } from './support/dump';
import { call, connect, type Clients } from './support/grpc-client';
import { spawnLibraryService, startStack, waitUntilCaughtUp, type Stack } from './support/harness';
import { generateLibrary } from './support/library-generator';
import { eventually } from './support/eventually';

const PARTITIONS = 4;
const logger = createLogger('rebuild-restart-test');

interface Service {
  child: ChildProcess;
  port: Promise<number>;
  exited: Promise<number | null>;
  /** Every line the service wrote to stdout so far (its log stream). */
  stdout: string[];
}

/** The real library-service entry point as its own process (so SIGKILL is a real crash); resolves its gRPC port. */
/** `runner`: REBUILD_REPLAY_RUNNER (the replay's worker thread, the default, or its own process). */
function spawnService(stack: Stack, runner: 'thread' | 'process' = 'thread'): Service {
  const child = spawnLibraryService(stack, {
    KAFKA_GROUP_ID: 'rebuild-restart-live',
    KAFKA_SESSION_TIMEOUT_MS: '3000',
    // small batches: the replay is long enough to be killed in the middle
    PROJECTION_MAX_BATCH_BYTES: '4096',
    // small transactions, so that the kill lands mid-replay
    PROJECTION_MAX_EVENTS_PER_TRANSACTION: '10',
    PAGE_TOKEN_SECRET: 'rebuild-restart-test-secret',
    REBUILD_REPLAY_RUNNER: runner,
  });
  let output = '';
  const stdout: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    stdout.push(...lines);
  });
  const port = new Promise<number>((resolvePort, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-50_000);
      const match = /"port":(\d+),[^\n]*gRPC server listening/.exec(output);
      if (match) resolvePort(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`library-service exited (${code}) before listening:\n${output.slice(-2000)}`)));
  });
  port.catch(() => undefined);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, port, exited, stdout };
}

/**
 * The service's replay child processes: children of `pid` running the service's entry module (spawned through
 * `nice`, which execs node under the same pid). tsx's esbuild helper is a child of the service too.
 */
function childrenOf(pid: number): number[] {
  const runsService = (entry: string) => {
    try {
      return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('apps/library-service/src/main.ts');
    } catch {
      return false;
    }
  };
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => statFields(`/proc/${entry}/stat`)?.[1] === String(pid) && runsService(entry))
    .map(Number);
}

/** The fields after the name of a /proc stat file: [0] state, [1] ppid, ... [16] nice. */
function statFields(path: string): string[] | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Nice value of every thread of a process. */
function threadNice(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => Number(statFields(`/proc/${pid}/task/${tid}/stat`)![16]));
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && statFields(`/proc/${pid}/stat`)?.[0] !== 'Z';

/** JSON records of a log stream. */
const records = (lines: string[]) =>
  lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

describe('rebuild across a library-service crash', () => {
  let stack: Stack;
  let pool: pg.Pool;
  let service: Service | undefined;
  let clients: Clients | undefined;

  beforeAll(async () => {
    stack = await startStack('library-events-rebuild-restart', PARTITIONS);
    pool = new pg.Pool({ connectionString: stack.db.url, max: 4 });
    // an idle connection ended by the server (the stack stopping, a backend terminated) is not this test's subject
    pool.on('error', () => undefined);
    await stack.publish([...generateLibrary({ artists: 16, albumsPerArtist: 2, tracksPerAlbum: 3, overlap: 0.4, seed: 21, twists: true })]);
  }, 120_000);

  afterAll(async () => {
    clients?.close();
    service?.child.kill('SIGKILL');
    await service?.exited;
    await pool?.end();
    await stack?.stop();
  });

  const liveApplied = async () => Number((await pool.query('select coalesce(sum(next_offset), 0) as n from projection_checkpoints')).rows[0].n);
  const shadowApplied = async () =>
    Number((await pool.query('select coalesce(sum(next_offset), 0) as n from projection_shadow.projection_checkpoints').catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);

  it('SIGKILLed mid-replay, the restarted service resumes the rebuild and completes it; the CLI reports it', async () => {
    const total = [...(await topicEndOffsets(stack.client, stack.topic)).values()].reduce((a, b) => a + Number(b), 0);
    // the replay in its own process here, in the restarted service's worker thread (the default) below
    service = spawnService(stack, 'process');
    clients = connect(await service.port);
    await eventually(async () => (await liveApplied()) === total, 60_000);
    const before = await dumpLibrary(pool);

    const started: RebuildStatus = await call(clients.admin, clients.admin.startRebuild, { mode: RebuildMode.REBUILD_MODE_BLUE_GREEN });
    expect(started.mode).toBe(RebuildMode.REBUILD_MODE_BLUE_GREEN);
    expect(started.partitions.map((p) => p.targetOffset).reduce((a, b) => a + b, 0)).toBe(total);
    await eventually(async () => (await shadowApplied()) > 0, 60_000);
    // the replay is a child process of the service, every one of its threads at the default REBUILD_REPLAY_NICE (19)
    const [replay, ...others] = childrenOf(service.child.pid!);
    expect(others).toEqual([]);
    expect(new Set(threadNice(replay))).toEqual(new Set([19]));
    expect(new Set(threadNice(service.child.pid!))).toEqual(new Set([os.getPriority()]));
    // its log records reach the service's stdout as they are: structured, tagged with the rebuild and its own pid
    await eventually(async () => records(service!.stdout).some((r) => r.pid === replay && r.msg === 'lowered the CPU priority of the rebuild replay'), 10_000);
    const replayRecord = records(service.stdout).find((r) => r.pid === replay)!;
    expect(replayRecord).toMatchObject({ component: 'rebuild-replay', rebuild: expect.any(String), service: 'library-service' });

    service.child.kill('SIGKILL');
    await service.exited;
    clients.close();
    // the replay does not outlive the service (its IPC channel closes with the service)
    await eventually(async () => !alive(replay), 10_000);

    // the crash left an active rebuild and its shadow; the live tables are as they were
    const { rows } = await pool.query(`select phase from projection_rebuilds order by id desc limit 1`);
    // (before the swap; on a busy machine the 187-event replay may have applied everything by the time the checks
    // above let the kill happen — a CI run saw that — and the restart must then finish the catch-up and the swap)
    expect(['replaying', 'catching_up']).toContain(rows[0].phase);
    expect(await shadowApplied()).toBeGreaterThan(0);
    expect(await shadowApplied()).toBeLessThanOrEqual(total);
    expect(await dumpLibrary(pool)).toBe(before);

    service = spawnService(stack);
    const port = await service.port;
    clients = connect(port);
    let last: RebuildStatus | undefined;
    await eventually(async () => {
      last = await call(clients!.admin, clients!.admin.getRebuildStatus, {});
      return last.phase === RebuildPhase.REBUILD_PHASE_DONE || last.phase === RebuildPhase.REBUILD_PHASE_FAILED;
    }, 90_000);
    expect(last!.phase).toBe(RebuildPhase.REBUILD_PHASE_DONE);
    await eventually(async () => (await liveApplied()) === total, 30_000);

    // the rebuilt library equals a fresh projection of the topic, ids included
    const schema = 'fresh_reference';
    const setup = await pool.connect();
    await setup.query('begin');
    await createShadowSchema(setup, schema);
    await setup.query('commit');
    setup.release();
    const freshPool = new pg.Pool({ connectionString: stack.db.url, max: 4, options: `-c search_path=${schema}` });
    freshPool.on('error', () => undefined);
    const fresh = await startProjector({
      databaseUrl: stack.db.url,
      brokers: stack.kafka.brokers,
      topic: stack.topic,
      dlqTopic: stack.dlqTopic,
      projection: 'library',
      groupId: 'rebuild-restart-fresh',
      partitions: PARTITIONS,
      logger,
      pool: freshPool,
    });
    await waitUntilCaughtUp(fresh);
    const expected = await dumpLibrary(freshPool);
    await fresh.stop();
    await freshPool.end();
    await dropSchema(pool, schema);
    expect(await dumpLibrary(pool)).toBe(expected);

    const out: string[] = [];
    const code = await runCli(['--addr', `127.0.0.1:${port}`, 'projection', 'rebuild', 'status'], { stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: {} });
    expect(code).toBe(0);
    expect(out.join('')).toContain('phase       done');
    const rollback: string[] = [];
    expect(await runCli(['--addr', `127.0.0.1:${port}`, 'projection', 'rebuild', 'cancel'], { stdout: (t) => rollback.push(t), stderr: (t) => rollback.push(t), env: {} })).toBe(1);
    expect(rollback.join('')).toContain('FAILED_PRECONDITION: no rebuild is running');
  }, 170_000);

  it('a replay process that dies (SIGKILL, out of memory) fails the rebuild: shadow removed, live tables untouched, reads go on', async () => {
    // the service the previous test restarted is replaced by one that runs the replay in its own process
    const previous = service!;
    previous.child.kill('SIGTERM');
    await previous.exited;
    clients!.close();
    const running = (service = spawnService(stack, 'process'));
    clients = connect(await running.port);
    const before = await dumpLibrary(pool);
    const { artists } = await call(clients!.library, clients!.library.listArtists, { pageSize: 1000, pageToken: '', filter: '', orderBy: '' });
    expect(artists.length).toBeGreaterThan(0);

    await call(clients!.admin, clients!.admin.startRebuild, { mode: RebuildMode.REBUILD_MODE_BLUE_GREEN });
    // killed as soon as it exists: the rebuild cannot have finished without it
    let replay: number | undefined;
    await eventually(async () => (replay = childrenOf(running.child.pid!)[0]) !== undefined, 30_000);
    process.kill(replay!, 'SIGKILL');

    let last: RebuildStatus | undefined;
    await eventually(async () => {
      last = await call(clients!.admin, clients!.admin.getRebuildStatus, {});
      return last.phase !== RebuildPhase.REBUILD_PHASE_REPLAYING && last.phase !== RebuildPhase.REBUILD_PHASE_CATCHING_UP;
    }, 30_000);
    expect(last!.phase).toBe(RebuildPhase.REBUILD_PHASE_FAILED);
    expect(last!.error).toContain('rebuild replay process exited (SIGKILL)');
    const { rows } = await pool.query(`select count(*)::int as n from information_schema.schemata where schema_name = 'projection_shadow'`);
    expect(rows[0].n).toBe(0);
    expect(await dumpLibrary(pool)).toBe(before);
    const again = await call(clients!.library, clients!.library.listArtists, { pageSize: 1000, pageToken: '', filter: '', orderBy: '' });
    expect(again.artists.map((a) => a.name)).toEqual(artists.map((a) => a.name));
    expect(records(running.stdout).some((r) => r.msg === 'rebuild replay process exited unexpectedly' && r.signal === 'SIGKILL')).toBe(true);
    expect(running.child.exitCode).toBeNull();
  }, 60_000);
});
