export * from './entities';
export { MIGRATIONS } from './migrations';
export { identityKeyHash } from './migrations/Migration20261205000000_compact_identity_links';
export { createOrm, migrateUp, pendingMigrations, MIGRATIONS_TABLE, type MigrationLogger } from './orm';
export type { MikroORM } from '@mikro-orm/postgresql';
