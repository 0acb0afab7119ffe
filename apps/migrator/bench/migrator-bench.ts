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
 * Writes benchmarks/results/migrator.json (other scales: benchmarks/results/migrator-scale-<s>.json) and prints the
 * "## bench:migrator" section of BENCHMARKS.md; BENCH_MIGRATOR_UPDATE_BENCHMARKS_MD=1 (full scale only) replaces that
 * section in the file instead (its hand-written analysis is lost then).
 *
 * The run is also split into phases — replay (projector alongside), projection catching up, verify's checks — with
 * PostgreSQL's and the projector's CPU seconds in each (`phases` in the results).
 * Diagnosis knobs: BENCH_SKIP_PLAIN_SQL=1 (no plain SQL, no ratio, nothing written), BENCH_PROJECTOR_AFTER_REPLAY=1
 * (the projector starts once the replay is done), BENCH_MIGRATOR_NODE_OPTIONS, BENCH_PROJECTOR_LOG_LEVEL (e.g. debug:
 * one line per projection transaction on stdout, with the entities it recomputes); with
 * DEVSTACK_POSTGRES_SETTINGS="shared_preload_libraries=pg_stat_statements" the statements of the migrator run and
 * pg_stat_io (buffer reads/writes/evictions by process kind) are printed at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { buildDeployedService, provisionPostgres, startKafkaProcess, type DeployedService } from '@soulspot/devstack';
import { createLegacyDatabase } from '@soulspot/legacy-fixtures';
import { PLAIN_SQL_CONSOLIDATION } from './plain-sql-consolidation';
import { sampleTree, treeCpuSeconds, type TreeSample } from './process-tree';

const ROOT = resolve(import.meta.dirname, '../../..');
const scale = Number(process.env.BENCH_SCALE ?? 1);
const size = { artists: Math.round(10_000 * scale), albums: Math.round(100_000 * scale), tracks: Math.round(1_000_000 * scale) };
/** Diagnosis knobs: skip the plain SQL (no ratio, nothing written); start the projector only once the replay is done. */
const SKIP_PLAIN_SQL = process.env.BENCH_SKIP_PLAIN_SQL === '1';
const PROJECTOR_AFTER_REPLAY = process.env.BENCH_PROJECTOR_AFTER_REPLAY === '1';
const PROJECTOR_LOG_LEVEL = process.env.BENCH_PROJECTOR_LOG_LEVEL ?? 'warn';
const UPDATE_BENCHMARKS_MD = process.env.BENCH_MIGRATOR_UPDATE_BENCHMARKS_MD === '1';
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

async function runSql(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await runSql(serverUrl, `DROP DATABASE ${name} WITH (FORCE)`);
}

/**
 * The migrator and the projector run as deployed (devstack's buildDeployedService): their esbuild bundles, with the
 * NODE_OPTIONS their Kubernetes manifests set (the V8 heap caps). BENCH_MIGRATOR_NODE_OPTIONS overrides the migrator's.
 */
interface Services {
  migrator: DeployedService;
  projector: DeployedService;
}

function buildServices(): Services {
  const migrator = buildDeployedService(ROOT, 'migrator', 'deploy/k8s/base/migrator-job.yaml');
  const override = process.env.BENCH_MIGRATOR_NODE_OPTIONS;
  return {
    migrator: override === undefined ? migrator : { ...migrator, nodeOptions: override.split(' ').filter(Boolean) },
    projector: buildDeployedService(ROOT, 'library-service', 'deploy/k8s/base/library-service.yaml'),
  };
}

interface MeasuredRun extends TreeSample {
  ms: number;
  stdout: string;
}

/** Runs a migrator command as its own process, sampling its process tree (peak RSS, CPU seconds) from /proc. */
function migrator(service: DeployedService, args: string[], env: Record<string, string>): Promise<MeasuredRun> {
  return new Promise((resolveRun, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [service.bundle, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...service.env, LOG_LEVEL: 'warn', NODE_OPTIONS: service.nodeOptions.join(' '), ...env },
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

interface RunningProjector {
  current(): TreeSample;
  stop(): Promise<TreeSample>;
}

function startProjector(service: DeployedService, env: Record<string, string>): RunningProjector {
  const child = spawn(process.execPath, [service.bundle], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...service.env,
      LOG_LEVEL: PROJECTOR_LOG_LEVEL,
      GRPC_PORT: '0',
      GRPC_HOST: '127.0.0.1',
      NODE_OPTIONS: service.nodeOptions.join(' '),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const sampler = sampleTree(child.pid!, 500);
  return {
    current: () => sampler.current(),
    async stop() {
      const sample = sampler.stop();
      child.kill('SIGTERM');
      await new Promise((r) => child.on('close', r));
      return sample;
    },
  };
}

interface CpuMark {
  atMs: number;
  postgres: number;
  projector: number;
}

/**
 * Polls the projection's checkpoints every second while the migrator runs: prints a progress line every 15 s (events
 * the replay has published, the projection has applied) and notes when the projection has applied `target` events
 * (set once the replay has finished), with the CPU seconds of PostgreSQL and the projector at that moment — so the
 * run splits into replay / catching up / verify's checks.
 */
function trackProjection(url: string, topic: string, started: number, cpuNow: () => Omit<CpuMark, 'atMs'>) {
  const db = new pg.Client({ connectionString: url });
  const connected = db.connect();
  let last = { at: started, projected: 0 };
  let busy = false;
  let target: number | undefined;
  let caughtUp: CpuMark | undefined;
  let onCaughtUp: (() => void) | undefined;
  const poll = async () => {
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
      if (target !== undefined && !caughtUp && projected >= target) {
        caughtUp = { atMs: now - started, ...cpuNow() };
        onCaughtUp?.();
      }
      if (now - last.at >= 15_000) {
        const rate = Math.round((projected - last.projected) / ((now - last.at) / 1000));
        log(`+${seconds(now - started)} s: replay published ${Number(rows[0].published).toLocaleString('en')} events, projection applied ${projected.toLocaleString('en')} (${rate.toLocaleString('en')}/s), load ${loadavg()[0].toFixed(1)}`);
        last = { at: now, projected };
      }
    } catch (error) {
      log(`progress query failed: ${(error as Error).message}`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), 1000);
  return {
    /** From now on, note when the projection has applied this many events. */
    expect(events: number) {
      target = events;
    },
    /** Resolves once the projection has applied the expected events. */
    caughtUp(): Promise<CpuMark> {
      return new Promise((resolveCaughtUp) => {
        if (caughtUp) resolveCaughtUp(caughtUp);
        else onCaughtUp = () => resolveCaughtUp(caughtUp!);
      });
    },
    mark: () => caughtUp,
    async stop() {
      clearInterval(timer);
      await connected.catch(() => undefined);
      await db.end().catch(() => undefined);
    },
  };
}

/**
 * Where PostgreSQL spent its time during the migrator run, when the cluster preloads pg_stat_statements (profiling:
 * `DEVSTACK_POSTGRES_SETTINGS=shared_preload_libraries=pg_stat_statements`); reset before the migrator starts.
 */
async function statementStats(url: string, action: 'reset' | 'print'): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const loaded = await db.query(`SELECT 1 FROM pg_settings WHERE name = 'shared_preload_libraries' AND setting LIKE '%pg_stat_statements%'`);
    if (loaded.rowCount === 0) return;
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    if (action === 'reset') {
      await db.query('SELECT pg_stat_statements_reset()');
      await db.query(`SELECT pg_stat_reset_shared('io')`);
      return;
    }
    const top = await db.query<{ ms: number; calls: string; rows: string; hit: string; read: string; dirtied: string; written: string; query: string }>(
      `SELECT round(total_exec_time)::int AS ms, calls, rows, shared_blks_hit AS hit, shared_blks_read AS read,
              shared_blks_dirtied AS dirtied, shared_blks_written AS written,
              left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS query
       FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 30`,
    );
    log('PostgreSQL statements by total execution time since the migrator started (shared blocks hit / read / dirtied / written):');
    for (const r of top.rows) {
      log(`${String(r.ms).padStart(8)} ms ${String(r.calls).padStart(7)} calls ${String(r.rows).padStart(9)} rows ${[r.hit, r.read, r.dirtied, r.written].map((n) => String(n).padStart(9)).join(' ')}  ${r.query}`);
    }
    // buffer traffic by process kind: evictions and writes by client backends mean the working set outgrew shared_buffers
    const io = await db.query<{ backend_type: string; object: string; context: string; reads: string; writes: string; extends: string; hits: string; evictions: string }>(
      `SELECT backend_type, object, context, reads, writes, extends, hits, evictions FROM pg_stat_io
       WHERE coalesce(reads, 0) + coalesce(writes, 0) + coalesce(evictions, 0) > 0 ORDER BY coalesce(reads, 0) + coalesce(writes, 0) DESC`,
    );
    log('pg_stat_io since the migrator started (reads / writes / extends / hits / evictions):');
    for (const r of io.rows) log(`  ${`${r.backend_type} ${r.object} ${r.context}`.padEnd(48)} ${[r.reads, r.writes, r.extends, r.hits, r.evictions].map((n) => String(n ?? '-').padStart(10)).join(' ')}`);
  } finally {
    await db.end();
  }
}

const round1 = (values: number[]) => values.map((l) => Math.round(l * 10) / 10);

/** soulspot_* rows the projection wrote, by entity type: every write is in its change feed (repeated writes = repeated work). */
async function rowWritesByType(url: string): Promise<Record<string, number>> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ entity_type: string; writes: number }>(
      `SELECT entity_type, count(*)::int AS writes FROM projection_changes WHERE op = 'upsert' GROUP BY entity_type ORDER BY entity_type`,
    );
    return Object.fromEntries(rows.map((r) => [r.entity_type, r.writes]));
  } finally {
    await db.end();
  }
}

/**
 * The run in three phases — the replay (the projector consuming alongside), the projection catching up after it, and
 * verify's checks once it has — with PostgreSQL's and the projector's CPU seconds in each, and per projected event
 * over the first two (the figure to compare with bench:projection's).
 */
function phaseFigures(events: number, replayEnd: CpuMark, caughtUp: CpuMark, end: CpuMark) {
  const start: CpuMark = { atMs: 0, postgres: 0, projector: 0 };
  const phase = (from: CpuMark, to: CpuMark) => ({
    seconds: seconds(to.atMs - from.atMs),
    postgresCpuSeconds: Math.round((to.postgres - from.postgres) * 10) / 10,
    projectorCpuSeconds: Math.round((to.projector - from.projector) * 10) / 10,
  });
  const figures = {
    replay: phase(start, replayEnd),
    catchUp: phase(replayEnd, caughtUp),
    checks: phase(caughtUp, end),
    projectionMicrosPerEvent: {
      postgres: Math.round((caughtUp.postgres * 1e6) / Math.max(events, 1)),
      projector: Math.round((caughtUp.projector * 1e6) / Math.max(events, 1)),
    },
  };
  const line = (name: string, p: ReturnType<typeof phase>) =>
    `${name}: ${p.seconds} s, CPU PostgreSQL ${p.postgresCpuSeconds} s, projector ${p.projectorCpuSeconds} s`;
  const lines = [
    line('phase replay (projector alongside)', figures.replay),
    line('phase projection catching up', figures.catchUp),
    line("phase verify's checks", figures.checks),
    `until projected: ${figures.projectionMicrosPerEvent.postgres} µs PostgreSQL + ${figures.projectionMicrosPerEvent.projector} µs projector CPU per event (replay's PostgreSQL reads included)`,
  ];
  return { figures, lines };
}

async function main(): Promise<void> {
  log(`size ${JSON.stringify(size)} (BENCH_SCALE=${scale})`);
  const services = buildServices();
  const postgres = await provisionPostgres();
  // the embedded broker in its own process (in memory, like provisionKafka's), so that its CPU is measured apart
  const kafka = await startKafkaProcess();
  let projectorProcess: RunningProjector | undefined;
  try {
    const legacyUrl = await createDatabase(postgres.url, 'bench_legacy');

    let t = Date.now();
    await createLegacyDatabase(legacyUrl, { ...size, seed: 'bench' });
    const fixtureLoadMs = Date.now() - t;
    log(`legacy fixture loaded in ${seconds(fixtureLoadMs)} s`);
    // A legacy database has long been vacuumed by autovacuum (hint bits set, pages all-visible); the freshly loaded
    // fixture is vacuumed now, before the copies, so that neither contender pays for that first pass over its rows.
    t = Date.now();
    await runSql(legacyUrl, 'VACUUM (FREEZE, ANALYZE)');
    log(`legacy fixture vacuumed in ${seconds(Date.now() - t)} s`);
    // Both contenders get a byte-for-byte copy of the same legacy database (statistics included).
    t = Date.now();
    const plainUrl = await createDatabase(postgres.url, 'bench_plain_sql', 'bench_legacy');
    const migUrl = await createDatabase(postgres.url, 'bench_migrator', 'bench_legacy');
    log(`copied it for the plain SQL and the migrator in ${seconds(Date.now() - t)} s`);
    // Only the measured database may keep the server busy: the template is dropped now, the plain SQL's database once
    // measured (autovacuum would otherwise process their million-row tables during the migrator's run, on its clock).
    await dropDatabase(postgres.url, 'bench_legacy');
    const pgCpu = () => (postgres.pid ? treeCpuSeconds(postgres.pid) : NaN);

    let plainSqlMs = Number.NaN;
    let plainSqlPgCpuSeconds = Number.NaN;
    const loadBeforePlain = round1(loadavg());
    if (SKIP_PLAIN_SQL) log('plain-SQL consolidation skipped (BENCH_SKIP_PLAIN_SQL): no ratio, no results file');
    else {
      const plain = new pg.Client({ connectionString: plainUrl });
      await plain.connect();
      const plainPgCpuBefore = pgCpu();
      t = Date.now();
      await plain.query('BEGIN');
      for (const sql of PLAIN_SQL_CONSOLIDATION) await plain.query(sql);
      await plain.query('COMMIT');
      plainSqlMs = Date.now() - t;
      plainSqlPgCpuSeconds = Math.round((pgCpu() - plainPgCpuBefore) * 10) / 10;
      const plainRows = (await plain.query(`SELECT (SELECT count(*) FROM soulspot_tracks)::int AS tracks`)).rows[0].tracks;
      await plain.end();
      log(`plain-SQL consolidation: ${seconds(plainSqlMs)} s, PostgreSQL CPU ${plainSqlPgCpuSeconds} s (${plainRows} soulspot_tracks rows)`);
    }
    await dropDatabase(postgres.url, 'bench_plain_sql');

    const topic = 'bench.library-events.v1';
    const env = { DATABASE_URL: migUrl, KAFKA_BROKERS: kafka.brokers.join(','), LIBRARY_EVENTS_TOPIC: topic, VERIFY_TIMEOUT_SECONDS: '7200' };
    const projectorEnv = {
      DATABASE_URL: migUrl,
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      KAFKA_GROUP_ID: 'bench-migrator',
    };
    await statementStats(migUrl, 'reset');
    const loadBeforeMigrator = round1(loadavg());
    const migratorPgCpuBefore = pgCpu();
    const brokerCpuBefore = treeCpuSeconds(kafka.pid);
    const started = Date.now();
    const cpuNow = () => ({ postgres: pgCpu() - migratorPgCpuBefore, projector: projectorProcess?.current().cpuSeconds ?? 0 });
    const schema = await migrator(services.migrator, ['schema'], env);
    log(`schema: ${seconds(schema.ms)} s`);
    const tracker = trackProjection(migUrl, topic, started, cpuNow);
    if (!PROJECTOR_AFTER_REPLAY) projectorProcess = startProjector(services.projector, projectorEnv);
    const replay = await migrator(services.migrator, ['replay', '--json'], env);
    const replayEnd: CpuMark = { atMs: Date.now() - started, ...cpuNow() };
    const replayReport = JSON.parse(replay.stdout);
    const replayCpuMicrosPerEvent = Math.round((replay.cpuSeconds * 1e6) / Math.max(replayReport.events, 1));
    log(`replay: ${seconds(replay.ms)} s, ${replayReport.events} events, CPU ${replay.cpuSeconds} s (${replayCpuMicrosPerEvent} µs/event), peak RSS ${replay.peakRssMb} MB`);
    if (PROJECTOR_AFTER_REPLAY) {
      log('projector started after the replay (BENCH_PROJECTOR_AFTER_REPLAY)');
      projectorProcess = startProjector(services.projector, projectorEnv);
    }
    // the topic is the bench's own: the projection is complete when its checkpoints sum to the events replayed
    tracker.expect(replayReport.events);
    const verify = await migrator(services.migrator, ['verify', '--json'], env);
    const verifyReport = JSON.parse(verify.stdout);
    const migratorMs = Date.now() - started;
    const end: CpuMark = { atMs: migratorMs, ...cpuNow() };
    const migratorPgCpuSeconds = Math.round((pgCpu() - migratorPgCpuBefore) * 10) / 10;
    const brokerCpuSeconds = Math.round((treeCpuSeconds(kafka.pid) - brokerCpuBefore) * 10) / 10;
    // (verify returns only after the projection has caught up, which the tracker notices within a second)
    const caughtUp = tracker.mark() ?? (await tracker.caughtUp());
    await tracker.stop();
    const projector = await projectorProcess!.stop();
    projectorProcess = undefined;
    log(`verify (incl. waiting for the projection): ${seconds(verify.ms)} s, passed=${verifyReport.passed}`);
    await statementStats(migUrl, 'print');
    const rowWrites = await rowWritesByType(migUrl);
    log(`soulspot_* row writes by the projection (upserts in projection_changes): ${JSON.stringify(rowWrites)}`);
    const phases = phaseFigures(replayReport.events, replayEnd, caughtUp, end);
    for (const line of phases.lines) log(line);

    const peakRssMb = Math.max(schema.peakRssMb, replay.peakRssMb, verify.peakRssMb);
    const migratorCpuSeconds = Math.round((schema.cpuSeconds + replay.cpuSeconds + verify.cpuSeconds) * 10) / 10;
    const totalCpuSeconds = Math.round((migratorCpuSeconds + projector.cpuSeconds + migratorPgCpuSeconds) * 10) / 10;
    const ratio = Math.round((migratorMs / plainSqlMs) * 100) / 100;
    if (SKIP_PLAIN_SQL) {
      log(`migrator ${seconds(migratorMs)} s, peak RSS ${peakRssMb} MB, verify passed=${verifyReport.passed}`);
      return;
    }
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
        nodeOptions: services.migrator.nodeOptions.join(' '),
        verifyPassed: verifyReport.passed,
      },
      projector: {
        cpuSeconds: projector.cpuSeconds,
        peakRssMb: projector.peakRssMb,
        nodeOptions: services.projector.nodeOptions.join(' '),
        processEnv: services.projector.env,
      },
      projectionRowWrites: rowWrites,
      postgresCpuSecondsDuringMigrator: migratorPgCpuSeconds,
      phases: phases.figures,
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
    const section = benchmarksSection(result);
    if (scale === 1 && UPDATE_BENCHMARKS_MD) writeSection(section);
    else log(`BENCHMARKS.md section (not written; BENCH_MIGRATOR_UPDATE_BENCHMARKS_MD=1 at full scale writes it):\n${section}`);
    log(`wrote ${resultsFile}${scale === 1 && UPDATE_BENCHMARKS_MD ? ' and the bench:migrator section of BENCHMARKS.md' : ''}`);
    log(`migrator ${result.migrator.totalSeconds} s vs plain SQL ${result.plainSqlSeconds} s: ratio ${ratio} (target <= 3), peak RSS ${peakRssMb} MB (target <= 300)`);
  } finally {
    await projectorProcess?.stop();
    await kafka.stop();
    await postgres.stop();
  }
}

function benchmarksSection(r: any): string {
  return `## bench:migrator

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
| phases: replay (projector alongside) / projection catching up / verify's checks | ${r.phases.replay.seconds} / ${r.phases.catchUp.seconds} / ${r.phases.checks.seconds} s; PostgreSQL CPU ${r.phases.replay.postgresCpuSeconds} / ${r.phases.catchUp.postgresCpuSeconds} / ${r.phases.checks.postgresCpuSeconds} s, projector ${r.phases.replay.projectorCpuSeconds} / ${r.phases.catchUp.projectorCpuSeconds} / ${r.phases.checks.projectorCpuSeconds} s |
| CPU per event until projected: PostgreSQL / projector | ${r.phases.projectionMicrosPerEvent.postgres} / ${r.phases.projectionMicrosPerEvent.projector} µs |
| seed plan's plain-SQL consolidation (INSERT … SELECT … ON CONFLICT), same data | ${r.plainSqlSeconds} s (PostgreSQL CPU ${r.plainSqlPostgresCpuSeconds} s) |
| **ratio migrator / plain SQL, wall time (target ≤ 3)** | **${r.ratio}** (CPU seconds: ${r.cpuRatio}) |
| **migrator peak RSS (target ≤ 300 MB)**, NODE_OPTIONS=\`${r.migrator.nodeOptions}\` | **${r.migrator.peakRssMb} MB** (projector ${r.projector.peakRssMb} MB with \`${r.projector.nodeOptions}\`) |
| verify passed | ${r.migrator.verifyPassed} |

The plain SQL is the floor, not an equivalent: it merges nothing across providers (a pre-existing local/Deezer track
with the same ISRC is skipped by \`ON CONFLICT DO NOTHING\`, the invalid ISRC 'UNKNOWN' collides), writes random ids,
and produces no events, so a rebuild could not reproduce it. Raw figures: \`benchmarks/results/migrator.json\`.
`;
}

function writeSection(section: string): void {
  const file = join(ROOT, 'BENCHMARKS.md');
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
