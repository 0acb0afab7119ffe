import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { LIBRARY_EVENTS_TOPIC } from '@soulspot/contracts';
import { createLogger, type Logger } from '@soulspot/observability';
import { COMMANDS, commandHelp, usage, type Command } from './cli/help';
import { boundHeapGrowth } from './heap';
import { loadMigratorConfig, requireBrokers, UsageError, type MigratorConfig } from './config';
import { finalizedAt, GateRefusal, runFinalize } from './finalize/run-finalize';
import { runRestoreLegacy } from './finalize/restore-legacy';
import { UnmappableLayoutError } from './replay/mapping';
import { runReplay, type ReplayReport } from './replay/run-replay';
import { createPool, withClient } from './db';
import { detectSchemaState } from './schema/detect';
import { runSchema } from './schema/run-schema';
import { runStatus } from './status';
import { formatVerifyReport, runVerify, type VerifyReport } from './verify/run-verify';

interface Flags {
  help: boolean;
  dryRun: boolean;
  json: boolean;
  restart: boolean;
  confirm: boolean;
  noWait: boolean;
  noFinalize: boolean;
  /** Where a step's report goes instead of stdout (`run --json` gathers them into one document). */
  sink?: (report: unknown) => void;
}

/** The options each command reads (as its help lists them), besides --help. */
const COMMAND_FLAGS: Record<Command, readonly string[]> = {
  schema: ['dry-run', 'json'],
  replay: ['dry-run', 'restart', 'json'],
  verify: ['no-wait', 'dry-run', 'json'],
  finalize: ['confirm', 'dry-run', 'json'],
  'restore-legacy': ['dry-run', 'json'],
  status: ['json'],
  run: ['dry-run', 'no-finalize', 'json'],
};

function parse(argv: string[]): { command: Command | null; flags: Flags } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      restart: { type: 'boolean', default: false },
      confirm: { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      'no-finalize': { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError(`one command at a time (got ${positionals.join(' ')})`);
  const command = positionals[0] ?? null;
  if (command !== null && command !== 'help' && !(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command ${JSON.stringify(command)}; commands: ${COMMANDS.join(', ')}`);
  }
  if (command !== null && command !== 'help' && !values.help) {
    // an option the command does not read is refused, not ignored: `replay --confirm` or `status --dry-run` would
    // otherwise run as if it had not been given
    const own = COMMAND_FLAGS[command as Command];
    const foreign = Object.entries(values).find(([flag, given]) => given && flag !== 'help' && !own.includes(flag));
    if (foreign) throw new UsageError(`--${foreign[0]} does not apply to ${command}`);
    if (command === 'finalize' && !values.confirm && !values['dry-run']) {
      throw new UsageError('finalize drops the legacy spotify_* tables: pass --confirm (or --dry-run to see what it would do)');
    }
  }
  return {
    command: command === 'help' ? null : (command as Command | null),
    flags: {
      help: values.help || command === 'help',
      dryRun: values['dry-run'],
      json: values.json,
      restart: values.restart,
      confirm: values.confirm,
      noWait: values['no-wait'],
      noFinalize: values['no-finalize'],
    },
  };
}

const toJson = (value: unknown): string => `${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;

function print(flags: Flags, value: unknown, lines: () => string[]): void {
  if (flags.sink) flags.sink(value);
  else process.stdout.write(flags.json ? toJson(value) : `${lines().join('\n')}\n`);
}

function replayLines(r: ReplayReport): string[] {
  return [
    `replay ${r.dryRun ? '(dry run) ' : ''}done in ${r.seconds.toFixed(1)} s: ${r.events} events`,
    ...r.sources.map((s) => `  ${s.source.padEnd(34)} ${String(s.rows).padStart(9)} rows ${String(s.events).padStart(9)} events` +
      `${s.skipped ? `  ${s.skipped} SKIPPED` : ''}${s.droppedIsrc ? `  ${s.droppedIsrc} invalid ISRCs dropped` : ''}${s.droppedProviderIds ? `  ${s.droppedProviderIds} provider ids not carried` : ''}`),
  ];
}

async function verify(config: MigratorConfig, flags: Flags, logger: Logger): Promise<VerifyReport> {
  return runVerify({
    databaseUrl: config.DATABASE_URL,
    brokers: flags.noWait ? undefined : requireBrokers(config, 'verify'),
    clientId: config.KAFKA_CLIENT_ID,
    topic: config.LIBRARY_EVENTS_TOPIC,
    projection: config.PROJECTION_NAME,
    timeoutMs: config.VERIFY_TIMEOUT_SECONDS * 1000,
    sampleSize: config.VERIFY_SAMPLE_SIZE,
    dryRun: flags.dryRun,
    logger,
  });
}

async function replay(config: MigratorConfig, flags: Flags, logger: Logger): Promise<ReplayReport> {
  return runReplay({
    databaseUrl: config.DATABASE_URL,
    brokers: flags.dryRun ? [] : requireBrokers(config, 'replay'),
    clientId: config.KAFKA_CLIENT_ID,
    topic: config.LIBRARY_EVENTS_TOPIC,
    partitions: config.TOPIC_PARTITIONS,
    chunkSize: config.REPLAY_CHUNK_SIZE,
    maxInFlight: config.REPLAY_MAX_IN_FLIGHT,
    dryRun: flags.dryRun,
    restart: flags.restart,
    logger,
  });
}

/** Whether the command, with these flags, talks to the broker (a dry-run replay publishes nothing). */
function needsBrokers(command: Command, flags: Flags): boolean {
  switch (command) {
    case 'replay':
    case 'run':
      return !flags.dryRun;
    case 'verify':
      return !flags.noWait;
    default:
      return false;
  }
}

/**
 * The steps after `schema` read and write the migrated schema (cursors, state, projection tables); on a legacy or
 * empty database they would fail half-way on a missing table (a replay after creating its topic).
 */
async function requireMigratedSchema(command: Command, config: MigratorConfig): Promise<void> {
  const pool = createPool(config.DATABASE_URL, 1);
  try {
    const state = await withClient(pool, (c) => detectSchemaState(c));
    if (state.kind !== 'managed') throw new GateRefusal(`${command} needs the migrated schema: run \`migrator schema\` first (this database is ${state.kind})`);
  } finally {
    await pool.end();
  }
}

/** Runs one command; returns the process exit status. */
async function execute(command: Command, flags: Flags, config: MigratorConfig, logger: Logger): Promise<number> {
  if (command === 'verify' || command === 'finalize' || command === 'restore-legacy' || (command === 'replay' && !flags.dryRun)) {
    await requireMigratedSchema(command, config);
  }
  switch (command) {
    case 'schema': {
      const r = await runSchema(config.DATABASE_URL, { dryRun: flags.dryRun, logger });
      print(flags, r, () => [
        `schema ${r.dryRun ? '(dry run, rolled back) ' : ''}${r.path} path from state '${r.before.kind}': ${r.appliedMigrations.length ? `migrations ${r.appliedMigrations.join(', ')}` : 'up to date'}`,
        ...(r.conversion ? [`  moved to legacy_backup: ${r.conversion.movedTables.join(', ') || 'nothing'}`, `  provider_sync_status rows carried: ${r.conversion.syncStatusRows}`] : []),
      ]);
      return 0;
    }
    case 'replay': {
      const r = await replay(config, flags, logger);
      print(flags, r, () => replayLines(r));
      return 0;
    }
    case 'verify': {
      const r = await verify(config, flags, logger);
      print(flags, r, () => formatVerifyReport(r));
      return r.passed ? 0 : 1;
    }
    case 'finalize': {
      const r = await runFinalize(config.DATABASE_URL, { confirm: flags.confirm, dryRun: flags.dryRun, logger });
      print(flags, r, () => [
        `finalize ${r.dryRun ? '(dry run, rolled back) ' : ''}copied ${Object.entries(r.copied).map(([t, n]) => `${t}=${n}`).join(', ')} into legacy_backup; dropped ${r.dropped.join(', ')}`,
      ]);
      return 0;
    }
    case 'restore-legacy': {
      const r = await runRestoreLegacy(config.DATABASE_URL, { dryRun: flags.dryRun, logger });
      print(flags, r, () => [`restore-legacy ${r.dryRun ? '(dry run, rolled back) ' : ''}restored ${Object.entries(r.restored).map(([t, n]) => `${t}=${n}`).join(', ')}`]);
      return 0;
    }
    case 'status': {
      const r = await runStatus({
        databaseUrl: config.DATABASE_URL,
        brokers: config.KAFKA_BROKERS,
        clientId: config.KAFKA_CLIENT_ID,
        topic: config.LIBRARY_EVENTS_TOPIC ?? LIBRARY_EVENTS_TOPIC,
        projection: config.PROJECTION_NAME,
        logger,
      });
      print(flags, r, () => [
        `schema: ${r.schema.kind}${r.pendingMigrations?.length ? ` (pending: ${r.pendingMigrations.join(', ')})` : ''}`,
        `legacy tables: ${Object.entries(r.legacyTables).map(([t, n]) => `${t}=${n}`).join(', ') || 'none'}`,
        `legacy_backup: ${Object.entries(r.backupTables).map(([t, n]) => `${t}=${n}`).join(', ') || 'empty'}`,
        ...r.cursors.map((c) => `replay ${c.source}: ${c.rows} rows, ${c.events} events${c.completed ? ', complete' : ''}`),
        `last verify: ${r.lastVerify ? `${r.lastVerify.passed ? 'passed' : 'FAILED'} at ${r.lastVerify.at}` : 'never'}`,
        ...(r.projectionLag !== null ? [`projection lag: ${r.projectionLag}`] : []),
        `next: ${r.phase}`,
      ]);
      return 0;
    }
    case 'run': {
      // with --json the steps' reports become one document, written when the run ends or a step fails (a step that
      // throws — a refused gate, a configuration error — reports on stderr instead, through main)
      const steps: Array<{ step: string; status: number; report?: unknown }> = [];
      const runStep = async (step: Command, stepFlags: Flags): Promise<number> => {
        logger.info({ step }, `run: ${step}`);
        const entry: (typeof steps)[number] = { step, status: 0 };
        const status = await execute(step, flags.json ? { ...stepFlags, sink: (report) => (entry.report = report) } : { ...stepFlags, json: false }, config, logger);
        steps.push({ ...entry, status });
        return status;
      };
      const done = (status: number, note?: string): number => {
        if (flags.json) process.stdout.write(toJson({ status, ...(note ? { note } : {}), steps }));
        else if (note) process.stdout.write(`${note}\n`);
        return status;
      };
      for (const step of ['schema', 'replay', 'verify'] as const) {
        if (flags.dryRun && step === 'verify') break;
        const status = await runStep(step, flags);
        if (status !== 0) return done(status);
        if (step === 'schema') {
          // a completed migration: replaying the backups again, then a finalize with nothing to drop (exit 3), would
          // fail every later start of the Job
          const at = await finalizedAt(config.DATABASE_URL);
          if (at !== null) return done(0, `already finalized at ${at}: nothing to replay, verify or finalize`);
        }
      }
      if (flags.noFinalize || flags.dryRun) return done(0);
      return done(await runStep('finalize', { ...flags, confirm: true }));
    }
  }
}

export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`migrator: ${(error as Error).message}\n\n${usage()}\n`);
    return 2;
  }
  const { command, flags } = parsed;
  if (!command || flags.help) {
    process.stdout.write(`${command ? commandHelp(command) : usage()}\n`);
    return command || flags.help ? 0 : 2;
  }
  const config = loadMigratorConfig(env);
  const logger = createLogger('migrator', { level: config.LOG_LEVEL, destination: process.stderr as any });
  try {
    // before any step runs: `run` would otherwise convert the schema and only then find it cannot replay
    if (needsBrokers(command, flags)) requireBrokers(config, command);
    return await execute(command, flags, config, logger);
  } catch (error) {
    if (error instanceof GateRefusal) {
      process.stderr.write(`migrator: ${error.message}\n`);
      return 3;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`migrator: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UnmappableLayoutError) {
      process.stderr.write(`migrator: ${error.message}\n`);
      return 1;
    }
    logger.error({ err: error }, `${command} failed`);
    process.stderr.write(`migrator: ${command} failed: ${(error as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  boundHeapGrowth();
  main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error) => {
      process.stderr.write(`migrator: ${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
