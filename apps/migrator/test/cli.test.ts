import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionKafka, provisionPostgres, type ProvisionedKafka, type ProvisionedPostgres } from '@soulspot/devstack';
import { createLegacyDatabase } from '@soulspot/legacy-fixtures';
import { createKafka } from '@soulspot/messaging';
import { COMMANDS } from '../src/cli/help';
import { query, quietLogger, runCli } from './helpers';

/** What a database holds, to prove a command wrote nothing: every table of every schema with its row count. */
async function contents(url: string): Promise<Record<string, number>> {
  const tables = await query<{ name: string }>(
    url,
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
     WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const out: Record<string, number> = {};
  for (const { name } of tables) out[name] = (await query(url, `SELECT count(*)::int AS n FROM ${name}`))[0].n;
  return out;
}

describe('migrator CLI', () => {
  let db: ProvisionedPostgres;
  let kafka: ProvisionedKafka;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([provisionPostgres(), provisionKafka()]);
    await createLegacyDatabase(db.url, { artists: 3, albums: 6, tracks: 20, seed: 'cli', overlapWithSoulspot: 0.2 });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([db?.stop(), kafka?.stop()]);
  });

  it('prints each command its help (exit 0) and refuses unknown flags (exit 2)', async () => {
    for (const command of COMMANDS) {
      const help = await runCli([command, '--help'], { DATABASE_URL: '' });
      expect(help.status, `${command}: ${help.stderr}`).toBe(0);
      expect(help.stdout).toContain(`migrator ${command}`);
      expect(help.stdout).toContain('DATABASE_URL');
    }
    const bad = await runCli(['replay', '--chunk-size=5'], { DATABASE_URL: db.url });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--chunk-size/);
    expect(bad.stderr).toMatch(/Usage: migrator/);
  }, 120_000);

  it('refuses an option the command does not read, and finalize without --confirm, as usage errors (exit 2) before touching anything', async () => {
    const before = await contents(db.url);
    for (const [args, message] of [
      [['replay', '--confirm'], /--confirm does not apply to replay/],
      [['status', '--dry-run'], /--dry-run does not apply to status/],
      [['schema', '--no-finalize'], /--no-finalize does not apply to schema/],
      [['finalize'], /pass --confirm/],
    ] as const) {
      const result = await runCli([...args], { DATABASE_URL: db.url });
      expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(await contents(db.url)).toEqual(before);
  }, 120_000);

  it('replay, verify, finalize and restore-legacy refuse a database whose schema has not been migrated', async () => {
    const before = await contents(db.url);
    const env = { DATABASE_URL: db.url, KAFKA_BROKERS: kafka.brokers.join(','), LIBRARY_EVENTS_TOPIC: 'cli-unmigrated', VERIFY_TIMEOUT_SECONDS: '5' };
    for (const args of [['replay'], ['verify'], ['finalize', '--confirm'], ['restore-legacy']]) {
      const result = await runCli(args, env);
      expect(result.status, `${args[0]}: ${result.stderr}`).toBe(3);
      expect(result.stderr).toMatch(new RegExp(`${args[0]} needs the migrated schema: run \`migrator schema\` first \\(this database is legacy\\)`));
    }
    expect(await contents(db.url)).toEqual(before);
    const admin = createKafka({ brokers: kafka.brokers, clientId: 'cli-test', logger: quietLogger }).admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain('cli-unmigrated');
    } finally {
      await admin.disconnect();
    }
  }, 120_000);

  it('run without KAFKA_BROKERS is a configuration error before any step writes', async () => {
    const before = await contents(db.url);
    const run = await runCli(['run'], { DATABASE_URL: db.url, KAFKA_BROKERS: '' });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/KAFKA_BROKERS/);
    // still the legacy database: the schema step did not convert it
    expect(await contents(db.url)).toEqual(before);
  }, 120_000);

  it('run --dry-run writes nothing to the database or the broker', async () => {
    const before = await contents(db.url);
    const run = await runCli(['run', '--dry-run'], { DATABASE_URL: db.url, KAFKA_BROKERS: kafka.brokers.join(','), LIBRARY_EVENTS_TOPIC: 'cli-dry-run' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/schema \(dry run, rolled back\)/);
    expect(run.stdout).toMatch(/replay \(dry run\) done/);
    expect(await contents(db.url)).toEqual(before);
    // --json: one JSON document with each step's report (the Job's log parser reads it)
    const json = await runCli(['run', '--dry-run', '--json'], { DATABASE_URL: db.url, KAFKA_BROKERS: kafka.brokers.join(','), LIBRARY_EVENTS_TOPIC: 'cli-dry-run' });
    expect(json.status, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.status).toBe(0);
    expect(parsed.steps.map((s: { step: string }) => s.step)).toEqual(['schema', 'replay']);
    expect(parsed.steps[1].report.dryRun).toBe(true);
    expect(await contents(db.url)).toEqual(before);
    const admin = createKafka({ brokers: kafka.brokers, clientId: 'cli-test', logger: quietLogger }).admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain('cli-dry-run');
    } finally {
      await admin.disconnect();
    }
  }, 120_000);
});
