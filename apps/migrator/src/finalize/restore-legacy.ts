import type { Logger } from '@soulspot/observability';
import { MIGRATOR_LOCK_KEY, createPool, inTransaction, listTables } from '../db';
import { BACKUP_SCHEMA } from '../schema/migrator-tables';
import { copyRows } from './copy-rows';
import { copyIndexNames } from './index-names';
import { carrySequences } from './sequences';
import { readState, writeState } from '../state';
import type { FinalizeState, LegacyForeignKey } from './run-finalize';
import { DROPPED_LEGACY_TABLES } from '../verify/fingerprint';

/**
 * Foreign keys of the real legacy layout (soulspot-origin §1.4), for a backup made by a finalize that did not record
 * the database's own (since then finalize stores them with its state, whatever the layout's column names).
 */
const LEGACY_FOREIGN_KEYS: LegacyForeignKey[] = [
  {
    table: 'spotify_albums',
    name: 'spotify_albums_artist_id_fkey',
    definition: 'FOREIGN KEY (artist_id) REFERENCES public.spotify_artists(spotify_id) ON DELETE CASCADE',
    references: 'spotify_artists',
  },
  {
    table: 'spotify_tracks',
    name: 'spotify_tracks_album_id_fkey',
    definition: 'FOREIGN KEY (album_id) REFERENCES public.spotify_albums(spotify_id) ON DELETE CASCADE',
    references: 'spotify_albums',
  },
];

/**
 * Re-creates a foreign key. One into a table that is not restored with it (spotify_tracks.local_track_id -> the
 * pre-migration soulspot_tracks, now legacy_backup.soulspot_tracks) is added NOT VALID, then validated if its rows
 * still match (see below).
 */
function addForeignKeySql(fk: LegacyForeignKey, restored: readonly string[]): string {
  const referenced = fk.references.replace(/^public\./, '').replaceAll('"', '');
  const validated = restored.includes(referenced);
  return `ALTER TABLE public."${fk.table}" ADD CONSTRAINT "${fk.name}" ${fk.definition}${validated ? '' : ' NOT VALID'}`;
}

export interface RestoreReport {
  restored: Record<string, number>;
  dryRun: boolean;
}

class DryRunRollback extends Error {}

/**
 * `migrator restore-legacy`: undoes finalize from `legacy_backup` in one transaction — re-creates
 * spotify_artists/albums/tracks in `public` with their rows (counts checked) and foreign keys. The last verify
 * is invalidated: finalize needs a new verify afterwards.
 */
export async function runRestoreLegacy(databaseUrl: string, options: { dryRun: boolean; logger: Logger }): Promise<RestoreReport> {
  const pool = createPool(databaseUrl, 1);
  let report: RestoreReport | undefined;
  try {
    await inTransaction(pool, async (db) => {
      await db.query(`SELECT pg_advisory_xact_lock($1)`, [MIGRATOR_LOCK_KEY]);
      const backups = await listTables(db, BACKUP_SCHEMA);
      const present = await listTables(db, 'public');
      const tables = DROPPED_LEGACY_TABLES.filter((t) => backups.has(t));
      if (tables.length === 0) throw new Error(`restore-legacy: ${BACKUP_SCHEMA} holds no spotify_* backup (finalize has not run)`);
      const clash = tables.filter((t) => present.has(t));
      if (clash.length > 0) throw new Error(`restore-legacy: public.${clash.join(', public.')} already exist; nothing to restore`);
      const restored: Record<string, number> = {};
      for (const table of tables) {
        await db.query(`CREATE TABLE public."${table}" (LIKE ${BACKUP_SCHEMA}."${table}" INCLUDING ALL)`);
        await copyIndexNames(db, { schema: BACKUP_SCHEMA, table }, { schema: 'public', table });
        await carrySequences(db, { schema: BACKUP_SCHEMA, table }, { schema: 'public', table });
        const inserted = await copyRows(db, { schema: BACKUP_SCHEMA, table }, { schema: 'public', table });
        const expected = Number((await db.query(`SELECT count(*) AS n FROM ${BACKUP_SCHEMA}."${table}"`)).rows[0].n);
        if (inserted !== expected) throw new Error(`restore-legacy: restored ${inserted} rows of ${table}, backup has ${expected}`);
        restored[table] = inserted;
      }
      const finalized = await readState<Partial<FinalizeState>>(db, 'finalize');
      const foreignKeys = finalized?.foreignKeys ?? LEGACY_FOREIGN_KEYS;
      for (const fk of foreignKeys) {
        if (!(tables as readonly string[]).includes(fk.table)) continue;
        await db.query(addForeignKeySql(fk, tables));
        // Validated as it was before finalize when the referenced rows are still there (the backup of the old
        // soulspot_tracks is never rewritten); if some are gone it stays NOT VALID (enforced for new rows) rather
        // than failing the restore.
        await db.query('SAVEPOINT restore_fk');
        try {
          await db.query(`ALTER TABLE public."${fk.table}" VALIDATE CONSTRAINT "${fk.name}"`);
          await db.query('RELEASE SAVEPOINT restore_fk');
        } catch (error) {
          await db.query('ROLLBACK TO SAVEPOINT restore_fk');
          options.logger.warn({ constraint: fk.name, err: error }, 'restored foreign key left NOT VALID: rows it references are gone');
        }
      }
      report = { restored, dryRun: options.dryRun };
      if (options.dryRun) throw new DryRunRollback();
      await db.query(`DELETE FROM migrator_state WHERE key IN ('verify', 'finalize')`);
      await writeState(db, 'restore', { at: new Date().toISOString(), restored });
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  } finally {
    await pool.end();
  }
  options.logger.info(report, options.dryRun ? 'restore-legacy dry run (rolled back)' : 'legacy tables restored from backup');
  return report!;
}
