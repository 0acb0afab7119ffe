import type { Logger } from '@soulspot/observability';
import { MIGRATOR_LOCK_KEY, createPool, inTransaction, listTables, type Queryable } from '../db';
import { BACKUP_SCHEMA } from '../schema/migrator-tables';
import { copyRows } from './copy-rows';
import { copyIndexNames } from './index-names';
import { carrySequences } from './sequences';
import { readState, writeState } from '../state';
import { DROPPED_LEGACY_TABLES, legacyFingerprint, sameFingerprint } from '../verify/fingerprint';
import type { VerifyReport } from '../verify/run-verify';

/** Finalize was refused by a safety gate (exit status 3). */
export class GateRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateRefusal';
  }
}

/** Backup copies of the legacy OAuth tables hold plaintext tokens; finalize removes them (see schema/legacy-conversion.ts). */
const PLAINTEXT_SECRET_BACKUPS = ['spotify_sessions', 'spotify_tokens', 'deezer_sessions'] as const;

export interface FinalizeReport {
  copied: Record<string, number>;
  dropped: string[];
  droppedSecretBackups: string[];
  dryRun: boolean;
}

class DryRunRollback extends Error {}

/** The gate: the last verify passed and the legacy tables are unchanged since (same fingerprint). */
export async function finalizeGate(db: Queryable): Promise<VerifyReport> {
  const verify = await readState<VerifyReport>(db, 'verify');
  if (!verify) throw new GateRefusal('finalize refused: no verify has run yet (run `migrator verify` first)');
  if (!verify.passed) throw new GateRefusal(`finalize refused: the last verify (${verify.at}) FAILED; fix the missing rows and verify again`);
  const now = await legacyFingerprint(db);
  if (!sameFingerprint(verify.fingerprint, now)) {
    throw new GateRefusal(`finalize refused: legacy tables changed since the last verify (${verify.at}); replay and verify again`);
  }
  return verify;
}

/**
 * When finalize has run and its tables are still gone (no restore-legacy since): the time it ran, else null. `run`
 * then has nothing to do — the Job may be started again after a completed migration.
 */
export async function finalizedAt(databaseUrl: string): Promise<string | null> {
  const pool = createPool(databaseUrl, 1);
  try {
    const finalized = await readState<Partial<FinalizeState>>(pool, 'finalize');
    if (!finalized) return null;
    const present = await listTables(pool, 'public');
    return DROPPED_LEGACY_TABLES.some((t) => present.has(t)) ? null : (finalized.at ?? 'an unknown time');
  } finally {
    await pool.end();
  }
}

/** A foreign key of a legacy table, as `ALTER TABLE … ADD CONSTRAINT <name> <definition>` takes it. */
export interface LegacyForeignKey {
  table: string;
  name: string;
  definition: string;
  /** The referenced table (bare name when in `public`). */
  references: string;
}

/** What finalize stores under `migrator_state` key `finalize`. */
export interface FinalizeState extends FinalizeReport {
  at: string;
  foreignKeys: LegacyForeignKey[];
}

async function legacyForeignKeys(db: Queryable, tables: readonly string[]): Promise<LegacyForeignKey[]> {
  const { rows } = await db.query<LegacyForeignKey>(
    `SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition, k.confrelid::regclass::text AS references
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relname = ANY($1::text[]) AND k.contype = 'f'
     ORDER BY c.relname, k.conname`,
    [tables],
  );
  return rows;
}

async function copyTable(db: Queryable, table: string): Promise<number> {
  await db.query(`DROP TABLE IF EXISTS ${BACKUP_SCHEMA}."${table}"`);
  await db.query(`CREATE TABLE ${BACKUP_SCHEMA}."${table}" (LIKE public."${table}" INCLUDING ALL)`);
  await copyIndexNames(db, { schema: 'public', table }, { schema: BACKUP_SCHEMA, table });
  await carrySequences(db, { schema: 'public', table }, { schema: BACKUP_SCHEMA, table });
  const copied = await copyRows(db, { schema: 'public', table }, { schema: BACKUP_SCHEMA, table });
  const source = Number((await db.query(`SELECT count(*) AS n FROM public."${table}"`)).rows[0].n);
  const backup = Number((await db.query(`SELECT count(*) AS n FROM ${BACKUP_SCHEMA}."${table}"`)).rows[0].n);
  if (copied !== source || backup !== source) {
    throw new Error(`finalize: backup of ${table} has ${backup} rows, the table has ${source}; nothing was dropped`);
  }
  return backup;
}

/**
 * `migrator finalize --confirm`: behind the gate, in ONE transaction: copy spotify_artists/albums/tracks into
 * `legacy_backup` (row counts checked), drop them (tracks, albums, artists), drop the plaintext OAuth backups.
 * `--dry-run` does all of it and rolls back.
 */
export async function runFinalize(databaseUrl: string, options: { confirm: boolean; dryRun: boolean; logger: Logger }): Promise<FinalizeReport> {
  if (!options.confirm && !options.dryRun) {
    throw new GateRefusal('finalize drops the legacy spotify_* tables: pass --confirm (or --dry-run to see what it would do)');
  }
  const pool = createPool(databaseUrl, 1);
  let report: FinalizeReport | undefined;
  try {
    await inTransaction(pool, async (db) => {
      await db.query(`SELECT pg_advisory_xact_lock($1)`, [MIGRATOR_LOCK_KEY]);
      const present = await listTables(db, 'public');
      const tables = DROPPED_LEGACY_TABLES.filter((t) => present.has(t));
      // Block legacy writers while we compare the fingerprint, copy and drop.
      if (tables.length > 0) await db.query(`LOCK TABLE ${tables.map((t) => `public."${t}"`).join(', ')} IN SHARE MODE`);
      await finalizeGate(db);
      if (tables.length === 0) throw new GateRefusal('finalize: no legacy spotify_* tables left (already finalized?)');
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${BACKUP_SCHEMA}`);
      const copied: Record<string, number> = {};
      for (const table of tables) copied[table] = await copyTable(db, table);
      // a backup copy has no foreign keys (LIKE never copies them): their definitions go with the state, as they are
      // in this database (the legacy layouts differ in column names), for restore-legacy
      const foreignKeys = await legacyForeignKeys(db, tables);
      for (const table of [...tables].reverse()) await db.query(`DROP TABLE public."${table}"`);
      const backups = await listTables(db, BACKUP_SCHEMA);
      const droppedSecretBackups = PLAINTEXT_SECRET_BACKUPS.filter((t) => backups.has(t));
      for (const table of droppedSecretBackups) await db.query(`DROP TABLE ${BACKUP_SCHEMA}."${table}"`);
      report = { copied, dropped: [...tables].reverse(), droppedSecretBackups, dryRun: options.dryRun };
      if (options.dryRun) throw new DryRunRollback();
      await writeState(db, 'finalize', { at: new Date().toISOString(), ...report, foreignKeys } satisfies FinalizeState);
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  } finally {
    await pool.end();
  }
  options.logger.info(report, options.dryRun ? 'finalize dry run (rolled back)' : 'legacy tables backed up and dropped');
  return report!;
}
