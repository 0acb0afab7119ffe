import { pendingMigrations } from '@soulspot/library-db';
import { createKafka, topicEndOffsets } from '@soulspot/messaging';
import type { Logger } from '@soulspot/observability';
import { createPool, listTables, withClient } from './db';
import { detectSchemaState, type SchemaState } from './schema/detect';
import { BACKUP_SCHEMA } from './schema/migrator-tables';
import { readState } from './state';
import { DROPPED_LEGACY_TABLES } from './verify/fingerprint';
import type { VerifyReport } from './verify/run-verify';
import { projectionLag } from './verify/wait-for-projection';

export interface StatusReport {
  schema: SchemaState;
  pendingMigrations: string[] | null;
  legacyTables: Record<string, number>;
  backupTables: Record<string, number>;
  cursors: Array<{ source: string; rows: number; events: number; completed: boolean; updatedAt: string }>;
  lastVerify: { passed: boolean; at: string } | null;
  finalized: unknown;
  projectionLag: string | null;
  phase: string;
}

async function counts(pool: ReturnType<typeof createPool>, schema: string, tables: Iterable<string>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) out[table] = Number((await pool.query(`SELECT count(*) AS n FROM ${schema}."${table}"`)).rows[0].n);
  return out;
}

/** `migrator status`: where the migration stands and what the next step is. Read-only. */
export async function runStatus(options: { databaseUrl: string; brokers?: string[]; clientId: string; topic: string; projection: string; logger: Logger }): Promise<StatusReport> {
  const pool = createPool(options.databaseUrl, 1);
  try {
    const schema = await withClient(pool, (c) => detectSchemaState(c));
    const pending = schema.kind === 'managed' ? await pendingMigrations(options.databaseUrl) : null;
    const publicTables = await listTables(pool, 'public');
    const legacyTables = await counts(pool, 'public', DROPPED_LEGACY_TABLES.filter((t) => publicTables.has(t)));
    const backupTables = await counts(pool, BACKUP_SCHEMA, [...(await listTables(pool, BACKUP_SCHEMA))].sort());
    const cursors = publicTables.has('migrator_replay_cursors')
      ? (await pool.query(`SELECT source_table, rows_done, events_published, completed, updated_at FROM migrator_replay_cursors ORDER BY source_table`)).rows.map(
          (r) => ({ source: r.source_table, rows: Number(r.rows_done), events: Number(r.events_published), completed: r.completed, updatedAt: r.updated_at.toISOString() }),
        )
      : [];
    const verify = await readState<VerifyReport>(pool, 'verify');
    const finalized = await readState(pool, 'finalize');
    let lag: string | null = null;
    if (options.brokers?.length && publicTables.has('projection_checkpoints')) {
      try {
        const ends = await topicEndOffsets(createKafka({ brokers: options.brokers, clientId: options.clientId, logger: options.logger }), options.topic);
        lag = (await projectionLag(pool, options.projection, options.topic, ends)).lag.toString();
      } catch (error) {
        lag = `unknown (${(error as Error).message})`;
      }
    }
    const phase =
      schema.kind !== 'managed' ? 'run `migrator schema`'
      : finalized ? 'finalized'
      : Object.keys(legacyTables).length === 0 && cursors.length === 0 ? 'fresh install: nothing to migrate'
      : cursors.length === 0 || cursors.some((c) => !c.completed) ? 'run `migrator replay`'
      : !verify?.passed ? 'run `migrator verify`'
      : 'run `migrator finalize --confirm`';
    return {
      schema,
      pendingMigrations: pending,
      legacyTables,
      backupTables,
      cursors,
      lastVerify: verify ? { passed: verify.passed, at: verify.at } : null,
      finalized,
      projectionLag: lag,
      phase,
    };
  } finally {
    await pool.end();
  }
}
