import { Migration } from '@mikro-orm/migrations';

/**
 * projection_entity_members is found by entity id (an entity's members, when its row is recomputed or it merges;
 * an entity's provenance in the gRPC reads) through an index on the 36-character id: at 1.5 million members,
 * inserted in random id order, that B-tree did not fit PostgreSQL's cache next to the others. It is now on a 64-bit
 * hash of the id (see hashed-keys.ts, whose expression this must stay).
 */
export class Migration20261205100000_hashed_member_entity_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index ix_projection_entity_members_entity;`);
    this.addSql(`create index ix_projection_entity_members_entity_hash on projection_entity_members (hashtextextended(entity_id, 0));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists ix_projection_entity_members_entity_hash;`);
    this.addSql(`create index ix_projection_entity_members_entity on projection_entity_members (entity_id);`);
  }
}
