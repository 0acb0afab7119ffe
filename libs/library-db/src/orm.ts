import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** The migration history table of the soulspot database. */
export const MIGRATIONS_TABLE = 'mikro_orm_migrations';

export interface MigrationLogger {
  info(message: string): void;
}

function ormOptions(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  return {
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: false },
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: MIGRATIONS_TABLE,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    pool: { min: 0, max: 4 },
    debug: false,
    ...overrides,
  };
}

/** A MikroORM instance for reads and ORM writes (entities defined with EntitySchema; no decorators). Never runs DDL. */
export async function createOrm(databaseUrl: string, overrides: Partial<Options> = {}): Promise<MikroORM> {
  return MikroORM.init(ormOptions(databaseUrl, overrides));
}

/** Names of the migrations not applied yet to this database. */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const orm = await createOrm(databaseUrl);
  try {
    return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}

/**
 * Applies every pending migration in one transaction (all or nothing) and returns their names. This is the
 * only DDL path of the system; `migrator schema` calls it.
 */
export async function migrateUp(databaseUrl: string, options: { logger?: MigrationLogger } = {}): Promise<string[]> {
  const orm = await createOrm(databaseUrl);
  try {
    const applied = await orm.getMigrator().up();
    const names = applied.map((m) => m.name);
    for (const name of names) options.logger?.info(`applied migration ${name}`);
    if (names.length === 0) options.logger?.info('schema is up to date');
    return names;
  } finally {
    await orm.close(true);
  }
}
