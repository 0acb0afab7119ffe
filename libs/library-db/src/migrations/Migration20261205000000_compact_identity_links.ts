import { Migration } from '@mikro-orm/migrations';

/**
 * projection_identity_links is found by identity key only, and holds two links per track (its ISRC, and the artist
 * evidence of that ISRC): two million rows for a million tracks. Its primary key on (identity_key, member_key), two
 * strings of 40-60 bytes, made a B-tree larger than the table itself (~240 MB for 2M links, filled at random), so
 * every insert and lookup was a leaf page outside PostgreSQL's cache. An index on a 64-bit hash of the identity key is
 * a third of that size (see hashed-keys.ts, whose expression this must stay). There is no uniqueness constraint any
 * more: the projection writes links under its state lock and inserts only the links a lookup just showed to be missing.
 */
export class Migration20261205000000_compact_identity_links extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table projection_identity_links drop constraint projection_identity_links_pkey;`);
    this.addSql(`create index ix_projection_identity_links_key_hash on projection_identity_links (hashtextextended(identity_key, 0));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists ix_projection_identity_links_key_hash;`);
    this.addSql(`alter table projection_identity_links add primary key (identity_key, member_key);`);
  }
}
