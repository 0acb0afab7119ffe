// npm run bench:grpc — read-API latency at a fixed rate over a 10k / 100k / 1M library, next to the same SQL.
// Provisions PostgreSQL (devstack), bulk-loads the library with SQL, serves it with startGrpcServer in this
// process and drives it from a separate load-generator process (bench/grpc-load.ts).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { provisionPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { startGrpcServer } from '../src/grpc';
import { DATASET, loadDataset } from './grpc-dataset';
import type { RunStats } from './latency';
import { serverTreeCpuMicros } from './process-cpu';

const WORKSPACE_ROOT = join(import.meta.dirname, '../../..');
const TARGETS = { getArtistP99Ms: 5, getArtistRate: 2000, listArtistsP99Ms: 20, listArtistsRate: 200, listPageSize: 100 };
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 15_000);
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 3_000);
const log = (message: string) => process.stderr.write(`[bench:grpc] ${message}\n`);

const postgres = await provisionPostgres();
// idleTimeoutMillis 0: backends stay up, so their CPU (read from /proc) is not lost when an idle one would exit.
const pool = new pg.Pool({ connectionString: postgres.url, max: 10, idleTimeoutMillis: 0 });
pool.on('error', () => undefined);
let server: Awaited<ReturnType<typeof startGrpcServer>> | undefined;
try {
  await migrateUp(postgres.url);
  log(`loading ${DATASET.artists} artists / ${DATASET.albums} albums / ${DATASET.tracks} tracks with SQL ...`);
  const loadStarted = performance.now();
  await loadDataset(pool);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  log(`loaded in ${loadSeconds.toFixed(1)} s`);

  const pageTokenSecret = 'bench-grpc-page-token-secret';
  server = await startGrpcServer({ pool, logger: pino({ level: 'error' }), port: 0, host: '127.0.0.1', pageTokenSecret });
  const loadConfig = {
    address: `127.0.0.1:${server.port}`,
    databaseUrl: postgres.url,
    pageTokenSecret,
    getRate: TARGETS.getArtistRate,
    listRate: TARGETS.listArtistsRate,
    listPageSize: TARGETS.listPageSize,
    durationMs,
    warmupMs,
    channels: 4,
  };
  log(`driving GetArtist at ${loadConfig.getRate}/s and ListArtists (page ${loadConfig.listPageSize}) at ${loadConfig.listRate}/s, ${durationMs / 1000} s each, then the same SQL ...`);
  const loadBefore = loadavg()[0];
  const serverCpu: Record<string, { cpuMicrosPerRequest?: number; cpuStart?: NodeJS.CpuUsage; pgStart?: number; pgMicros?: number }> = {};
  const pgCpu = () => (postgres.pid === undefined ? undefined : serverTreeCpuMicros(postgres.pid));
  const runs = await new Promise<Record<string, RunStats & { clientCpuMicrosPerRequest?: number }>>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/library-service/bench/grpc-load.ts', JSON.stringify(loadConfig)], { cwd: WORKSPACE_ROOT, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    // CPU of this process (the gRPC server) during each measured phase.
    child.on('message', (message: { phase: string; event: 'start' | 'end' }) => {
      const entry = (serverCpu[message.phase] ??= {});
      if (message.event === 'start') {
        entry.cpuStart = process.cpuUsage();
        entry.pgStart = pgCpu();
      } else if (entry.cpuStart) {
        const used = process.cpuUsage(entry.cpuStart);
        entry.cpuMicrosPerRequest = used.user + used.system;
        const pgNow = pgCpu();
        if (pgNow !== undefined && entry.pgStart !== undefined) entry.pgMicros = pgNow - entry.pgStart;
      }
    });
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited with ${code}`))));
  });

  const loadAfter = loadavg()[0];
  const cpuPerRequest = (name: string) => {
    const micros = serverCpu[name]?.cpuMicrosPerRequest;
    return micros === undefined ? undefined : Math.round((micros / runs[name].requests) * 10) / 10;
  };
  const pgCpuPerRequest = (name: string) => {
    const micros = serverCpu[name]?.pgMicros;
    return micros === undefined ? undefined : Math.round((micros / runs[name].requests) * 10) / 10;
  };
  const result = {
    benchmark: 'bench:grpc',
    date: new Date().toISOString(),
    machine: { cpuModel: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
    dataset: { ...DATASET, loadSeconds: Math.round(loadSeconds * 10) / 10, postgresMode: postgres.mode },
    method: {
      loadModel: 'open loop at a fixed rate from a separate process; latency from scheduled send time',
      durationMs,
      warmupMs,
      grpcChannels: loadConfig.channels,
      listArtists: 'order_by name, page_size 100, page tokens at random keyset positions',
      sqlBaseline: 'the same SELECT statements via pg (prepared), same rates, same process layout',
    },
    targets: TARGETS,
    grpc: {
      getArtist: { ...runs.grpcGetArtist, serverCpuMicrosPerRequest: cpuPerRequest('grpcGetArtist'), postgresCpuMicrosPerRequest: pgCpuPerRequest('grpcGetArtist') },
      listArtists: { ...runs.grpcListArtists, serverCpuMicrosPerRequest: cpuPerRequest('grpcListArtists'), postgresCpuMicrosPerRequest: pgCpuPerRequest('grpcListArtists') },
    },
    sql: {
      getArtist: { ...runs.sqlGetArtist, postgresCpuMicrosPerRequest: pgCpuPerRequest('sqlGetArtist') },
      listArtists: { ...runs.sqlListArtists, postgresCpuMicrosPerRequest: pgCpuPerRequest('sqlListArtists') },
    },
    pass: {
      getArtist: runs.grpcGetArtist.p99 <= TARGETS.getArtistP99Ms && runs.grpcGetArtist.errors === 0 && runs.grpcGetArtist.achievedRate >= TARGETS.getArtistRate * 0.95,
      listArtists: runs.grpcListArtists.p99 <= TARGETS.listArtistsP99Ms && runs.grpcListArtists.errors === 0 && runs.grpcListArtists.achievedRate >= TARGETS.listArtistsRate * 0.95,
    },
  };
  mkdirSync(join(WORKSPACE_ROOT, 'benchmarks/results'), { recursive: true });
  writeFileSync(join(WORKSPACE_ROOT, 'benchmarks/results/grpc.json'), `${JSON.stringify(result, null, 2)}\n`);
  const row = (name: string, s: RunStats & { clientCpuMicrosPerRequest?: number }) =>
    `${name.padEnd(22)} rate ${String(s.achievedRate).padStart(7)}/s  p50 ${s.p50.toFixed(2).padStart(7)} ms  p99 ${s.p99.toFixed(2).padStart(7)} ms  errors ${s.errors}  client CPU ${s.clientCpuMicrosPerRequest} µs/req`;
  process.stdout.write(
    [
      row('gRPC GetArtist', runs.grpcGetArtist),
      row('SQL  GetArtist', runs.sqlGetArtist),
      row('gRPC ListArtists(100)', runs.grpcListArtists),
      row('SQL  ListArtists(100)', runs.sqlListArtists),
      `server CPU per request: GetArtist ${cpuPerRequest('grpcGetArtist')} µs, ListArtists ${cpuPerRequest('grpcListArtists')} µs; PostgreSQL CPU per request (gRPC / SQL): GetArtist ${pgCpuPerRequest('grpcGetArtist')} / ${pgCpuPerRequest('sqlGetArtist')} µs, ListArtists ${pgCpuPerRequest('grpcListArtists')} / ${pgCpuPerRequest('sqlListArtists')} µs; load average ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}`,
      `targets: GetArtist p99 <= ${TARGETS.getArtistP99Ms} ms at ${TARGETS.getArtistRate}/s: ${result.pass.getArtist ? 'PASS' : 'FAIL'}; ListArtists p99 <= ${TARGETS.listArtistsP99Ms} ms at ${TARGETS.listArtistsRate}/s: ${result.pass.listArtists ? 'PASS' : 'FAIL'}`,
      'wrote benchmarks/results/grpc.json',
      '',
    ].join('\n'),
  );
} finally {
  await server?.stop(false);
  await pool.end();
  await postgres.stop();
}
