export { createLegacyDatabase, type LegacyDatabase } from './create-legacy-database';
export { expectedOutcomes, type LegacyExpectations } from './expected';
export { LEGACY_ALEMBIC_HEAD, LEGACY_FOREIGN_KEYS, LEGACY_INDEXES, LEGACY_TABLES_DDL, LEGACY_TABLE_NAMES } from './legacy-ddl';
export { RULES, resolveOptions, type LegacyFixtureOptions, type ResolvedOptions } from './plan';
