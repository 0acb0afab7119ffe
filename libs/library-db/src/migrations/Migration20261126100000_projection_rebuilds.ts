import { Migration } from '@mikro-orm/migrations';

/**
 * State of projection rebuilds (library-service, issue 8). One row per rebuild; at most one active row per
 * projection (the unique partial index), which is what lets a restarted library-service resume it. The shadow and
 * rollback tables themselves live in the schemas projection_shadow / projection_previous, created by the rebuild
 * with the DDL of the live tables, so they need no migration.
 */
export class Migration20261126100000_projection_rebuilds extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table projection_rebuilds (
  id bigserial primary key,
  projection varchar(64) not null,
  mode varchar(16) not null check (mode in ('blue_green', 'in_place')),
  phase varchar(16) not null check (phase in ('replaying', 'catching_up', 'swapping', 'done', 'cancelled', 'failed')),
  consumer_group varchar(255) not null,
  target_offsets jsonb not null default '{}',
  error text null,
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz null
);`);
    this.addSql(
      `create unique index ux_projection_rebuilds_active on projection_rebuilds (projection) where phase in ('replaying', 'catching_up', 'swapping');`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists projection_rebuilds;');
  }
}
