import { createOrm, MIGRATIONS_TABLE } from '@soulspot/library-db';
import type { Logger } from '@soulspot/observability';
import { ident } from '../db';
import { BACKUP_SCHEMA, MIGRATOR_TABLES_DDL } from './migrator-tables';
import { carrySyncStatusSql } from './sync-status';

/**
 * Legacy tables whose names the fresh schema reuses (or that only describe the Python era). The conversion
 * moves them, with their data, indexes and constraints, into the `legacy_backup` schema; the fresh schema is
 * then created in `public` by the very same migrations a fresh install runs — so both paths end with the same
 * schema by construction — and recorded as applied in MikroORM's history, so later `migrateUp` calls continue
 * from there.
 *
 * Data: `provider_sync_status` is filled from the legacy sync status (sync-status.ts). The pre-existing
 * `soulspot_*` rows are NOT copied back: the projection (library-service) is the only writer of `soulspot_*`
 * and derives ids from identity keys, so `migrator replay` publishes them as BACKFILL observations and the
 * projector rebuilds them merged with the Spotify data. Legacy OAuth rows (plaintext tokens, browser sessions
 * of the old app) are not imported into the new encrypted token store: the user signs in again; `finalize`
 * drops the backup copies of these secrets.
 *
 * Foreign keys from kept legacy tables (e.g. spotify_tracks.local_track_id) follow the moved table, so no
 * legacy row changes. The legacy spotify_artists/albums/tracks stay in `public` for the replay.
 */
export const LEGACY_MOVED_TABLES = [
  'soulspot_tracks',
  'soulspot_albums',
  'soulspot_artists',
  'spotify_sync_status',
  'provider_sync_status',
  'spotify_sessions',
  'spotify_tokens',
  'deezer_sessions',
  'alembic_version',
] as const;

export interface ConversionReport {
  movedTables: string[];
  appliedMigrations: string[];
  syncStatusRows: number;
  dryRun: boolean;
}

class DryRunRollback extends Error {}

export async function convertLegacyDatabase(databaseUrl: string, options: { dryRun: boolean; logger: Logger }): Promise<ConversionReport> {
  const orm = await createOrm(databaseUrl);
  const connection = orm.em.getConnection();
  const run = (sql: string, trx?: any) => connection.execute(sql, [], 'all', trx) as Promise<any[]>;
  const historyExisted = (await run(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '${MIGRATIONS_TABLE}'`)).length > 0;
  // MikroORM creates its history table on its own connection; do it before the conversion transaction
  // (inside it, that connection would wait for ours).
  await orm.getMigrator().getPendingMigrations();
  let report: ConversionReport | undefined;
  try {
    await connection.transactional(async (trx) => {
      await run(`SELECT pg_advisory_xact_lock(${0x50_55_4c_53})`, trx);
      await run(`SET LOCAL lock_timeout = '30s'`, trx);
      const present = new Set(
        (await run(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`, trx)).map(
          (r) => r.table_name as string,
        ),
      );
      await run(`CREATE SCHEMA IF NOT EXISTS ${BACKUP_SCHEMA}`, trx);
      const inBackup = new Set(
        (await run(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${BACKUP_SCHEMA}'`, trx)).map((r) => r.table_name as string),
      );
      const moved: string[] = [];
      for (const table of LEGACY_MOVED_TABLES) {
        if (!present.has(table)) continue;
        if (inBackup.has(table)) {
          throw new Error(`legacy conversion: ${BACKUP_SCHEMA}.${table} already exists; a previous conversion left it — inspect and drop it first`);
        }
        await run(`ALTER TABLE public.${ident(table)} SET SCHEMA ${BACKUP_SCHEMA}`, trx);
        moved.push(table);
      }
      options.logger.info({ moved }, `moved legacy tables into ${BACKUP_SCHEMA}`);

      const applied = (await orm.getMigrator().up({ transaction: trx })).map((m) => m.name);
      options.logger.info({ applied }, 'created the fresh schema and recorded its migrations as applied');

      let syncStatusRows = 0;
      const statusSource = moved.includes('spotify_sync_status') ? 'spotify_sync_status' : moved.includes('provider_sync_status') ? 'provider_sync_status' : null;
      if (statusSource) {
        const columns = (
          await run(`SELECT column_name FROM information_schema.columns WHERE table_schema = '${BACKUP_SCHEMA}' AND table_name = '${statusSource}'`, trx)
        ).map((r) => r.column_name as string);
        if (!columns.includes('sync_type')) {
          throw new Error(`legacy conversion: ${BACKUP_SCHEMA}.${statusSource} has no sync_type column; columns are ${columns.join(', ')}`);
        }
        await run(carrySyncStatusSql(`${BACKUP_SCHEMA}.${statusSource}`, columns.includes('provider')), trx);
        syncStatusRows = Number((await run(`SELECT count(*) AS n FROM provider_sync_status`, trx))[0].n);
      }
      for (const ddl of MIGRATOR_TABLES_DDL) await run(ddl, trx);
      report = { movedTables: moved, appliedMigrations: applied, syncStatusRows, dryRun: options.dryRun };
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
    if (!historyExisted) await run(`DROP TABLE IF EXISTS ${MIGRATIONS_TABLE}`);
  } finally {
    await orm.close(true);
  }
  return report!;
}
