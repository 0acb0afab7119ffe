import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261126000000_initial_schema } from './Migration20261126000000_initial_schema';

/** Every migration in order. New migrations are appended here (files are TS, committed, never edited once shipped). */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261126000000_initial_schema', class: Migration20261126000000_initial_schema },
];
