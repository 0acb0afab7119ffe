import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { startGrpcServer, type GrpcServerHandle } from '../src/grpc';
import { runCli } from '../src/cli/run';
import { seedAlbum, seedArtist, seedTrack } from './support/seed';

const WORKSPACE_ROOT = new URL('../../../', import.meta.url).pathname;
let postgres: ProvisionedPostgres;
let pool: pg.Pool;
let server: GrpcServerHandle;
let address: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  postgres = await provisionPostgres();
  await migrateUp(postgres.url);
  pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
  pool.on('error', () => undefined);
  ids.beyonce = await seedArtist(pool, { name: 'Beyoncé', source: 'hybrid', spotifyId: '6vWDO969PvNqNYHIOW5v0m', deezerId: '145' });
  ids.daft = await seedArtist(pool, { name: 'Daft Punk', source: 'spotify', spotifyId: '4tZwfgrHOc3mvqYlEYSvVi' });
  ids.lemonade = await seedAlbum(pool, { title: 'Lemonade', artistId: ids.beyonce, source: 'hybrid', upc: '0886445918472' });
  ids.formation = await seedTrack(pool, { title: 'Formation', artistId: ids.beyonce, albumId: ids.lemonade, source: 'hybrid', isrc: 'USSM11600513' });
  await pool.query("INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) VALUES ('library', 'soulspot.library-events.v1', 0, 42)");
  await pool.query(`INSERT INTO projection_dead_letters (projection, topic, partition, "offset", key, error) VALUES ('library', 'soulspot.library-events.v1', 0, 7, 'spotify:track:X', 'invalid ISRC')`);
  server = await startGrpcServer({ pool, logger: pino({ level: 'silent' }), port: 0, host: '127.0.0.1', pageTokenSecret: 'cli-test-page-token-secret' });
  address = `127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.stop(false);
  await pool?.end();
  await postgres?.stop();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: { SOULSPOT_GRPC_ADDR: address } });
  return { code, out, err };
}

describe('soulspot CLI against a running server', () => {
  it('lists artists as a table and filters by source', async () => {
    const all = await cli('artists', 'list');
    expect(all.code).toBe(0);
    expect(all.out.split('\n')[0]).toMatch(/^ID\s+NAME\s+SOURCE\s+FOLLOWED\s+LAST SYNCED$/);
    expect(all.out).toContain('Daft Punk');
    const hybrid = await cli('artists', 'list', '--source', 'hybrid', '--json');
    expect(JSON.parse(hybrid.out).artists.map((a: { displayName: string }) => a.displayName)).toEqual(['Beyoncé']);
  });

  it('gets an artist, lists its albums and looks a track up by ISRC', async () => {
    const artist = await cli('artist', 'get', ids.beyonce);
    expect(artist.out).toMatch(/name\s+Beyoncé/);
    expect(artist.out).toMatch(/spotify\s+spotify:artist:6vWDO969PvNqNYHIOW5v0m/);
    const albums = await cli('albums', 'list', '--artist', ids.beyonce, '--json');
    expect(JSON.parse(albums.out).albums.map((a: { title: string }) => a.title)).toEqual(['Lemonade']);
    const track = await cli('track', 'lookup', '--isrc', 'USSM11600513');
    expect(track.out).toMatch(/title\s+Formation/);
    expect(track.out).toMatch(/album\s+Lemonade/);
  });

  it('shows projection status and dead letters', async () => {
    const status = await cli('projection', 'status');
    expect(status.out).toMatch(/checkpointed\s+42/);
    expect(status.out).toMatch(/dead letters\s+1/);
    const dead = await cli('dead-letters', 'list', '--json');
    expect(JSON.parse(dead.out).deadLetters[0]).toMatchObject({ key: 'spotify:track:X', error: 'invalid ISRC' });
    const retry = await cli('dead-letters', 'retry');
    expect(retry.code).toBe(1);
    expect(retry.err).toMatch(/FAILED_PRECONDITION/);
  });

  it('reports server-side validation errors with their field violations, and usage errors with exit code 2', async () => {
    const bad = await cli('artists', 'list', '--filter', 'genre = rock');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/INVALID_ARGUMENT/);
    expect(bad.err).toMatch(/ {2}filter: unknown field "genre"/);
    const missing = await cli('artist', 'get', '00000000-0000-5000-8000-000000000000');
    expect(missing.err).toMatch(/NOT_FOUND/);
    expect((await cli('artist', 'lookup')).code).toBe(2);
  });

  it('runs as `npm run cli` entry point with SOULSPOT_GRPC_ADDR', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'apps/library-service/src/cli/main.ts', 'artists', 'list', '--json'], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, SOULSPOT_GRPC_ADDR: address },
    });
    expect(JSON.parse(stdout).artists).toHaveLength(2);
    const failed = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'apps/library-service/src/cli/main.ts', 'nonsense'], { cwd: WORKSPACE_ROOT }).catch((e) => e);
    expect(failed.code).toBe(2);
  });
});
