import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { createOrm, migrateUp, pendingMigrations, MIGRATIONS } from '../src';

describe('library-db migrations on a fresh database', () => {
  let db: ProvisionedPostgres;

  beforeAll(async () => {
    db = await provisionPostgres();
  });
  afterAll(async () => {
    await db?.stop();
  });

  it('applies every migration once, then reports nothing pending', async () => {
    expect(await pendingMigrations(db.url)).toEqual(MIGRATIONS.map((m) => m.name));
    const lines: string[] = [];
    expect(await migrateUp(db.url, { logger: { info: (line) => lines.push(line) } })).toEqual(
      MIGRATIONS.map((m) => m.name),
    );
    expect(lines[0]).toContain('applied migration');
    expect(await pendingMigrations(db.url)).toEqual([]);
    expect(await migrateUp(db.url)).toEqual([]);
  });

  it('creates the tables, unique identifiers, last-synced indexes and foreign keys of the design', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const tables = (
        await client.query<{ table_name: string }>(
          `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
        )
      ).rows.map((r) => r.table_name);
      for (const table of [
        'soulspot_artists',
        'soulspot_albums',
        'soulspot_tracks',
        'provider_sync_status',
        'spotify_sessions',
        'spotify_tokens',
        'deezer_sessions',
        'projection_checkpoints',
        'projection_observations',
        'projection_entity_members',
        'projection_identity_links',
        'projection_id_redirects',
        'projection_dead_letters',
        'projection_parked_events',
        'projection_changes',
      ]) {
        expect(tables).toContain(table);
      }
      const indexes = (await client.query<{ indexname: string; indexdef: string }>(`select indexname, indexdef from pg_indexes`))
        .rows;
      const def = (name: string) => indexes.find((i) => i.indexname === name)?.indexdef ?? '';
      for (const name of ['idx_artists_last_synced', 'idx_albums_last_synced', 'idx_tracks_last_synced']) {
        expect(def(name)).toContain('(last_synced_at)');
      }
      for (const name of [
        'ix_soulspot_artists_spotify_uri',
        'ix_soulspot_artists_deezer_id',
        'ix_soulspot_artists_musicbrainz_id',
        'ix_soulspot_albums_upc',
        'ix_soulspot_albums_spotify_uri',
        'ix_soulspot_tracks_isrc',
        'ix_soulspot_tracks_deezer_id',
      ]) {
        expect(def(name)).toMatch(/^CREATE UNIQUE INDEX/);
      }
      const fks = (
        await client.query<{ table_name: string; column_name: string; foreign_table: string; delete_rule: string }>(`
          select kcu.table_name, kcu.column_name, ccu.table_name as foreign_table, rc.delete_rule
          from information_schema.referential_constraints rc
          join information_schema.key_column_usage kcu on kcu.constraint_name = rc.constraint_name
          join information_schema.constraint_column_usage ccu on ccu.constraint_name = rc.constraint_name
          order by 1, 2`)
      ).rows;
      expect(fks).toEqual([
        { table_name: 'soulspot_albums', column_name: 'artist_id', foreign_table: 'soulspot_artists', delete_rule: 'CASCADE' },
        { table_name: 'soulspot_tracks', column_name: 'album_id', foreign_table: 'soulspot_albums', delete_rule: 'SET NULL' },
        { table_name: 'soulspot_tracks', column_name: 'artist_id', foreign_table: 'soulspot_artists', delete_rule: 'CASCADE' },
      ]);
      const syncColumns = (
        await client.query<{ column_name: string; data_type: string; is_nullable: string }>(
          `select column_name, data_type, is_nullable from information_schema.columns
           where table_name = 'provider_sync_status' order by ordinal_position`,
        )
      ).rows.slice(0, 6);
      expect(syncColumns).toEqual([
        { column_name: 'id', data_type: 'character varying', is_nullable: 'NO' },
        { column_name: 'entity_type', data_type: 'character varying', is_nullable: 'NO' },
        { column_name: 'entity_id', data_type: 'character varying', is_nullable: 'NO' },
        { column_name: 'provider', data_type: 'character varying', is_nullable: 'NO' },
        { column_name: 'last_sync_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
        { column_name: 'next_sync_allowed_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
      ]);
    } finally {
      await client.end();
    }
  });

  it('has entity metadata that matches the migrated columns exactly', async () => {
    const orm = await createOrm(db.url);
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        for (const meta of Object.values(orm.getMetadata().getAll())) {
          const columns = new Map(
            (
              await client.query<{ column_name: string; udt_name: string; is_nullable: string; character_maximum_length: number | null }>(
                `select column_name, udt_name, is_nullable, character_maximum_length from information_schema.columns where table_name = $1`,
                [meta.tableName],
              )
            ).rows.map((c) => [c.column_name, c]),
          );
          expect(columns.size, meta.tableName).toBe(meta.props.length);
          for (const prop of meta.props) {
            const column = columns.get(prop.fieldNames[0]);
            expect(column, `${meta.tableName}.${prop.fieldNames[0]}`).toBeDefined();
            expect(column!.is_nullable === 'YES', `${meta.tableName}.${prop.name} nullable`).toBe(!!prop.nullable);
            const length = /varchar\((\d+)\)/.exec(prop.columnTypes[0])?.[1];
            if (length) expect(column!.character_maximum_length, `${meta.tableName}.${prop.name}`).toBe(Number(length));
          }
        }
      } finally {
        await client.end();
      }
    } finally {
      await orm.close(true);
    }
  });
});
