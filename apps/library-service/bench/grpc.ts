// npm run bench:grpc — read-API latency at a fixed rate over a 10k / 100k / 1M library, next to the same SQL.
// Provisions PostgreSQL (devstack), bulk-loads the library with SQL, serves it with startGrpcServer in this
// process and drives it from a separate load-generator process (bench/grpc-load.ts).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import pino from 'pino';
import { deployedNodeOptions, deployedProcessEnv, provisionPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { credentials } from '@grpc/grpc-js';
import { LibraryServiceClient, type Artist } from '@soulspot/contracts/library';
import { startGrpcServer } from '../src/grpc';
import { DATASET, loadDataset } from './grpc-dataset';
import { startFloorServer } from './grpc-floor-server';
import type { LoadClient, PhaseName } from './grpc-load';
import type { RunStats } from './latency';
import { parentPid, serverTreeCpuMicros } from './process-cpu';
import { stallRecorder, type StallStats } from './runtime-stalls';

const WORKSPACE_ROOT = join(import.meta.dirname, '../../..');
const TARGETS = { getArtistP99Ms: 5, getArtistRate: 2000, listArtistsP99Ms: 20, listArtistsRate: 200, listPageSize: 100 };
/**
 * V8 flags of the load-generator process (BENCH_LOAD_NODE_FLAGS). Every pause of the load process delays the calls
 * due meanwhile, which the open-loop measurement (rightly) counts as latency, so the measuring tool is tuned to pause
 * briefly. A small young generation (4 MB) keeps each scavenge short. V8's allocation-site pretenuring is off: with
 * it, the first runs of this client spent 1.1-1.2 s per phase in scavenges of 7-10 ms on average, and ListArtists
 * cost 2.3 ms of client CPU per call; without it, 0.7 ms per call and 0.15-0.25 s of GC per phase (BENCHMARKS.md,
 * bench:grpc session 12). A large initial old generation (512 MB) keeps what is still promoted from triggering full
 * GCs during a phase, and --expose-gc lets the load generator collect it between phases. One V8 helper thread
 * (--v8-pool-size=1, as the service's Deployment has): four helpers joining every scavenge on two cores shared with
 * the server and PostgreSQL made the pauses longer, not shorter. None of this touches the server.
 */
const LOAD_GENERATOR_NODE_FLAGS = (process.env.BENCH_LOAD_NODE_FLAGS ?? '--max-semi-space-size=4 --initial-old-space-size=512 --expose-gc --v8-pool-size=1 --no-allocation-site-pretenuring')
  .split(' ')
  .filter(Boolean);
/** gRPC channels (HTTP/2 connections) the load generator spreads its calls over (BENCH_GRPC_CHANNELS). */
const GRPC_CHANNELS = Number(process.env.BENCH_GRPC_CHANNELS ?? 4);
/**
 * The load generator's client (BENCH_LOAD_CLIENT): 'h2' (default), a lean gRPC client on this benchmark's own HTTP/2
 * implementation with pre-built request frames (bench/grpc-h2-client.ts, bench/http2), or 'grpc-js', the real grpc-js
 * client. Both speak the same protocol to the same server and decode every response; the h2 client needs a fraction
 * of the CPU, which on 2 shared cores is CPU the measured server gets back.
 */
const LOAD_CLIENT = (process.env.BENCH_LOAD_CLIENT ?? 'h2') as LoadClient;
if (LOAD_CLIENT !== 'h2' && LOAD_CLIENT !== 'grpc-js') throw new Error(`BENCH_LOAD_CLIENT: ${LOAD_CLIENT} is neither h2 nor grpc-js`);
/** Get-by-id statements in flight per entity type (BENCH_BYID_IN_FLIGHT; the server's default when unset). */
const BYID_IN_FLIGHT = process.env.BENCH_BYID_IN_FLIGHT ? Number(process.env.BENCH_BYID_IN_FLIGHT) : undefined;
/** Server read pool size (BENCH_POOL_SIZE). */
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 10);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 15_000);
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 3_000);
const ALL_PHASES: PhaseName[] = ['grpcGetArtist', 'grpcFloorGetArtist', 'grpcListArtists', 'sqlGetArtist', 'sqlListArtists'];
/** BENCH_GET_RATE / BENCH_LIST_RATE override the offered rates (for investigating; a run below the target rate fails). */
/** BENCH_PHASES=grpcGetArtist,... runs a subset (for investigating one path); results/grpc.json is only written for all of them. */
const phases = (process.env.BENCH_PHASES?.split(',') ?? ALL_PHASES) as PhaseName[];
for (const name of phases) if (!ALL_PHASES.includes(name)) throw new Error(`BENCH_PHASES: unknown phase ${name} (known: ${ALL_PHASES.join(', ')})`);
/** BENCH_CPU_PROFILE_DIR=dir writes a V8 CPU profile of this process (the gRPC server) per measured gRPC phase. */
const cpuProfileDir = process.env.BENCH_CPU_PROFILE_DIR;
const log = (message: string) => process.stderr.write(`[bench:grpc] ${message}\n`);

/**
 * BENCH_DATABASE_URL=url serves a database that already holds this library (loaded by `loadDataset`) on this
 * machine instead of provisioning and loading a fresh one (for iterating; recorded runs use a fresh one).
 */
const reuseUrl = process.env.BENCH_DATABASE_URL;
/**
 * The gRPC server (this process) runs with the node flags of library-service's Deployment, which include an 8 MB V8
 * semi-space (BENCHMARKS.md, bench:grpc). grpc-js serves each call on an HTTP/2 stream whose native handle survives
 * young-generation GCs, so a call's objects are copied by the next scavenge whatever its size; a smaller young
 * generation makes each of those pauses shorter (more of them, each about 2-4 ms instead of 5-15 ms at 32 MB).
 * Started without them, the bench restarts itself with these flags (and the Deployment's MALLOC_ARENA_MAX);
 * BENCH_SERVER_NODE_FLAGS='' measures V8's defaults.
 */
const SERVER_MANIFEST = [join(import.meta.dirname, '../../..'), 'deploy/k8s/base/library-service.yaml'] as const;
const SERVER_NODE_FLAGS = (process.env.BENCH_SERVER_NODE_FLAGS ?? deployedNodeOptions(...SERVER_MANIFEST).join(' '))
  .split(' ')
  .filter(Boolean);
if (SERVER_NODE_FLAGS.length > 0 && process.env.BENCH_GRPC_SERVER_FLAGS_APPLIED !== '1') {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...deployedProcessEnv(...SERVER_MANIFEST), BENCH_GRPC_SERVER_FLAGS_APPLIED: '1' },
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
  process.exit(code);
}
const postgres = reuseUrl ? await existingPostgres(reuseUrl) : await provisionPostgres();
// idleTimeoutMillis 0: backends stay up, so their CPU (read from /proc) is not lost when an idle one would exit.
const pool = new pg.Pool({ connectionString: postgres.url, max: POOL_SIZE, idleTimeoutMillis: 0 });
pool.on('error', () => undefined);
let server: Awaited<ReturnType<typeof startGrpcServer>> | undefined;
let floor: Awaited<ReturnType<typeof startFloorServer>> | undefined;
try {
  const loadStarted = performance.now();
  if (!reuseUrl) {
    await migrateUp(postgres.url);
    log(`loading ${DATASET.artists} artists / ${DATASET.albums} albums / ${DATASET.tracks} tracks with SQL ...`);
    await loadDataset(pool);
  }
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  log(reuseUrl ? `serving the library in ${reuseUrl.replace(/\/\/[^@]*@/, '//')}` : `loaded in ${loadSeconds.toFixed(1)} s`);

  const pageTokenSecret = 'bench-grpc-page-token-secret';
  server = await startGrpcServer({ pool, logger: pino({ level: 'error' }), port: 0, host: '127.0.0.1', pageTokenSecret, byIdStatementsInFlight: BYID_IN_FLIGHT });
  floor = await startFloorServer(await sampleArtist(`127.0.0.1:${server.port}`, pool));
  const loadConfig = {
    address: `127.0.0.1:${server.port}`,
    floorAddress: `127.0.0.1:${floor.port}`,
    databaseUrl: postgres.url,
    pageTokenSecret,
    getRate: Number(process.env.BENCH_GET_RATE ?? TARGETS.getArtistRate),
    listRate: Number(process.env.BENCH_LIST_RATE ?? TARGETS.listArtistsRate),
    listPageSize: TARGETS.listPageSize,
    durationMs,
    warmupMs,
    channels: GRPC_CHANNELS,
    client: LOAD_CLIENT,
    phases,
  };
  log(`driving GetArtist at ${loadConfig.getRate}/s and ListArtists (page ${loadConfig.listPageSize}) at ${loadConfig.listRate}/s, ${durationMs / 1000} s each, then the same SQL (phases: ${phases.join(', ')}) ...`);
  const loadBefore = loadavg()[0];
  collectGarbage();
  const serverSide = await driveLoad(loadConfig, postgres.pid);
  const runs = serverSide.runs;
  const loadAfter = loadavg()[0];
  const perRequest = (micros: number | undefined, name: PhaseName) => (micros === undefined ? undefined : Math.round((micros / runs[name]!.requests) * 10) / 10);
  const grpcRun = (name: PhaseName) =>
    runs[name] && {
      ...runs[name],
      serverCpuMicrosPerRequest: perRequest(serverSide.phases[name]?.cpuMicros, name),
      postgresCpuMicrosPerRequest: perRequest(serverSide.phases[name]?.pgMicros, name),
      serverStalls: serverSide.phases[name]?.stalls,
    };
  const sqlRun = (name: PhaseName) => runs[name] && { ...runs[name], postgresCpuMicrosPerRequest: perRequest(serverSide.phases[name]?.pgMicros, name) };
  const passes = (run: RunStats | undefined, p99Ms: number, rate: number) => !!run && run.p99 <= p99Ms && run.errors === 0 && run.achievedRate >= rate * 0.95;
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
      serverPoolSize: POOL_SIZE,
      byIdStatementsInFlight: BYID_IN_FLIGHT ?? 'server default',
      serverNodeFlags: SERVER_NODE_FLAGS.join(' '),
      loadGeneratorNodeFlags: LOAD_GENERATOR_NODE_FLAGS.join(' '),
      listArtists: 'order_by name, page_size 100, page tokens at random keyset positions',
      loadGenerator:
        LOAD_CLIENT === 'h2'
          ? 'gRPC over the benchmark\'s own HTTP/2 client (bench/grpc-h2-client.ts, bench/http2): request frames (with page tokens) and header blocks built once before the run, grpc-timeout sent, HTTP status, content type and grpc-status checked, every response decoded in full by the generated code'
          : 'grpc-js client; requests (with page tokens) serialized once before the run, responses decoded in full',
      sqlBaseline: 'the same SELECT statements via pg (prepared), same rates, same process layout',
      floor:
        'grpcFloorGetArtist: the same load generator, requests and rate against a bare grpc-js server in this process (same channel options and node flags) that answers every GetArtist with one real artist of this library held in memory: what grpc-js, node:http2 and the load generator cost by themselves',
      stalls: 'event-loop delay (monitorEventLoopDelay, 1 ms resolution) and GC pauses (PerformanceObserver) per measured phase, server and client',
    },
    targets: TARGETS,
    grpc: { getArtist: grpcRun('grpcGetArtist'), listArtists: grpcRun('grpcListArtists') },
    sql: { getArtist: sqlRun('sqlGetArtist'), listArtists: sqlRun('sqlListArtists') },
    floor: { getArtist: grpcRun('grpcFloorGetArtist') },
    pass: {
      getArtist: passes(runs.grpcGetArtist, TARGETS.getArtistP99Ms, TARGETS.getArtistRate),
      listArtists: passes(runs.grpcListArtists, TARGETS.listArtistsP99Ms, TARGETS.listArtistsRate),
    },
  };
  const complete = ALL_PHASES.every((name) => runs[name]);
  if (complete) {
    mkdirSync(join(WORKSPACE_ROOT, 'benchmarks/results'), { recursive: true });
    writeFileSync(join(WORKSPACE_ROOT, 'benchmarks/results/grpc.json'), `${JSON.stringify(result, null, 2)}\n`);
  }
  const gcKinds = (s: StallStats) =>
    Object.entries(s.gcByKind)
      .map(([kind, k]) => `${kind} ${k.count}x ${k.totalMs} ms max ${k.maxMs}`)
      .join('; ');
  const stalls = (s: StallStats | undefined) => (s ? `loop delay p99 ${s.eventLoopDelayP99} max ${s.eventLoopDelayMax} ms, GC ${s.gcCount}x ${s.gcTotalMs} ms (${gcKinds(s)})` : '');
  const row = (name: string, phase: PhaseName) => {
    const s = runs[phase];
    if (!s) return undefined;
    const server = serverSide.phases[phase];
    return [
      `${name.padEnd(22)} rate ${String(s.achievedRate).padStart(7)}/s  p50 ${s.p50.toFixed(2).padStart(7)} ms  p99 ${s.p99.toFixed(2).padStart(7)} ms  max ${s.max.toFixed(1)} ms  errors ${s.errors}`,
      `${''.padEnd(22)} CPU/req client ${s.clientCpuMicrosPerRequest} µs${phase.startsWith('grpc') ? `, server ${perRequest(server?.cpuMicros, phase)} µs` : ''}, PostgreSQL ${perRequest(server?.pgMicros, phase)} µs`,
      `${''.padEnd(22)} client ${stalls(s.clientStalls)}`,
      phase.startsWith('grpc') ? `${''.padEnd(22)} server ${stalls(server?.stalls)}` : undefined,
    ]
      .filter((line) => line !== undefined)
      .join('\n');
  };
  process.stdout.write(
    [
      row('gRPC GetArtist', 'grpcGetArtist'),
      row('floor GetArtist', 'grpcFloorGetArtist'),
      row('SQL  GetArtist', 'sqlGetArtist'),
      row('gRPC ListArtists(100)', 'grpcListArtists'),
      row('SQL  ListArtists(100)', 'sqlListArtists'),
      `load average ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}`,
      `targets: GetArtist p99 <= ${TARGETS.getArtistP99Ms} ms at ${TARGETS.getArtistRate}/s: ${result.pass.getArtist ? 'PASS' : 'FAIL'}; ListArtists p99 <= ${TARGETS.listArtistsP99Ms} ms at ${TARGETS.listArtistsRate}/s: ${result.pass.listArtists ? 'PASS' : 'FAIL'}`,
      complete ? 'wrote benchmarks/results/grpc.json' : 'partial run (BENCH_PHASES): benchmarks/results/grpc.json not written',
      '',
    ]
      .filter((line) => line !== undefined)
      .join('\n'),
  );
} finally {
  await server?.stop(false);
  await floor?.stop();
  await pool.end();
  await postgres.stop();
}

/**
 * A full GC of this process (the gRPC servers) before each phase, outside the measurements. Finished HTTP/2 streams
 * are freed only by full GCs, whose pause grows with the number of streams since the last one; collecting between
 * phases keeps one phase's streams (the floor's, say) from lengthening a pause in the next. Within a phase the server
 * collects as it would in production.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** A hybrid artist (so its provenance has both providers) as library-service serves it: the floor server's reply. */
async function sampleArtist(address: string, db: pg.Pool): Promise<Artist> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM soulspot_artists WHERE source = 'hybrid' ORDER BY id LIMIT 1");
  const client = new LibraryServiceClient(address, credentials.createInsecure());
  try {
    return await new Promise<Artist>((resolve, reject) => client.getArtist({ name: `artists/${rows[0].id}` }, (error, artist) => (error ? reject(error) : resolve(artist))));
  } finally {
    client.close();
  }
}

/** An already loaded database; PostgreSQL's CPU is read from its postmaster (the parent of our backend). */
async function existingPostgres(url: string): Promise<{ url: string; mode: string; pid?: number; stop(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ artists: number; backend: number }>('SELECT (SELECT count(*) FROM soulspot_artists)::int AS artists, pg_backend_pid() AS backend');
    if (rows[0].artists !== DATASET.artists) throw new Error(`BENCH_DATABASE_URL holds ${rows[0].artists} artists, not the ${DATASET.artists} of the bench library`);
    return { url, mode: 'reused', pid: parentPid(rows[0].backend), stop: async () => undefined };
  } finally {
    await client.end();
  }
}

type LoadResults = Partial<Record<PhaseName, RunStats & { clientCpuMicrosPerRequest?: number; clientStalls?: StallStats }>>;
interface ServerPhase {
  cpuMicros?: number;
  pgMicros?: number;
  stalls?: StallStats;
}

/**
 * Runs the load generator process and, for each measured phase it announces, records this process's CPU (the gRPC
 * server), PostgreSQL's CPU (postmaster + backends, from /proc), this process's event-loop delay and GC pauses, and
 * optionally a CPU profile.
 */
async function driveLoad(loadConfig: object, postgresPid: number | undefined): Promise<{ runs: LoadResults; phases: Partial<Record<PhaseName, ServerPhase>> }> {
  const phaseStats: Partial<Record<PhaseName, ServerPhase>> = {};
  const pgCpu = () => (postgresPid === undefined ? undefined : serverTreeCpuMicros(postgresPid));
  const profiler = cpuProfileDir ? await cpuProfiler(cpuProfileDir) : undefined;
  let current: { name: PhaseName; cpu: NodeJS.CpuUsage; pg?: number; stalls: ReturnType<typeof stallRecorder> } | undefined;
  const runs = await new Promise<LoadResults>((resolve, reject) => {
    const child = spawn(process.execPath, [...LOAD_GENERATOR_NODE_FLAGS, '--import', 'tsx', 'apps/library-service/bench/grpc-load.ts', JSON.stringify(loadConfig)], { cwd: WORKSPACE_ROOT, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    child.on('message', (message: { phase: PhaseName; event: 'start' | 'end' }) => {
      if (message.event === 'start') {
        const stalls = stallRecorder();
        stalls.start();
        if (message.phase.startsWith('grpc')) void profiler?.start();
        current = { name: message.phase, cpu: process.cpuUsage(), pg: pgCpu(), stalls };
      } else if (current?.name === message.phase) {
        const used = process.cpuUsage(current.cpu);
        const pgNow = pgCpu();
        phaseStats[message.phase] = {
          cpuMicros: used.user + used.system,
          pgMicros: pgNow !== undefined && current.pg !== undefined ? pgNow - current.pg : undefined,
          stalls: current.stalls.stop(),
        };
        if (message.phase.startsWith('grpc')) void profiler?.stop(message.phase);
        current = undefined;
        // Between phases (the next one warms up first): see collectGarbage.
        collectGarbage();
      }
    });
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    // The results are the last line: node flags such as --trace-gc also write to stdout (passed through to stderr).
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      const lines = out.trimEnd().split('\n');
      if (lines.length > 1) process.stderr.write(`${lines.slice(0, -1).join('\n')}\n`);
      resolve(JSON.parse(lines[lines.length - 1]) as LoadResults);
    });
  });
  await profiler?.close();
  return { runs, phases: phaseStats };
}

/** V8 CPU profiles of this process through the inspector, one file per phase (opt-in: profiling costs CPU). */
async function cpuProfiler(dir: string) {
  const { Session } = await import('node:inspector/promises');
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  let pending = Promise.resolve();
  return {
    start: () => (pending = pending.then(() => session.post('Profiler.start'))),
    stop: (name: string) =>
      (pending = pending.then(async () => {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
        log(`wrote ${join(dir, `${name}.cpuprofile`)}`);
      })),
    close: async () => {
      await pending;
      session.disconnect();
    },
  };
}
