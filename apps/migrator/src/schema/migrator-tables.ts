/**
 * The migrator's own bookkeeping tables. They belong to the migrator, not to libs/library-db, and are created
 * by `migrator schema` on both paths (fresh and legacy) with IF NOT EXISTS, so both end with the same schema.
 *
 * - migrator_replay_cursors: per legacy source table, the last keyset key whose events the broker acknowledged.
 * - migrator_state: small named facts (the last verify result and the legacy fingerprint it saw, finalize info).
 */
export const MIGRATOR_TABLES_DDL = [
  `CREATE TABLE IF NOT EXISTS migrator_replay_cursors (
     source_table varchar(128) NOT NULL PRIMARY KEY,
     last_key text NULL,
     rows_done bigint NOT NULL DEFAULT 0,
     events_published bigint NOT NULL DEFAULT 0,
     completed boolean NOT NULL DEFAULT false,
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE IF NOT EXISTS migrator_state (
     key varchar(64) NOT NULL PRIMARY KEY,
     value jsonb NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
];

export const MIGRATOR_TABLE_NAMES = ['migrator_replay_cursors', 'migrator_state'] as const;

/** Schema that keeps the legacy tables the migration moves or drops (restorable from there). */
export const BACKUP_SCHEMA = 'legacy_backup';
