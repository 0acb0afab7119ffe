export * from './entities';
export { MIGRATIONS } from './migrations';
export { hashedKey, hashedKeyEquals, hashedKeyIn } from './hashed-keys';
export { createOrm, migrateUp, pendingMigrations, MIGRATIONS_TABLE, type MigrationLogger } from './orm';
export type { MikroORM } from '@mikro-orm/postgresql';
