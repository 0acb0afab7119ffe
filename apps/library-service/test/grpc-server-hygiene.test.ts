import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, Metadata, status as Status } from '@grpc/grpc-js';
import { freePort, provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { LibraryServiceClient, type LibraryChange } from '@soulspot/contracts/library';
import { decodeFieldViolations, startGrpcServer, type GrpcServerHandle, type ProjectionPort } from '../src/grpc';
import { retryDeadLetters } from '../src/projection';
import { startGrpcFromConfig } from '../src/grpc/from-config';
import { call, callError, connect } from './support/grpc-client';
import { healthClient, reflectionFileContainingSymbol, reflectionListServices, type HealthStatus } from './support/health-reflection-clients';
import { seedArtist } from './support/seed';
import { eventually } from './support/eventually';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const SECRET = 'hygiene-test-page-token-secret';
const WORKSPACE_ROOT = new URL('../../../', import.meta.url).pathname;

let postgres: ProvisionedPostgres;
let pool: pg.Pool;
const servers: GrpcServerHandle[] = [];

async function start(options: { projection?: ProjectionPort; pool?: pg.Pool } = {}): Promise<GrpcServerHandle> {
  const server = await startGrpcServer({ pool: options.pool ?? pool, logger, port: 0, host: '127.0.0.1', pageTokenSecret: SECRET, projection: options.projection, caughtUpPollMs: 50 });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  postgres = await provisionPostgres();
  await migrateUp(postgres.url);
  pool = new pg.Pool({ connectionString: postgres.url, max: 6 });
  pool.on('error', () => undefined);
  await seedArtist(pool, { name: 'Hygiene Artist', source: 'spotify', spotifyId: 'HygieneArtist0000000001' });
});

afterAll(async () => {
  for (const server of servers) await server.stop(false);
  await pool?.end();
  await postgres?.stop();
});

describe('health', () => {
  it('keeps the library API NOT_SERVING until the projection has caught up once, the admin API SERVING throughout', async () => {
    let caughtUp = false;
    const projection: ProjectionPort = {
      status: async () => ({ projection: 'library', caughtUp, partitions: [] }),
      retryDeadLetters: async () => ({ resolved: 0, stillFailing: 0 }),
    };
    const server = await start({ projection });
    const health = healthClient(server.port);
    try {
      expect(await health.check('')).toBe('NOT_SERVING');
      expect(await health.check('soulspot.library.v1.LibraryService')).toBe('NOT_SERVING');
      expect(await health.check('soulspot.library.v1.ProjectionAdmin')).toBe('SERVING');
      caughtUp = true;
      await eventually(async () => (await health.check('soulspot.library.v1.LibraryService')) === 'SERVING');
      expect(await health.check('')).toBe('SERVING');
      // Later lag does not flip it back: it is reported by GetProjectionStatus instead.
      caughtUp = false;
      await new Promise((r) => setTimeout(r, 150));
      expect(await health.check('')).toBe('SERVING');

      const seen: HealthStatus[] = [];
      const watch = health.watch('');
      watch.on('data', (message) => seen.push(message.status));
      watch.on('error', () => undefined);
      await eventually(async () => seen.includes('SERVING'));
      await server.stop(true);
      expect(seen).toContain('NOT_SERVING');
    } finally {
      health.close();
    }
  });
});

describe('reflection', () => {
  it('lists the library, admin and health services and serves their descriptors', async () => {
    const server = await start();
    const services = await reflectionListServices(server.port);
    expect(services).toEqual(expect.arrayContaining(['soulspot.library.v1.LibraryService', 'soulspot.library.v1.ProjectionAdmin', 'grpc.health.v1.Health']));
    expect(await reflectionFileContainingSymbol(server.port, 'soulspot.library.v1.LibraryService')).toBeGreaterThan(0);
  });
});

describe('startGrpcFromConfig', () => {
  const base = { GRPC_PORT: 0, GRPC_HOST: '127.0.0.1', GRPC_DB_POOL_SIZE: 2, GRPC_STATEMENT_TIMEOUT_MS: 5000 };

  it('serves from environment-style config with its own read pool, and stops cleanly', async () => {
    const server = await startGrpcFromConfig({ ...base, DATABASE_URL: postgres.url, PAGE_TOKEN_SECRET: 'from-config-secret-123' }, { logger });
    const clients = connect(server.port);
    try {
      const page = await call(clients.library, clients.library.listArtists, { pageSize: 1, pageToken: '', filter: '', orderBy: '' });
      expect(page.artists).toHaveLength(1);
    } finally {
      clients.close();
      await server.stop(true);
    }
  });

  it('rejects half a TLS configuration and short page-token secrets', async () => {
    await expect(startGrpcFromConfig({ ...base, DATABASE_URL: postgres.url, GRPC_TLS_CERT: '/x.crt' }, { logger })).rejects.toThrow(/together/);
    await expect(startGrpcFromConfig({ ...base, DATABASE_URL: postgres.url, PAGE_TOKEN_SECRET: 'short' }, { logger })).rejects.toThrow(/16 bytes/);
  });
});

describe('TLS', () => {
  it('serves over TLS when given a certificate, and refuses plaintext clients', async () => {
    const cert = readFileSync(new URL('./fixtures/tls-test-only.crt', import.meta.url));
    const key = readFileSync(new URL('./fixtures/tls-test-only.key', import.meta.url));
    const server = await startGrpcServer({ pool, logger, port: 0, host: '127.0.0.1', pageTokenSecret: SECRET, tls: { cert, key } });
    servers.push(server);
    const secure = new LibraryServiceClient(`127.0.0.1:${server.port}`, credentials.createSsl(cert));
    const plain = connect(server.port);
    try {
      const page = await call(secure, secure.listArtists, { pageSize: 5, pageToken: '', filter: '', orderBy: '' });
      expect(page.artists.map((a) => a.displayName)).toContain('Hygiene Artist');
      expect((await callError(plain.library, plain.library.listArtists, { pageSize: 5, pageToken: '', filter: '', orderBy: '' }, 2000)).code).toBe(Status.UNAVAILABLE);
    } finally {
      secure.close();
      plain.close();
    }
  });
});

describe('deadlines and outages', () => {
  it('cancels the SQL query when the client deadline passes', async () => {
    const server = await start();
    const clients = connect(server.port);
    const locker = await pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE soulspot_artists IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const error = await callError(clients.library, clients.library.listArtists, { pageSize: 10, pageToken: '', filter: '', orderBy: '' }, 300);
      expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
      expect(Date.now() - started).toBeLessThan(2000);
      // The blocked statement was cancelled in PostgreSQL, not left waiting for the lock.
      await eventually(async () => {
        const { rows } = await pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM soulspot_artists a%'");
        return rows[0].n === 0;
      }, 2000);
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
      clients.close();
    }
    const after = await call(connect(server.port).library, connect(server.port).library.listArtists, { pageSize: 10, pageToken: '', filter: '', orderBy: '' });
    expect(after.artists.length).toBeGreaterThan(0);
  });

  it('sheds requests with UNAVAILABLE when too many queries already wait for a connection', async () => {
    const smallPool = new pg.Pool({ connectionString: postgres.url, max: 1 });
    smallPool.on('error', () => undefined);
    const server = await startGrpcServer({ pool: smallPool, logger, port: 0, host: '127.0.0.1', pageTokenSecret: SECRET, maxWaitingQueries: 2 });
    servers.push(server);
    const clients = connect(server.port);
    const locker = await pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE soulspot_artists IN ACCESS EXCLUSIVE MODE');
      const list = () => callError(clients.library, clients.library.listArtists, { pageSize: 1, pageToken: '', filter: '', orderBy: '' }, 1500);
      // one runs (blocked by the lock), two wait for the single connection, the rest are shed at once
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => new Promise((r) => setTimeout(r, i * 50)).then(list)));
      const codes = results.map((e) => e.code);
      expect(codes.filter((c) => c === Status.UNAVAILABLE).length).toBe(3);
      expect(codes.filter((c) => c === Status.DEADLINE_EXCEEDED).length).toBe(3);
      expect(results.find((e) => e.code === Status.UNAVAILABLE)?.details).toMatch(/overloaded/);
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
      clients.close();
    }
    await server.stop(true);
    await smallPool.end();
  });

  it('answers UNAVAILABLE (not INTERNAL) while the database is unreachable', async () => {
    const deadPool = new pg.Pool({ connectionString: `postgres://nobody:x@127.0.0.1:${await freePort()}/none`, connectionTimeoutMillis: 1000 });
    deadPool.on('error', () => undefined);
    const server = await start({ pool: deadPool });
    const clients = connect(server.port);
    try {
      const get = await callError(clients.library, clients.library.getArtist, { name: randomUUID() });
      expect(get.code).toBe(Status.UNAVAILABLE);
      expect(get.details).not.toMatch(/ECONNREFUSED|at /);
      expect((await callError(clients.admin, clients.admin.getProjectionStatus, {})).code).toBe(Status.UNAVAILABLE);
      // Validation still answers without the database.
      expect((await callError(clients.library, clients.library.getArtist, { name: 'x' })).code).toBe(Status.INVALID_ARGUMENT);
    } finally {
      clients.close();
      await deadPool.end();
    }
  });
});

describe('ProjectionAdmin', () => {
  beforeAll(async () => {
    await pool.query("INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) VALUES ('library', 't', 0, 120), ('library', 't', 1, 80), ('shadow', 't', 0, 5)");
    for (let i = 0; i < 5; i++) {
      await pool.query(
        `INSERT INTO projection_dead_letters (projection, topic, partition, "offset", key, error, status) VALUES ('library', 't', 0, $1, $2, 'invalid ISRC "x"', $3)`,
        [i, `spotify:track:T${i}`, i === 4 ? 'retried' : 'dead'],
      );
    }
    await pool.query(`INSERT INTO projection_parked_events (projection, topic, partition, "offset", key) VALUES ('library', 't', 0, 100, 'spotify:track:T0'), ('library', 't', 0, 101, 'spotify:track:T0')`);
  });

  it('reports checkpoints, events applied and dead letters from the database, with lag from the projection when present', async () => {
    const plain = await start();
    const clients = connect(plain.port);
    const status = await call(clients.admin, clients.admin.getProjectionStatus, {});
    expect(status).toMatchObject({ projection: 'library', eventsApplied: 0, eventsCheckpointed: 200, deadLetters: 4, totalLag: 0, caughtUp: false });
    expect(status.partitions.map((p) => [p.partition, p.nextOffset, p.lag])).toEqual([[0, 120, undefined], [1, 80, undefined]]);
    clients.close();

    const withProjection = await start({
      projection: {
        status: async () => ({ projection: 'library', caughtUp: true, eventsApplied: 199, partitions: [{ topic: 't', partition: 0, nextOffset: 120, highWatermark: 150 }] }),
        retryDeadLetters: async (ids) => ({ resolved: ids.length, stillFailing: 1 }),
      },
    });
    const live = connect(withProjection.port);
    const liveStatus = await call(live.admin, live.admin.getProjectionStatus, {});
    expect(liveStatus).toMatchObject({ eventsApplied: 199, eventsCheckpointed: 120, totalLag: 30, caughtUp: true, partitions: [{ partition: 0, highWatermark: 150, lag: 30 }] });
    expect(await call(live.admin, live.admin.retryDeadLetters, { names: ['deadLetters/1', '2'] })).toEqual({ resolved: 2, stillFailing: 1 });
    live.close();
  });

  it('lists dead letters newest first with parked counts, paginated', async () => {
    const server = await start();
    const clients = connect(server.port);
    const first = await call(clients.admin, clients.admin.listDeadLetters, { pageSize: 3, pageToken: '', showResolved: false });
    expect(first.deadLetters.map((d) => d.offset)).toEqual([3, 2, 1]);
    const second = await call(clients.admin, clients.admin.listDeadLetters, { pageSize: 3, pageToken: first.nextPageToken, showResolved: false });
    expect(second.deadLetters.map((d) => [d.offset, d.parkedEvents, d.status])).toEqual([[0, 2, 'dead']]);
    expect(second.nextPageToken).toBe('');
    const all = await call(clients.admin, clients.admin.listDeadLetters, { pageSize: 0, pageToken: '', showResolved: true });
    expect(all.deadLetters).toHaveLength(5);
    expect((await callError(clients.admin, clients.admin.listDeadLetters, { pageSize: 3, pageToken: first.nextPageToken, showResolved: true })).code).toBe(Status.INVALID_ARGUMENT);
    clients.close();
  });

  it('refuses retries without a projection, bad dead-letter names, and rebuilds (not implemented yet)', async () => {
    const server = await start();
    const clients = connect(server.port);
    expect((await callError(clients.admin, clients.admin.retryDeadLetters, { names: [] })).code).toBe(Status.FAILED_PRECONDITION);
    expect((await callError(clients.admin, clients.admin.retryDeadLetters, { names: ['deadLetters/abc'] })).code).toBe(Status.INVALID_ARGUMENT);
    expect((await callError(clients.admin, clients.admin.listDeadLetters, { pageSize: -5, pageToken: '', showResolved: false })).code).toBe(Status.INVALID_ARGUMENT);
    // an id beyond bigint: refused as a bad name, not passed on to the real retry (whose SQL would fail: INTERNAL)
    const projecting = await start({ projection: { status: async () => ({ projection: 'library', caughtUp: true, partitions: [] }), retryDeadLetters: (ids) => retryDeadLetters(pool, 'library', ids) } });
    const admin = connect(projecting.port);
    const beyond = await callError(admin.admin, admin.admin.retryDeadLetters, { names: ['deadLetters/9999999999999999999'] });
    expect(beyond.code).toBe(Status.INVALID_ARGUMENT);
    expect(decodeFieldViolations(beyond.metadata.get('grpc-status-details-bin')[0] as Buffer)).toEqual([{ field: 'names[0]', description: expect.stringMatching(/is not "deadLetters\/\{id\}"/) }]);
    expect((await call(admin.admin, admin.admin.retryDeadLetters, { names: ['deadLetters/9223372036854775807'] })).resolved).toBe(0);
    admin.close();
    expect((await callError(clients.admin, clients.admin.startRebuild, { mode: 1 })).code).toBe(Status.UNIMPLEMENTED);
    expect((await callError(clients.admin, clients.admin.getRebuildStatus, {})).code).toBe(Status.UNIMPLEMENTED);
    clients.close();
  });
});

describe('graceful shutdown', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('lets an in-flight unary call finish during a graceful stop while a stream ends with UNAVAILABLE', async () => {
    const server = await start();
    const clients = connect(server.port);
    // the read waits for this lock, so it is still running when the stop begins
    const locker = await pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE soulspot_artists IN ACCESS EXCLUSIVE MODE');
      const pending = call(clients.library, clients.library.listArtists, { pageSize: 1, pageToken: '', filter: '', orderBy: '' }).then(
        (page) => page.artists.map((a) => a.displayName),
        (error: { code: Status }) => error.code,
      );
      const streamEnded = new Promise<Status>((resolve) => {
        const stream = clients.library.watchLibraryChanges({ sendCheckpoints: false, startCursor: '', entityTypes: [] }, new Metadata());
        stream.on('data', () => undefined);
        stream.on('error', (error: { code: Status }) => resolve(error.code));
      });
      await eventually(async () => (await pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%soulspot_artists%'")).rows[0].n > 0);
      const stopped = server.stop(true);
      expect(await streamEnded).toBe(Status.UNAVAILABLE);
      await locker.query('COMMIT');
      expect(await pending).toEqual(['Hygiene Artist']);
      await stopped;
    } finally {
      locker.release();
      clients.close();
    }
  });

  it('ends a streaming call cleanly with UNAVAILABLE on SIGTERM and exits 0', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'apps/library-service/test/fixtures/grpc-server.ts'], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, DATABASE_URL: postgres.url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        if (line.startsWith('{"port"')) resolve(JSON.parse(line).port);
      });
      child!.on('exit', () => reject(new Error('server exited before listening')));
    });
    const clients = connect(port);
    const received: LibraryChange[] = [];
    const ended = new Promise<{ code: Status; details: string }>((resolve) => {
      const stream = clients.library.watchLibraryChanges({ sendCheckpoints: false, startCursor: '0', entityTypes: [] }, new Metadata());
      stream.on('data', (change: LibraryChange) => received.push(change));
      stream.on('error', (error: { code: Status; details: string }) => resolve(error));
      stream.on('end', () => resolve({ code: Status.OK, details: 'ended' }));
    });
    await eventually(async () => received.length > 0);
    child.kill('SIGTERM');
    const status = await ended;
    expect(status.code).toBe(Status.UNAVAILABLE);
    expect(status.details).toMatch(/shutting down/);
    expect(await exited).toBe(0);
    clients.close();
  });
});
