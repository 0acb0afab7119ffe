import { Migration } from '@mikro-orm/migrations';

/**
 * How far the change feed (projection_changes, WatchLibraryChanges) has been pruned. library-service deletes changes
 * older than its retention and raises `pruned_through` in the same transaction, so a watcher whose cursor is below it
 * is told that changes it has not seen are gone (and re-lists) instead of skipping them as a sequence hole.
 * One row. It stays in the live schema across blue/green swaps: it describes the sequence numbers the feed has
 * handed out, which continue across swaps and rollbacks.
 */
export class Migration20261206000000_change_feed_retention extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table projection_change_retention (
  id smallint primary key default 1 check (id = 1),
  pruned_through bigint not null default 0,
  pruned_at timestamptz
);`);
    this.addSql(`insert into projection_change_retention (id) values (1);`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists projection_change_retention;');
  }
}
