/**
 * `npm run bench:rebuild`: a blue/green rebuild of the projection benchmark's library (same generator, same shape:
 * 10,000 artists x 10 albums x 10 tracks = 1,111,000 events at scale 1) against the initial projection of the same
 * events in the same run, with live GetArtist latency measured while the rebuild runs.
 *
 * 1. PostgreSQL (devstack) migrated; the embedded broker in its own process (or KAFKA_BROKERS); 12 partitions.
 * 2. The library produced to the topic; the real service (apps/library-service/src/main.ts) spawned and timed until
 *    every checkpoint reaches the end of the topic: the initial projection. Once enough artists exist, GetArtist runs
 *    at the same rate as below until the projection is done: reads during a live projection.
 * 3. GetArtist at a fixed rate (open loop: latency counted from when each request was due) for a baseline window,
 *    then StartRebuild over gRPC and the same load until GetRebuildStatus says DONE: the rebuild time (start ->
 *    swap committed) and the live read latency during it.
 * Writes benchmarks/results/rebuild.json and prints the table of the "## bench:rebuild" section of BENCHMARKS.md;
 * BENCH_REBUILD_UPDATE_BENCHMARKS_MD=1 also replaces that section in BENCHMARKS.md (which holds the written analysis
 * of earlier runs, so by default the file is left to whoever records the run).
 * CPU seconds of every phase are split by who spent them (service main thread, replay thread, PostgreSQL backends by
 * application_name, broker, this process): they do not depend on the machine's load the way wall-clock time does.
 * Env: BENCH_REBUILD_SCALE (default 1, the issue's full set; smaller for a quick look), BENCH_REBUILD_RATE
 * (GetArtist requests/s, default 20), BENCH_REBUILD_PARTITIONS (12), BENCH_REBUILD_REPLAY_NICE /
 * BENCH_REBUILD_POSTGRES_NICE / BENCH_REBUILD_REPLAY_RUNNER / BENCH_REBUILD_REPLAY_MAX_OLD_SPACE_MB (the service's
 * REBUILD_* settings of the same names; unset = its defaults),
 * BENCH_REBUILD_NODE_FLAGS (extra node flags for the service after the Deployment's, for investigating).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { credentials, Metadata } from '@grpc/grpc-js';
import type { KafkaEvent } from '@soulspot/contracts';
import { LibraryServiceClient, ProjectionAdminClient, RebuildMode, RebuildPhase, type RebuildStatus } from '@soulspot/contracts/library';
import { buildDeployedService, provisionPostgres, startKafkaProcess, type DeployedService } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { createEventPublisher, createKafka, ensureTopics, topicEndOffsets } from '@soulspot/messaging';
import { createLogger } from '@soulspot/observability';
import { generateLibrary } from '../test/support/library-generator';
import { summarize, type RunStats } from './latency';
import { parentPid, processMemory } from './process-cpu';
import { childPids, CpuSampler, RuntimeScraper, totalCpu, type PhaseCpu } from './rebuild-cpu';

const WORKSPACE = resolve(import.meta.dirname, '../../..');
const SCALE = Number(process.env.BENCH_REBUILD_SCALE ?? 1);
/** Only the issue's full set is the recorded result; other scales (iterating) get their own file and leave BENCHMARKS.md alone. */
const RECORDED = SCALE === 1;
const UPDATE_BENCHMARKS_MD = process.env.BENCH_REBUILD_UPDATE_BENCHMARKS_MD === '1';
const RESULTS_FILE = join(WORKSPACE, RECORDED ? 'benchmarks/results/rebuild.json' : `benchmarks/results/rebuild-scale-${SCALE}.json`);
const RATE = Number(process.env.BENCH_REBUILD_RATE ?? 20);
const PARTITIONS = Number(process.env.BENCH_REBUILD_PARTITIONS ?? 12);
const BASELINE_MS = 10_000;
const EXTRA_NODE_FLAGS = (process.env.BENCH_REBUILD_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const TOPIC = 'soulspot.library-events.v1';
const TARGETS = { maxRatioToInitial: 1.2, maxGetArtistP99Ms: 10 };
/** The service's rebuild priority settings for this run (only passed on when set: otherwise its defaults apply). */
const PRIORITY_ENV = Object.fromEntries(
  [
    ['REBUILD_REPLAY_NICE', process.env.BENCH_REBUILD_REPLAY_NICE],
    ['REBUILD_POSTGRES_NICE', process.env.BENCH_REBUILD_POSTGRES_NICE],
    ['REBUILD_REPLAY_RUNNER', process.env.BENCH_REBUILD_REPLAY_RUNNER],
    ['REBUILD_REPLAY_MAX_OLD_SPACE_MB', process.env.BENCH_REBUILD_REPLAY_MAX_OLD_SPACE_MB],
  ].filter((entry): entry is [string, string] => entry[1] !== undefined),
);

const log = (message: string) => process.stdout.write(`[bench:rebuild] ${message}\n`);
/** Service log lines kept in the results (the replay's CPU priority, the swap's carried-over ids and their cost). */
const RECORDED_SERVICE_LOG = ['CPU priority of the rebuild replay', 'the rebuilt ones did not now redirect'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** KAFKA_BROKERS when set, else the embedded broker in its own process (so its CPU is not the service's). */
async function startBroker(): Promise<{ brokers: string[]; pid?: number; stop(): Promise<void> }> {
  if (process.env.KAFKA_BROKERS) return { brokers: process.env.KAFKA_BROKERS.split(','), stop: async () => undefined };
  return startKafkaProcess({ autoCreate: false });
}

const priorityLog: string[] = [];

function spawnService(service: DeployedService, databaseUrl: string, brokers: string[], metricsPort: number): { child: ChildProcess; port: Promise<number> } {
  // measured as deployed: the bundle, with the Deployment's node flags (heap cap)
  const child = spawn(process.execPath, [...service.nodeOptions, ...EXTRA_NODE_FLAGS, service.bundle], {
    cwd: WORKSPACE,
    env: {
      ...process.env,
      ...service.env,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC: TOPIC,
      KAFKA_DLQ_TOPIC: `${TOPIC}.dlq`,
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      GRPC_PORT: '0',
      GRPC_HOST: '127.0.0.1',
      PAGE_TOKEN_SECRET: 'bench-rebuild-page-token-secret',
      LOG_LEVEL: 'info',
      METRICS_PORT: String(metricsPort),
      ...PRIORITY_ENV,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = new Promise<number>((resolvePort, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      const match = /"port":(\d+),[^\n]*gRPC server listening/.exec(output);
      if (match) resolvePort(Number(match[1]));
      // the service's decisions about the replay's CPU priority, and the ids its swap carried over, for the record
      for (const line of chunk.toString().split('\n')) if (RECORDED_SERVICE_LOG.some((text) => line.includes(text))) priorityLog.push(line.slice(0, 400));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`library-service exited (${code}):\n${output.slice(-2000)}`)));
  });
  port.catch(() => undefined);
  return { child, port };
}

function unary<Req, Res>(client: object, method: (...args: never[]) => unknown, request: Req, deadlineMs = 10_000): Promise<Res> {
  return new Promise((resolvePromise, reject) =>
    (method as unknown as (r: Req, m: Metadata, o: object, cb: (e: Error | null, r: Res) => void) => void).call(
      client,
      request,
      new Metadata(),
      { deadline: new Date(Date.now() + deadlineMs) },
      (error, response) => (error ? reject(error) : resolvePromise(response)),
    ),
  );
}

/** GetArtist at `rate`/s until stopped; latency counted from each request's due time (no coordinated omission). */
function readLoad(library: LibraryServiceClient, ids: string[], rate: number): { stop(): Promise<RunStats & { slowest: Array<{ at: number; ms: number }> }> } {
  const latencies: number[] = [];
  const dueTimes: number[] = [];
  let errors = 0;
  let running = true;
  const inflight = new Set<Promise<void>>();
  const start = performance.now();
  const done = (async () => {
    let issued = 0;
    while (running) {
      const due = Math.floor(((performance.now() - start) * rate) / 1000) + 1;
      for (; issued < due; issued++) {
        const dueAt = start + (issued * 1000) / rate;
        const p: Promise<void> = unary(library, library.getArtist, { name: `artists/${ids[issued % ids.length]}` }, 5_000)
          .then(
            () => {
              latencies.push(performance.now() - dueAt);
              dueTimes.push(dueAt);
            },
            () => void errors++,
          )
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      // sleep until the next request is due (not a 1 ms polling loop: at 20/s that loop alone took ~7% of a core
      // on a 2-core machine, CPU the measured rebuild then lacked); lateness of the timer still counts as latency
      await sleep(Math.max(0, start + (issued * 1000) / rate - performance.now()));
    }
    await Promise.all(inflight);
  })();
  return {
    async stop() {
      running = false;
      await done;
      // the slowest requests and when they were due (seconds after the load started): when do the outliers happen?
      const slowest = latencies
        .map((ms, i) => ({ at: (dueTimes[i] - start) / 1000, ms }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 15);
      return { ...summarize(latencies, errors, rate, performance.now() - start), slowest };
    },
  };
}

/** A TCP port nobody listens on right now (for the service's /metrics). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

async function appliedTotal(sql: pg.Client): Promise<number> {
  const { rows } = await sql.query(`select coalesce(sum(next_offset), 0)::text as n from projection_checkpoints where topic = $1`, [TOPIC]);
  return Number(rows[0].n);
}

function writeBenchmarksSection(
  results: Record<string, unknown> & { events: number },
  r: { initialSeconds: number; rebuildSeconds: number; ratio: number; during: RunStats; baseline: RunStats; duringProjection?: RunStats; initialCpu: PhaseCpu; rebuildCpu: PhaseCpu },
): void {
  const perEvent = (cpu: PhaseCpu) => `${Math.round((totalCpu(cpu) * 1e6) / results.events)} µs/event`;
  const split = (cpu: PhaseCpu) =>
    `service main ${cpu.serviceMain} s, replay main thread ${cpu.serviceReplay} s, replay process other threads ${cpu.replayOther} s, service other threads ${cpu.serviceOther} s; PostgreSQL ${Object.entries(cpu.postgres)
      .map(([app, sec]) => `${app} ${sec} s`)
      .join(', ')}; broker ${cpu.broker} s; bench ${cpu.bench} s`;
  const path = join(WORKSPACE, 'BENCHMARKS.md');
  const section = [
    '## bench:rebuild',
    '',
    `\`npm run bench:rebuild\` (BENCH_REBUILD_SCALE=${SCALE}: ${results.events.toLocaleString('en-US')} events, ${PARTITIONS} partitions; ` +
      `${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join('/')}). ` +
      'Blue/green rebuild of the projection benchmark library through the real service, started over gRPC, against the initial projection of the same events in the same run; GetArtist at a fixed rate meanwhile.',
    '',
    '| figure | value | target |',
    '|---|---|---|',
    `| initial projection | ${r.initialSeconds.toFixed(1)} s (${Math.round(results.events / r.initialSeconds)} events/s) | |`,
    `| rebuild (start -> swap committed) | ${r.rebuildSeconds.toFixed(1)} s (${Math.round(results.events / r.rebuildSeconds)} events/s) | |`,
    `| rebuild / initial | ${r.ratio.toFixed(2)}x | <= ${TARGETS.maxRatioToInitial}x |`,
    `| GetArtist p99 during rebuild (${RATE}/s) | ${r.during.p99} ms (p50 ${r.during.p50}, max ${r.during.max}, errors ${r.during.errors}) | <= ${TARGETS.maxGetArtistP99Ms} ms |`,
    `| GetArtist p99 without rebuild | ${r.baseline.p99} ms (p50 ${r.baseline.p50}) | |`,
    `| GetArtist p99 during the initial projection | ${r.duringProjection ? `${r.duringProjection.p99} ms (p50 ${r.duringProjection.p50}, max ${r.duringProjection.max}, errors ${r.duringProjection.errors})` : 'not measured'} | |`,
    `| CPU, initial projection | ${totalCpu(r.initialCpu)} s = ${perEvent(r.initialCpu)} (${split(r.initialCpu)}) | |`,
    `| CPU, rebuild | ${totalCpu(r.rebuildCpu)} s = ${perEvent(r.rebuildCpu)} (${split(r.rebuildCpu)}) | |`,
    `| replay priority | ${JSON.stringify(PRIORITY_ENV)} (unset = service defaults) | |`,
    '',
    'Results: benchmarks/results/rebuild.json.',
    '',
  ].join('\n');
  // other benchmarks rewrite the same file: replace our section under the workspace's root-file lock
  const replace = `
    const fs = require('node:fs');
    const [path, section] = process.argv.slice(1);
    const current = fs.readFileSync(path, 'utf8');
    const start = current.indexOf('## bench:rebuild');
    const end = start < 0 ? -1 : current.indexOf('\\n## ', start + 1);
    const next = start < 0 ? current.trimEnd() + '\\n\\n' + section : current.slice(0, start) + section + (end < 0 ? '' : current.slice(end + 1));
    fs.writeFileSync(path, next);`;
  if (!UPDATE_BENCHMARKS_MD) {
    log(`section for BENCHMARKS.md (not written; BENCH_REBUILD_UPDATE_BENCHMARKS_MD=1 writes it):\n${section}`);
    return;
  }
  const result = spawnSync('flock', ['/tmp/root.lock', process.execPath, '-e', replace, path, section], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`could not update ${path}`);
}

async function main(): Promise<void> {
  const shape = { artists: Math.max(1, Math.round(10_000 * SCALE)), albumsPerArtist: 10, tracksPerAlbum: 10, overlap: 1 / 3, seed: 42, twists: true };
  log(`shape ${JSON.stringify(shape)}, ${PARTITIONS} partitions`);
  const deployed = buildDeployedService(WORKSPACE, 'library-service', 'deploy/k8s/base/library-service.yaml');
  const loadBefore = os.loadavg();
  const db = await provisionPostgres();
  const broker = await startBroker();
  const sql = new pg.Client({ connectionString: db.url });
  let service: ChildProcess | undefined;
  try {
    await migrateUp(db.url);
    await sql.connect();
    const kafka = createKafka({ brokers: broker.brokers, clientId: 'bench-rebuild', logger: createLogger('bench') });
    await ensureTopics(kafka, [
      { topic: TOPIC, numPartitions: PARTITIONS },
      { topic: `${TOPIC}.dlq`, numPartitions: 1 },
    ]);
    const publisher = await createEventPublisher(kafka, { topic: TOPIC, chunkSize: 2000 });
    let chunk: KafkaEvent[] = [];
    for (const event of generateLibrary(shape)) {
      chunk.push(event);
      if (chunk.length === 20_000) {
        await publisher.publish(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await publisher.publish(chunk);
    await publisher.disconnect();
    const events = [...(await topicEndOffsets(kafka, TOPIC)).values()].reduce((a, b) => a + Number(b), 0);
    log(`produced ${events} events`);

    const backendPid = (await sql.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    const loadAverages: Record<string, number[]> = { beforeInitial: os.loadavg() };
    const spawnedAt = performance.now();
    const metricsPort = await freePort();
    const spawned = spawnService(deployed, db.url, broker.brokers, metricsPort);
    const runtime = new RuntimeScraper(`http://127.0.0.1:${metricsPort}/metrics`);
    service = spawned.child;
    const cpu = new CpuSampler(sql, { service: service.pid!, postmaster: parentPid(backendPid), broker: broker.pid });
    await cpu.start();
    const port = await spawned.port;
    const address = `127.0.0.1:${port}`;
    const library = new LibraryServiceClient(address, credentials.createInsecure());
    const admin = new ProjectionAdminClient(address, credentials.createInsecure());
    // The same reads while the live projector works through the topic: from the moment enough artists exist to read
    // (ids sampled then) until the projection is done. What a user of the API sees during a big sync.
    let initialPeakRss = 0;
    let projectionLoad: ReturnType<typeof readLoad> | undefined;
    let projectionLoadAppliedAt = 0;
    for (;;) {
      const applied = await appliedTotal(sql);
      if (applied >= events) break;
      if (!projectionLoad && applied < events * 0.8) {
        const known = (await sql.query<{ id: string }>('select id from soulspot_artists order by random() limit 2000')).rows.map((r) => r.id);
        if (known.length >= Math.min(2000, shape.artists / 2)) {
          projectionLoad = readLoad(library, known, RATE);
          projectionLoadAppliedAt = applied;
        }
      }
      initialPeakRss = Math.max(initialPeakRss, processMemory(service.pid!).rss);
      await sleep(200);
    }
    const duringProjection = projectionLoad ? { ...(await projectionLoad.stop()), fromEventsApplied: projectionLoadAppliedAt } : undefined;
    const initialSeconds = (performance.now() - spawnedAt) / 1000;
    const initialCpu = await cpu.stop();
    loadAverages.afterInitial = os.loadavg();
    log(`initial projection: ${initialSeconds.toFixed(1)} s, service peak RSS ${(initialPeakRss / 2 ** 20).toFixed(0)} MB, CPU ${JSON.stringify(initialCpu)}`);
    if (duringProjection) {
      log(
        `GetArtist during the initial projection (from ${projectionLoadAppliedAt} events applied): p50 ${duringProjection.p50} ms, p99 ${duringProjection.p99} ms, ` +
          `max ${duringProjection.max} ms, errors ${duringProjection.errors}`,
      );
    } else log('GetArtist during the initial projection: not measured (the projection ended before enough artists existed)');
    const ids = (await sql.query<{ id: string }>('select id from soulspot_artists order by random() limit 2000')).rows.map((r) => r.id);
    const counts = async () => (await sql.query('select (select count(*) from soulspot_artists) a, (select count(*) from soulspot_albums) b, (select count(*) from soulspot_tracks) t')).rows[0];
    const before = await counts();

    await cpu.start();
    await runtime.start();
    const baselineLoad = readLoad(library, ids, RATE);
    await sleep(BASELINE_MS);
    const baseline = await baselineLoad.stop();
    const baselineCpu = await cpu.stop();
    const baselineRuntime = await runtime.stop();
    log(`GetArtist without rebuild: p50 ${baseline.p50} ms, p99 ${baseline.p99} ms, CPU ${JSON.stringify(baselineCpu)}, main thread ${JSON.stringify(baselineRuntime)}`);

    loadAverages.beforeRebuild = os.loadavg();
    await cpu.start();
    await runtime.start();
    const duringLoad = readLoad(library, ids, RATE);
    const rebuildStart = performance.now();
    let status: RebuildStatus = await unary(admin, admin.startRebuild, { mode: RebuildMode.REBUILD_MODE_BLUE_GREEN }, 120_000);
    const samples: Array<{ seconds: number; applied: number; eventsPerSecond: number; etaSeconds?: number; phase: number }> = [];
    let rebuildPeakRss = 0;
    let replayPeakRss = 0;
    let firstProgressSeconds: number | undefined;
    while (status.phase !== RebuildPhase.REBUILD_PHASE_DONE) {
      if (status.phase === RebuildPhase.REBUILD_PHASE_FAILED || status.phase === RebuildPhase.REBUILD_PHASE_CANCELLED) throw new Error(`rebuild ended ${status.phase}: ${status.error}`);
      await sleep(500);
      // the service and its replay child process (if any) together: the pod's memory
      const replayRss = childPids(service.pid!).reduce((sum, pid) => sum + processMemory(pid).rss, 0);
      replayPeakRss = Math.max(replayPeakRss, replayRss);
      rebuildPeakRss = Math.max(rebuildPeakRss, processMemory(service.pid!).rss + replayRss);
      status = await unary(admin, admin.getRebuildStatus, {}, 60_000);
      const seconds = (performance.now() - rebuildStart) / 1000;
      const applied = status.partitions.reduce((sum, p) => sum + p.offset, 0);
      if (applied > 0) firstProgressSeconds ??= seconds;
      samples.push({ seconds, applied, eventsPerSecond: Math.round(status.eventsPerSecond), etaSeconds: status.etaSeconds, phase: status.phase });
    }
    const rebuildSeconds = (performance.now() - rebuildStart) / 1000;
    const during = await duringLoad.stop();
    const rebuildCpu = await cpu.stop();
    const rebuildRuntime = await runtime.stop();
    loadAverages.afterRebuild = os.loadavg();
    log(`rebuild: ${rebuildSeconds.toFixed(1)} s (first progress after ${firstProgressSeconds?.toFixed(1)} s); GetArtist during it: p50 ${during.p50} ms, p99 ${during.p99} ms, errors ${during.errors}`);
    log(`rebuild CPU ${JSON.stringify(rebuildCpu)}; peak RSS ${(rebuildPeakRss / 2 ** 20).toFixed(0)} MB (service + replay process; replay process alone ${(replayPeakRss / 2 ** 20).toFixed(0)} MB); main thread ${JSON.stringify(rebuildRuntime)}`);
    log(`slowest GetArtist during the rebuild (s after start: ms): ${during.slowest.map((r) => `${r.at.toFixed(1)}: ${r.ms.toFixed(0)}`).join(', ')}`);
    const after = await counts();
    library.close();
    admin.close();

    const ratio = rebuildSeconds / initialSeconds;
    const results = {
      benchmark: 'rebuild',
      date: new Date().toISOString(),
      command: 'npm run bench:rebuild',
      machine: {
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        node: process.version,
        loadAverageBefore: loadBefore,
        loadAverageAfter: os.loadavg(),
        broker: process.env.KAFKA_BROKERS ? 'KAFKA_BROKERS' : 'embedded (own process)',
      },
      scale: SCALE,
      shape: { ...shape, partitions: PARTITIONS },
      events,
      initialProjectionSeconds: initialSeconds,
      initialEventsPerSecond: events / initialSeconds,
      initialProjectionPeakRssMb: initialPeakRss / 2 ** 20,
      rebuildSeconds,
      rebuildEventsPerSecond: events / rebuildSeconds,
      rebuildFirstProgressSeconds: firstProgressSeconds,
      rebuildPeakRssMb: rebuildPeakRss / 2 ** 20,
      rebuildReplayProcessPeakRssMb: replayPeakRss / 2 ** 20,
      ratioToInitial: ratio,
      priority: { env: PRIORITY_ENV, serviceLog: priorityLog },
      serviceNodeFlags: [...deployed.nodeOptions, ...EXTRA_NODE_FLAGS],
      serviceProcessEnv: deployed.env,
      loadAverages,
      cpuSeconds: {
        initial: { ...initialCpu, total: totalCpu(initialCpu), microsPerEvent: Math.round((totalCpu(initialCpu) * 1e6) / events) },
        baselineReads: baselineCpu,
        rebuild: { ...rebuildCpu, total: totalCpu(rebuildCpu), microsPerEvent: Math.round((totalCpu(rebuildCpu) * 1e6) / events) },
      },
      mainThread: { baselineReads: baselineRuntime, rebuild: rebuildRuntime },
      getArtist: { rate: RATE, baseline, duringRebuild: during, duringInitialProjection: duringProjection ?? null },
      projectionRunner: process.env.PROJECTION_RUNNER ?? 'thread (default)',
      rowsBefore: before,
      rowsAfter: after,
      statusSamples: samples.filter((_, i) => i % 10 === 0),
      targets: TARGETS,
      meetsTargets: { ratioToInitial: ratio <= TARGETS.maxRatioToInitial, getArtistP99: during.p99 <= TARGETS.maxGetArtistP99Ms && during.errors === 0 },
    };
    mkdirSync(join(WORKSPACE, 'benchmarks/results'), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    if (RECORDED) writeBenchmarksSection(results, { initialSeconds, rebuildSeconds, ratio, during, baseline, duringProjection, initialCpu, rebuildCpu });
    log(`wrote ${RESULTS_FILE}`);
  } finally {
    service?.kill('SIGTERM');
    await sql.end().catch(() => undefined);
    await broker.stop();
    await db.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench:rebuild failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
