import { MIGRATIONS, migrateUp, pendingMigrations } from '@soulspot/library-db';
import type { Logger } from '@soulspot/observability';
import { createPool, inTransaction, withClient } from '../db';
import { detectSchemaState, type SchemaState } from './detect';
import { convertLegacyDatabase, type ConversionReport } from './legacy-conversion';
import { MIGRATOR_TABLES_DDL } from './migrator-tables';
import { writeState } from '../state';

export interface SchemaResult {
  before: SchemaState;
  path: 'fresh' | 'legacy';
  appliedMigrations: string[];
  conversion?: ConversionReport;
  dryRun: boolean;
}

/**
 * `migrator schema`: the one DDL path of the soulspot database.
 * - empty or MikroORM-managed database: apply the pending migrations of libs/library-db (none = no-op);
 * - legacy SoulSpot database: convert it in one transaction (legacy-conversion.ts).
 * Both paths then make sure the migrator's own tables exist. Re-running is a no-op.
 */
export async function runSchema(databaseUrl: string, options: { dryRun: boolean; logger: Logger }): Promise<SchemaResult> {
  const pool = createPool(databaseUrl, 1);
  try {
    const before = await withClient(pool, (c) => detectSchemaState(c));
    options.logger.info({ state: before }, 'detected database state');
    if (before.kind === 'legacy') {
      const conversion = await convertLegacyDatabase(databaseUrl, options);
      if (!options.dryRun) await writeState(pool, 'schema', { path: 'legacy', at: new Date().toISOString(), movedTables: conversion.movedTables });
      return { before, path: 'legacy', appliedMigrations: conversion.appliedMigrations, conversion, dryRun: options.dryRun };
    }
    if (options.dryRun) {
      // On an empty database every migration is pending; asking MikroORM would create its history table.
      const pending = before.kind === 'empty' ? MIGRATIONS.map((m) => m.name) : await pendingMigrations(databaseUrl);
      options.logger.info({ pending }, 'dry run: would apply these migrations');
      return { before, path: 'fresh', appliedMigrations: pending, dryRun: true };
    }
    const applied = await migrateUp(databaseUrl, { logger: { info: (m) => options.logger.info(m) } });
    await inTransaction(pool, async (c) => {
      for (const ddl of MIGRATOR_TABLES_DDL) await c.query(ddl);
    });
    if (before.kind === 'empty') await writeState(pool, 'schema', { path: 'fresh', at: new Date().toISOString() });
    return { before, path: 'fresh', appliedMigrations: applied, dryRun: false };
  } finally {
    await pool.end();
  }
}
