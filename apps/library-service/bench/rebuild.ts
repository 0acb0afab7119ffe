/**
 * `npm run bench:rebuild`: a blue/green rebuild of the projection benchmark's library (same generator, same shape:
 * 10,000 artists x 10 albums x 10 tracks = 1,111,000 events at scale 1) against the initial projection of the same
 * events in the same run, with live GetArtist latency measured while the rebuild runs.
 *
 * 1. PostgreSQL (devstack) migrated; the embedded broker in its own process (or KAFKA_BROKERS); 12 partitions.
 * 2. The library produced to the topic; the real service (apps/library-service/src/main.ts) spawned and timed until
 *    every checkpoint reaches the end of the topic: the initial projection.
 * 3. GetArtist at a fixed rate (open loop: latency counted from when each request was due) for a baseline window,
 *    then StartRebuild over gRPC and the same load until GetRebuildStatus says DONE: the rebuild time (start ->
 *    swap committed) and the live read latency during it.
 * Writes benchmarks/results/rebuild.json and the "## bench:rebuild" section of BENCHMARKS.md.
 * Env: BENCH_REBUILD_SCALE (default 1, the full set; smaller for a quick look), BENCH_REBUILD_RATE
 * (GetArtist requests/s, default 20), BENCH_REBUILD_PARTITIONS (12).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { credentials, Metadata } from '@grpc/grpc-js';
import type { KafkaEvent } from '@soulspot/contracts';
import { LibraryServiceClient, ProjectionAdminClient, RebuildMode, RebuildPhase, type RebuildStatus } from '@soulspot/contracts/library';
import { provisionPostgres, startKafkaProcess } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { createEventPublisher, createKafka, ensureTopics, topicEndOffsets } from '@soulspot/messaging';
import { createLogger } from '@soulspot/observability';
import { generateLibrary } from '../test/support/library-generator';
import { deployedNodeOptions } from './deployed-node-options';
import { summarize, type RunStats } from './latency';

const WORKSPACE = resolve(import.meta.dirname, '../../..');
const RESULTS_FILE = join(WORKSPACE, 'benchmarks/results/rebuild.json');
const SCALE = Number(process.env.BENCH_REBUILD_SCALE ?? 1);
const RATE = Number(process.env.BENCH_REBUILD_RATE ?? 20);
const PARTITIONS = Number(process.env.BENCH_REBUILD_PARTITIONS ?? 12);
const TOPIC = 'soulspot.library-events.v1';
const TARGETS = { maxRatioToInitial: 1.2, maxGetArtistP99Ms: 10 };

const log = (message: string) => process.stdout.write(`[bench:rebuild] ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** KAFKA_BROKERS when set, else the embedded broker in its own process (so its CPU is not the service's). */
async function startBroker(): Promise<{ brokers: string[]; stop(): Promise<void> }> {
  if (process.env.KAFKA_BROKERS) return { brokers: process.env.KAFKA_BROKERS.split(','), stop: async () => undefined };
  return startKafkaProcess({ autoCreate: false });
}

function spawnService(databaseUrl: string, brokers: string[]): { child: ChildProcess; port: Promise<number> } {
  // measured as deployed: with the Deployment's node flags (heap cap)
  const child = spawn(process.execPath, [...deployedNodeOptions(WORKSPACE), '--import', 'tsx', 'apps/library-service/src/main.ts'], {
    cwd: WORKSPACE,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC: TOPIC,
      KAFKA_DLQ_TOPIC: `${TOPIC}.dlq`,
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      GRPC_PORT: '0',
      GRPC_HOST: '127.0.0.1',
      PAGE_TOKEN_SECRET: 'bench-rebuild-page-token-secret',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = new Promise<number>((resolvePort, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      const match = /"port":(\d+),[^\n]*gRPC server listening/.exec(output);
      if (match) resolvePort(Number(match[1]));
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
function readLoad(library: LibraryServiceClient, ids: string[], rate: number): { stop(): Promise<RunStats> } {
  const latencies: number[] = [];
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
            () => void latencies.push(performance.now() - dueAt),
            () => void errors++,
          )
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await sleep(1);
    }
    await Promise.all(inflight);
  })();
  return {
    async stop() {
      running = false;
      await done;
      return summarize(latencies, errors, rate, performance.now() - start);
    },
  };
}

/** Resident set size of a process, from /proc (bytes; 0 once it is gone). */
function rssOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

async function appliedTotal(sql: pg.Client): Promise<number> {
  const { rows } = await sql.query(`select coalesce(sum(next_offset), 0)::text as n from projection_checkpoints where topic = $1`, [TOPIC]);
  return Number(rows[0].n);
}

function writeBenchmarksSection(results: Record<string, unknown> & { events: number }, r: { initialSeconds: number; rebuildSeconds: number; ratio: number; during: RunStats; baseline: RunStats }): void {
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
  const result = spawnSync('flock', ['/tmp/root.lock', process.execPath, '-e', replace, path, section], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`could not update ${path}`);
}

async function main(): Promise<void> {
  const shape = { artists: Math.max(1, Math.round(10_000 * SCALE)), albumsPerArtist: 10, tracksPerAlbum: 10, overlap: 1 / 3, seed: 42, twists: true };
  log(`shape ${JSON.stringify(shape)}, ${PARTITIONS} partitions`);
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

    const spawnedAt = performance.now();
    const spawned = spawnService(db.url, broker.brokers);
    service = spawned.child;
    const port = await spawned.port;
    let initialPeakRss = 0;
    while ((await appliedTotal(sql)) < events) {
      initialPeakRss = Math.max(initialPeakRss, rssOf(service.pid!));
      await sleep(200);
    }
    const initialSeconds = (performance.now() - spawnedAt) / 1000;
    log(`initial projection: ${initialSeconds.toFixed(1)} s, service peak RSS ${(initialPeakRss / 2 ** 20).toFixed(0)} MB`);

    const address = `127.0.0.1:${port}`;
    const library = new LibraryServiceClient(address, credentials.createInsecure());
    const admin = new ProjectionAdminClient(address, credentials.createInsecure());
    const ids = (await sql.query<{ id: string }>('select id from soulspot_artists order by random() limit 2000')).rows.map((r) => r.id);
    const counts = async () => (await sql.query('select (select count(*) from soulspot_artists) a, (select count(*) from soulspot_albums) b, (select count(*) from soulspot_tracks) t')).rows[0];
    const before = await counts();

    const baselineLoad = readLoad(library, ids, RATE);
    await sleep(10_000);
    const baseline = await baselineLoad.stop();
    log(`GetArtist without rebuild: p50 ${baseline.p50} ms, p99 ${baseline.p99} ms`);

    const duringLoad = readLoad(library, ids, RATE);
    const rebuildStart = performance.now();
    let status: RebuildStatus = await unary(admin, admin.startRebuild, { mode: RebuildMode.REBUILD_MODE_BLUE_GREEN }, 120_000);
    const samples: Array<{ seconds: number; eventsPerSecond: number; etaSeconds?: number; phase: number }> = [];
    while (status.phase !== RebuildPhase.REBUILD_PHASE_DONE) {
      if (status.phase === RebuildPhase.REBUILD_PHASE_FAILED || status.phase === RebuildPhase.REBUILD_PHASE_CANCELLED) throw new Error(`rebuild ended ${status.phase}: ${status.error}`);
      await sleep(500);
      status = await unary(admin, admin.getRebuildStatus, {}, 60_000);
      samples.push({ seconds: (performance.now() - rebuildStart) / 1000, eventsPerSecond: Math.round(status.eventsPerSecond), etaSeconds: status.etaSeconds, phase: status.phase });
    }
    const rebuildSeconds = (performance.now() - rebuildStart) / 1000;
    const during = await duringLoad.stop();
    log(`rebuild: ${rebuildSeconds.toFixed(1)} s; GetArtist during it: p50 ${during.p50} ms, p99 ${during.p99} ms, errors ${during.errors}`);
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
      ratioToInitial: ratio,
      getArtist: { rate: RATE, baseline, duringRebuild: during },
      rowsBefore: before,
      rowsAfter: after,
      statusSamples: samples.filter((_, i) => i % 10 === 0),
      targets: TARGETS,
      meetsTargets: { ratioToInitial: ratio <= TARGETS.maxRatioToInitial, getArtistP99: during.p99 <= TARGETS.maxGetArtistP99Ms && during.errors === 0 },
    };
    mkdirSync(join(WORKSPACE, 'benchmarks/results'), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    writeBenchmarksSection(results, { initialSeconds, rebuildSeconds, ratio, during, baseline });
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
