/**
 * npm run bench:migrator — legacy database of 10,000 artists / 100,000 albums / 1,000,000 tracks (scale with
 * BENCH_SCALE, e.g. 0.01 for a smoke run). Measures, in one run:
 *  - the migrator: `schema` + `replay` + `verify` (which waits until the real library-service projector has
 *    projected everything), wall time and the migrator processes' peak RSS;
 *  - the seed plan's plain-SQL consolidation (bench/plain-sql-consolidation.ts) on a copy of the same data.
 * Writes benchmarks/results/migrator.json and the "## bench:migrator" section of BENCHMARKS.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { provisionKafka, provisionPostgres } from '@soulspot/devstack';
import { createLegacyDatabase } from '@soulspot/legacy-fixtures';
import { PLAIN_SQL_CONSOLIDATION } from './plain-sql-consolidation';

const ROOT = resolve(import.meta.dirname, '../../..');
const scale = Number(process.env.BENCH_SCALE ?? 1);
const size = { artists: Math.round(10_000 * scale), albums: Math.round(100_000 * scale), tracks: Math.round(1_000_000 * scale) };
const seconds = (ms: number) => Math.round(ms / 10) / 100;
const log = (msg: string) => process.stdout.write(`[bench:migrator] ${msg}\n`);

async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The production form of the CLI: the esbuild bundle (what the container image runs), built once here. */
const MIGRATOR_BUNDLE = 'dist/apps/migrator/main.js';
/**
 * V8 sizes its old generation lazily: unconstrained, a million-row replay let garbage of acknowledged pages pile up
 * to ~300 MB RSS although the live set is small. The Job runs with this heap cap (README "Running as a Job").
 * Override with BENCH_MIGRATOR_NODE_OPTIONS.
 */
const MIGRATOR_NODE_OPTIONS = process.env.BENCH_MIGRATOR_NODE_OPTIONS ?? '--max-old-space-size=128';
function buildMigrator(): void {
  const built = spawnSync(process.execPath, ['tools/scripts/build.mjs', 'apps/migrator'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building the migrator bundle failed');
}

/** Runs a migrator command as its own process, sampling its peak RSS (VmHWM) from /proc. */
function migrator(args: string[], env: Record<string, string>): Promise<{ ms: number; peakRssMb: number; stdout: string }> {
  return new Promise((resolveRun, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [MIGRATOR_BUNDLE, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', NODE_OPTIONS: MIGRATOR_NODE_OPTIONS, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let peakKb = 0;
    let stdout = '';
    let stderr = '';
    const sample = setInterval(() => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peakKb = Math.max(peakKb, Number(match[1]));
      } catch {
        // process gone
      }
    }, 100);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => {
      clearInterval(sample);
      if (status !== 0) reject(new Error(`migrator ${args.join(' ')} exited ${status}\n${stdout}\n${stderr.slice(-4000)}`));
      else resolveRun({ ms: Date.now() - started, peakRssMb: Math.round(peakKb / 1024), stdout });
    });
  });
}

function startProjector(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/library-service/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', GRPC_PORT: '0', GRPC_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
  };
}

async function main(): Promise<void> {
  log(`size ${JSON.stringify(size)} (BENCH_SCALE=${scale})`);
  buildMigrator();
  const postgres = await provisionPostgres();
  const kafka = await provisionKafka();
  let stopProjector: (() => Promise<void>) | undefined;
  try {
    const plainUrl = await createDatabase(postgres.url, 'bench_plain_sql');
    const migUrl = await createDatabase(postgres.url, 'bench_migrator');

    let t = Date.now();
    await createLegacyDatabase(plainUrl, { ...size, seed: 'bench' });
    const fixtureLoadMs = Date.now() - t;
    log(`legacy fixture loaded in ${seconds(fixtureLoadMs)} s`);
    await createLegacyDatabase(migUrl, { ...size, seed: 'bench' });

    const plain = new pg.Client({ connectionString: plainUrl });
    await plain.connect();
    t = Date.now();
    await plain.query('BEGIN');
    for (const sql of PLAIN_SQL_CONSOLIDATION) await plain.query(sql);
    await plain.query('COMMIT');
    const plainSqlMs = Date.now() - t;
    const plainRows = (await plain.query(`SELECT (SELECT count(*) FROM soulspot_tracks)::int AS tracks`)).rows[0].tracks;
    await plain.end();
    log(`plain-SQL consolidation: ${seconds(plainSqlMs)} s (${plainRows} soulspot_tracks rows)`);

    const topic = 'bench.library-events.v1';
    const env = { DATABASE_URL: migUrl, KAFKA_BROKERS: kafka.brokers.join(','), LIBRARY_EVENTS_TOPIC: topic, VERIFY_TIMEOUT_SECONDS: '7200' };
    const started = Date.now();
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
    log(`replay: ${seconds(replay.ms)} s, ${replayReport.events} events, peak RSS ${replay.peakRssMb} MB`);
    const verify = await migrator(['verify', '--json'], env);
    const verifyReport = JSON.parse(verify.stdout);
    const migratorMs = Date.now() - started;
    log(`verify (incl. waiting for the projection): ${seconds(verify.ms)} s, passed=${verifyReport.passed}`);

    const peakRssMb = Math.max(schema.peakRssMb, replay.peakRssMb, verify.peakRssMb);
    const ratio = Math.round((migratorMs / plainSqlMs) * 100) / 100;
    const result = {
      benchmark: 'migrator',
      date: new Date().toISOString(),
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      postgres: postgres.mode,
      broker: kafka.mode,
      size,
      loadAverage: loadavg().map((l) => Math.round(l * 10) / 10),
      fixtureLoadSeconds: seconds(fixtureLoadMs),
      plainSqlSeconds: seconds(plainSqlMs),
      migrator: {
        schemaSeconds: seconds(schema.ms),
        replaySeconds: seconds(replay.ms),
        verifySeconds: seconds(verify.ms),
        totalSeconds: seconds(migratorMs),
        events: replayReport.events,
        eventsPerSecond: Math.round(replayReport.events / (migratorMs / 1000)),
        peakRssMb,
        nodeOptions: MIGRATOR_NODE_OPTIONS,
        verifyPassed: verifyReport.passed,
      },
      ratio,
      targets: { ratioMax: 3, rssMbMax: 300 },
      meetsTargets: ratio <= 3 && peakRssMb <= 300 && verifyReport.passed,
    };
    mkdirSync(join(ROOT, 'benchmarks/results'), { recursive: true });
    writeFileSync(join(ROOT, 'benchmarks/results/migrator.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeSection(result);
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

\`npm run bench:migrator\` — ${r.date.slice(0, 10)}, ${r.cpu}, ${r.cores} cores, PostgreSQL ${r.postgres}, broker ${r.broker},
load average at the end ${r.loadAverage.join(' / ')} (other work on the machine competes for the same cores).
Legacy database: ${r.size.artists.toLocaleString('en')} artists / ${r.size.albums.toLocaleString('en')} albums / ${r.size.tracks.toLocaleString('en')} tracks (+ overlapping soulspot_* rows), loaded in ${r.fixtureLoadSeconds} s.

| measure | value |
| --- | --- |
| migrator schema + replay + verify (projection by library-service included) | ${r.migrator.totalSeconds} s |
| — schema / replay / verify (waits for the projection) | ${r.migrator.schemaSeconds} / ${r.migrator.replaySeconds} / ${r.migrator.verifySeconds} s |
| events replayed | ${r.migrator.events.toLocaleString('en')} (${r.migrator.eventsPerSecond.toLocaleString('en')} events/s end to end) |
| seed plan's plain-SQL consolidation (INSERT … SELECT … ON CONFLICT), same data | ${r.plainSqlSeconds} s |
| ratio migrator / plain SQL (target ≤ 3) | ${r.ratio} |
| migrator peak RSS (target ≤ 300 MB), run with NODE_OPTIONS=\`${r.migrator.nodeOptions}\` | ${r.migrator.peakRssMb} MB |
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
