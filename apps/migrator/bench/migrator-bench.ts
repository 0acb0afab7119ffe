/**
 * npm run bench:migrator — legacy database of 10,000 artists / 100,000 albums / 1,000,000 tracks (scale with
 * BENCH_SCALE, e.g. 0.01 for a smoke run). Measures, in one run:
 *  - the migrator: `schema` + `replay` + `verify` (which waits until the real library-service projector has
 *    projected everything), wall time and the migrator processes' peak RSS;
 *  - the seed plan's plain-SQL consolidation (bench/plain-sql-consolidation.ts) on a copy of the same data.
 * Both work on the same rows: the legacy database is generated once and copied (CREATE DATABASE … TEMPLATE) before
 * either runs. Next to wall times it records CPU seconds — of the migrator processes, of the projector and of
 * PostgreSQL (process trees from /proc) — which do not depend on what else runs on the machine, and prints progress
 * every 15 s while the migrator runs.
 * Writes benchmarks/results/migrator.json and the "## bench:migrator" section of BENCHMARKS.md (other scales:
 * benchmarks/results/migrator-scale-<s>.json only).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { provisionPostgres, startKafkaProcess } from '@soulspot/devstack';
import { createLegacyDatabase } from '@soulspot/legacy-fixtures';
import { PLAIN_SQL_CONSOLIDATION } from './plain-sql-consolidation';
import { sampleTree, treeCpuSeconds, type TreeSample } from './process-tree';

const ROOT = resolve(import.meta.dirname, '../../..');
const scale = Number(process.env.BENCH_SCALE ?? 1);
const size = { artists: Math.round(10_000 * scale), albums: Math.round(100_000 * scale), tracks: Math.round(1_000_000 * scale) };
const seconds = (ms: number) => Math.round(ms / 10) / 100;
const log = (msg: string) => process.stdout.write(`[bench:migrator] ${msg}\n`);

/** A new database, empty or a copy of `template` (FILE_COPY: a plain copy of its files, no WAL for every block). */
async function createDatabase(serverUrl: string, name: string, template?: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY = FILE_COPY` : `CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The production form of the CLI: the esbuild bundle (what the container image runs), built once here. */
const MIGRATOR_BUNDLE = 'dist/apps/migrator/main.js';
/**
 * Each process runs with the NODE_OPTIONS its Kubernetes manifest sets (the V8 heap caps), so the benchmark measures
 * them as deployed. BENCH_MIGRATOR_NODE_OPTIONS overrides the migrator's.
 */
function deployedNodeOptions(manifest: string): string {
  const text = readFileSync(join(ROOT, manifest), 'utf8');
  const value = /- name: NODE_OPTIONS\s*\n\s*value: (.+)/.exec(text)?.[1];
  if (!value) throw new Error(`${manifest} sets no NODE_OPTIONS`);
  return value.trim();
}
const MIGRATOR_NODE_OPTIONS = process.env.BENCH_MIGRATOR_NODE_OPTIONS ?? deployedNodeOptions('deploy/k8s/base/migrator-job.yaml');
const PROJECTOR_NODE_OPTIONS = deployedNodeOptions('deploy/k8s/base/library-service.yaml');

function buildMigrator(): void {
  const built = spawnSync(process.execPath, ['tools/scripts/build.mjs', 'apps/migrator'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building the migrator bundle failed');
}

interface MeasuredRun extends TreeSample {
  ms: number;
  stdout: string;
}

/** Runs a migrator command as its own process, sampling its process tree (peak RSS, CPU seconds) from /proc. */
function migrator(args: string[], env: Record<string, string>): Promise<MeasuredRun> {
  return new Promise((resolveRun, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [MIGRATOR_BUNDLE, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', NODE_OPTIONS: MIGRATOR_NODE_OPTIONS, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const sampler = sampleTree(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => {
      const sample = sampler.stop();
      if (status !== 0) reject(new Error(`migrator ${args.join(' ')} exited ${status}\n${stdout}\n${stderr.slice(-4000)}`));
      else resolveRun({ ms: Date.now() - started, stdout, ...sample });
    });
  });
}

function startProjector(env: Record<string, string>): () => Promise<TreeSample> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/library-service/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', GRPC_PORT: '0', GRPC_HOST: '127.0.0.1', NODE_OPTIONS: PROJECTOR_NODE_OPTIONS, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const sampler = sampleTree(child.pid!, 500);
  return async () => {
    const sample = sampler.stop();
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
    return sample;
  };
}

/** A line every 15 s while the migrator runs: events the replay has published (its cursors) and the projection has applied (its checkpoints). */
function reportProgress(url: string, topic: string, started: number): () => Promise<void> {
  const db = new pg.Client({ connectionString: url });
  const connected = db.connect();
  let last = { at: started, projected: 0 };
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      await connected;
      const { rows } = await db.query(
        `SELECT (SELECT coalesce(sum(events_published), 0) FROM migrator_replay_cursors)::bigint AS published,
                (SELECT coalesce(sum(next_offset), 0) FROM projection_checkpoints WHERE topic = $1)::bigint AS projected`,
        [topic],
      );
      const now = Date.now();
      const projected = Number(rows[0].projected);
      const rate = Math.round((projected - last.projected) / ((now - last.at) / 1000));
      log(`+${seconds(now - started)} s: replay published ${Number(rows[0].published).toLocaleString('en')} events, projection applied ${projected.toLocaleString('en')} (${rate.toLocaleString('en')}/s), load ${loadavg()[0].toFixed(1)}`);
      last = { at: now, projected };
    } catch (error) {
      log(`progress query failed: ${(error as Error).message}`);
    } finally {
      busy = false;
    }
  }, 15_000);
  return async () => {
    clearInterval(timer);
    await connected.catch(() => undefined);
    await db.end().catch(() => undefined);
  };
}

const round1 = (values: number[]) => values.map((l) => Math.round(l * 10) / 10);

async function main(): Promise<void> {
  log(`size ${JSON.stringify(size)} (BENCH_SCALE=${scale})`);
  buildMigrator();
  const postgres = await provisionPostgres();
  // the embedded broker in its own process (in memory, like provisionKafka's), so that its CPU is measured apart
  const kafka = await startKafkaProcess();
  let stopProjector: (() => Promise<TreeSample>) | undefined;
  try {
    const legacyUrl = await createDatabase(postgres.url, 'bench_legacy');

    let t = Date.now();
    await createLegacyDatabase(legacyUrl, { ...size, seed: 'bench' });
    const fixtureLoadMs = Date.now() - t;
    log(`legacy fixture loaded in ${seconds(fixtureLoadMs)} s`);
    // Both contenders get a byte-for-byte copy of the same legacy database (statistics included).
    t = Date.now();
    const plainUrl = await createDatabase(postgres.url, 'bench_plain_sql', 'bench_legacy');
    const migUrl = await createDatabase(postgres.url, 'bench_migrator', 'bench_legacy');
    log(`copied it for the plain SQL and the migrator in ${seconds(Date.now() - t)} s`);
    const pgCpu = () => (postgres.pid ? treeCpuSeconds(postgres.pid) : NaN);

    const plain = new pg.Client({ connectionString: plainUrl });
    await plain.connect();
    const loadBeforePlain = round1(loadavg());
    const plainPgCpuBefore = pgCpu();
    t = Date.now();
    await plain.query('BEGIN');
    for (const sql of PLAIN_SQL_CONSOLIDATION) await plain.query(sql);
    await plain.query('COMMIT');
    const plainSqlMs = Date.now() - t;
    const plainSqlPgCpuSeconds = Math.round((pgCpu() - plainPgCpuBefore) * 10) / 10;
    const plainRows = (await plain.query(`SELECT (SELECT count(*) FROM soulspot_tracks)::int AS tracks`)).rows[0].tracks;
    await plain.end();
    log(`plain-SQL consolidation: ${seconds(plainSqlMs)} s, PostgreSQL CPU ${plainSqlPgCpuSeconds} s (${plainRows} soulspot_tracks rows)`);

    const topic = 'bench.library-events.v1';
    const env = { DATABASE_URL: migUrl, KAFKA_BROKERS: kafka.brokers.join(','), LIBRARY_EVENTS_TOPIC: topic, VERIFY_TIMEOUT_SECONDS: '7200' };
    const loadBeforeMigrator = round1(loadavg());
    const migratorPgCpuBefore = pgCpu();
    const brokerCpuBefore = treeCpuSeconds(kafka.pid);
    const started = Date.now();
    const stopProgress = reportProgress(migUrl, topic, started);
    const schema = await migrator(['schema'], env);
    log(`schema: ${seconds(schema.ms)} s`);
    stopProjector = startProjector({
      DATABASE_URL: migUrl,
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      KAFKA_GROUP_ID: 'bench-migrator',
    });
    const replay = await migrator(['replay', '--json'], env);
    const replayReport = JSON.parse(replay.stdout);
    const replayCpuMicrosPerEvent = Math.round((replay.cpuSeconds * 1e6) / Math.max(replayReport.events, 1));
    log(`replay: ${seconds(replay.ms)} s, ${replayReport.events} events, CPU ${replay.cpuSeconds} s (${replayCpuMicrosPerEvent} µs/event), peak RSS ${replay.peakRssMb} MB`);
    const verify = await migrator(['verify', '--json'], env);
    const verifyReport = JSON.parse(verify.stdout);
    const migratorMs = Date.now() - started;
    const migratorPgCpuSeconds = Math.round((pgCpu() - migratorPgCpuBefore) * 10) / 10;
    const brokerCpuSeconds = Math.round((treeCpuSeconds(kafka.pid) - brokerCpuBefore) * 10) / 10;
    await stopProgress();
    const projector = await stopProjector!();
    stopProjector = undefined;
    log(`verify (incl. waiting for the projection): ${seconds(verify.ms)} s, passed=${verifyReport.passed}`);

    const peakRssMb = Math.max(schema.peakRssMb, replay.peakRssMb, verify.peakRssMb);
    const migratorCpuSeconds = Math.round((schema.cpuSeconds + replay.cpuSeconds + verify.cpuSeconds) * 10) / 10;
    const totalCpuSeconds = Math.round((migratorCpuSeconds + projector.cpuSeconds + migratorPgCpuSeconds) * 10) / 10;
    const ratio = Math.round((migratorMs / plainSqlMs) * 100) / 100;
    const result = {
      benchmark: 'migrator',
      date: new Date().toISOString(),
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      postgres: postgres.mode,
      broker: 'embedded (own process, in memory)',
      size,
      loadAverage: { beforePlainSql: loadBeforePlain, beforeMigrator: loadBeforeMigrator, end: round1(loadavg()) },
      fixtureLoadSeconds: seconds(fixtureLoadMs),
      plainSqlSeconds: seconds(plainSqlMs),
      plainSqlPostgresCpuSeconds: plainSqlPgCpuSeconds,
      migrator: {
        schemaSeconds: seconds(schema.ms),
        replaySeconds: seconds(replay.ms),
        verifySeconds: seconds(verify.ms),
        totalSeconds: seconds(migratorMs),
        events: replayReport.events,
        eventsPerSecond: Math.round(replayReport.events / (migratorMs / 1000)),
        replayEventsPerSecond: Math.round(replayReport.events / (replay.ms / 1000)),
        replayCpuSeconds: replay.cpuSeconds,
        replayCpuMicrosPerEvent,
        cpuSeconds: migratorCpuSeconds,
        peakRssMb,
        nodeOptions: MIGRATOR_NODE_OPTIONS,
        verifyPassed: verifyReport.passed,
      },
      projector: { cpuSeconds: projector.cpuSeconds, peakRssMb: projector.peakRssMb, nodeOptions: PROJECTOR_NODE_OPTIONS },
      postgresCpuSecondsDuringMigrator: migratorPgCpuSeconds,
      brokerCpuSecondsDuringMigrator: brokerCpuSeconds,
      cpuSecondsMigratorProjectorPostgres: totalCpuSeconds,
      ratio,
      cpuRatio: Math.round((totalCpuSeconds / plainSqlPgCpuSeconds) * 100) / 100,
      targets: { ratioMax: 3, rssMbMax: 300 },
      meetsTargets: ratio <= 3 && peakRssMb <= 300 && verifyReport.passed,
    };
    mkdirSync(join(ROOT, 'benchmarks/results'), { recursive: true });
    // A run at another scale keeps its own file and leaves BENCHMARKS.md (the full-size record) alone.
    const resultsFile = `benchmarks/results/migrator${scale === 1 ? '' : `-scale-${scale}`}.json`;
    writeFileSync(join(ROOT, resultsFile), `${JSON.stringify(result, null, 2)}\n`);
    if (scale === 1) writeSection(result);
    log(`wrote ${resultsFile}${scale === 1 ? ' and the bench:migrator section of BENCHMARKS.md' : ''}`);
    log(`migrator ${result.migrator.totalSeconds} s vs plain SQL ${result.plainSqlSeconds} s: ratio ${ratio} (target <= 3), peak RSS ${peakRssMb} MB (target <= 300)`);
  } finally {
    await stopProjector?.();
    await kafka.stop();
    await postgres.stop();
  }
}

function writeSection(r: any): void {
  const file = join(ROOT, 'BENCHMARKS.md');
  const section = `## bench:migrator

\`flock /tmp/bench.lock npm run bench:migrator\` — ${r.date.slice(0, 16).replace('T', ' ')} UTC, ${r.cpu}, ${r.cores} cores, PostgreSQL ${r.postgres}, broker ${r.broker}.
Load average (1/5/15 min) before the plain SQL ${r.loadAverage.beforePlainSql.join(' / ')}, before the migrator ${r.loadAverage.beforeMigrator.join(' / ')},
at the end ${r.loadAverage.end.join(' / ')}: wall times include whatever else ran on the 2 cores; CPU seconds do not.
Legacy database: ${r.size.artists.toLocaleString('en')} artists / ${r.size.albums.toLocaleString('en')} albums / ${r.size.tracks.toLocaleString('en')} tracks (+ overlapping soulspot_* rows), generated in ${r.fixtureLoadSeconds} s and copied
(CREATE DATABASE … TEMPLATE) for each contender.

| measure | value |
| --- | --- |
| migrator schema + replay + verify (projection by library-service included) | ${r.migrator.totalSeconds} s |
| — schema / replay / verify (waits for the projection) | ${r.migrator.schemaSeconds} / ${r.migrator.replaySeconds} / ${r.migrator.verifySeconds} s |
| events replayed | ${r.migrator.events.toLocaleString('en')} (replay ${r.migrator.replayEventsPerSecond.toLocaleString('en')} events/s; ${r.migrator.eventsPerSecond.toLocaleString('en')} events/s end to end) |
| replay CPU | ${r.migrator.replayCpuSeconds} s (${r.migrator.replayCpuMicrosPerEvent} µs per event) |
| CPU seconds: migrator / projector / PostgreSQL during the migrator run | ${r.migrator.cpuSeconds} / ${r.projector.cpuSeconds} / ${r.postgresCpuSecondsDuringMigrator} s (total ${r.cpuSecondsMigratorProjectorPostgres} s; broker ${r.brokerCpuSecondsDuringMigrator} s besides) |
| seed plan's plain-SQL consolidation (INSERT … SELECT … ON CONFLICT), same data | ${r.plainSqlSeconds} s (PostgreSQL CPU ${r.plainSqlPostgresCpuSeconds} s) |
| **ratio migrator / plain SQL, wall time (target ≤ 3)** | **${r.ratio}** (CPU seconds: ${r.cpuRatio}) |
| **migrator peak RSS (target ≤ 300 MB)**, NODE_OPTIONS=\`${r.migrator.nodeOptions}\` | **${r.migrator.peakRssMb} MB** (projector ${r.projector.peakRssMb} MB with \`${r.projector.nodeOptions}\`) |
| verify passed | ${r.migrator.verifyPassed} |

The plain SQL is the floor, not an equivalent: it merges nothing across providers (a pre-existing local/Deezer track
with the same ISRC is skipped by \`ON CONFLICT DO NOTHING\`, the invalid ISRC 'UNKNOWN' collides), writes random ids,
and produces no events, so a rebuild could not reproduce it. Raw figures: \`benchmarks/results/migrator.json\`.
`;
  const tmp = join(tmpdir(), `bench-migrator-section-${process.pid}.md`);
  writeFileSync(tmp, section);
  const locked = spawnSync('flock', ['/tmp/root.lock', process.execPath, '--import', 'tsx', 'apps/migrator/bench/write-benchmarks-section.ts', 'bench:migrator', tmp], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (locked.status !== 0) throw new Error(`could not update ${file} (flock exit ${locked.status})`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
