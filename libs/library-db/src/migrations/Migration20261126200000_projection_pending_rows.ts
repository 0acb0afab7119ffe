import { Migration } from '@mikro-orm/migrations';

/**
 * Row work the projector has committed to but not yet written (library-service). A projection transaction stores
 * the state of a batch (observations, identities, dead letters) and records here which soulspot_* rows that state
 * changed and where the batch ends; a second transaction recomputes those rows, moves the checkpoints to `positions`
 * and deletes the record. Splitting the two lets the projector prepare the next batch's state while PostgreSQL
 * writes the previous batch's rows; the record makes the split crash-safe (whatever is here on start-up is written
 * before anything new is consumed), and a checkpoint still means "these events are in the library".
 */
export class Migration20261126200000_projection_pending_rows extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table projection_pending_rows (
  seq bigserial primary key,
  projection varchar(64) not null,
  topic varchar(255) not null,
  positions jsonb not null,
  work text not null,
  created_at timestamptz not null default now()
);`);
    // the work is a few MB of JSON written once and read at most once: compressing it would only cost CPU
    this.addSql(`alter table projection_pending_rows alter column work set storage external;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists projection_pending_rows;');
  }
}
