import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261126000000_initial_schema } from './Migration20261126000000_initial_schema';
import { Migration20261126100000_projection_rebuilds } from './Migration20261126100000_projection_rebuilds';
import { Migration20261126200000_projection_pending_rows } from './Migration20261126200000_projection_pending_rows';
import { Migration20261205000000_compact_identity_links } from './Migration20261205000000_compact_identity_links';
import { Migration20261205100000_hashed_member_entity_index } from './Migration20261205100000_hashed_member_entity_index';
import { Migration20261206000000_change_feed_retention } from './Migration20261206000000_change_feed_retention';

/** Every migration in order. New migrations are appended here (files are TS, committed, never edited once shipped). */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261126000000_initial_schema', class: Migration20261126000000_initial_schema },
  { name: 'Migration20261126100000_projection_rebuilds', class: Migration20261126100000_projection_rebuilds },
  { name: 'Migration20261126200000_projection_pending_rows', class: Migration20261126200000_projection_pending_rows },
  { name: 'Migration20261205000000_compact_identity_links', class: Migration20261205000000_compact_identity_links },
  { name: 'Migration20261205100000_hashed_member_entity_index', class: Migration20261205100000_hashed_member_entity_index },
  { name: 'Migration20261206000000_change_feed_retention', class: Migration20261206000000_change_feed_retention },
];
