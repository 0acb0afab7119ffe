import type pg from 'pg';
import { hashedKey, hashedKeyEquals } from '@soulspot/library-db';
import { bulkInput } from '../projection/sql';

/** The live projection's tables: the library itself and every piece of projection state (checkpoints included). */
export const PROJECTION_TABLES = [
  'soulspot_artists',
  'soulspot_albums',
  'soulspot_tracks',
  'projection_checkpoints',
  'projection_observations',
  'projection_entity_members',
  'projection_identity_links',
  'projection_id_redirects',
  'projection_library_marks',
  'projection_snapshots',
  'projection_dead_letters',
  'projection_parked_events',
  'projection_changes',
  'projection_pending_rows',
] as const;

/** Where the live tables are (the schema the gRPC reads and the projector resolve unqualified names in). */
export const LIVE_SCHEMA = 'public';
/** Where a blue/green rebuild projects to. */
export const SHADOW_SCHEMA = 'projection_shadow';
/** Where the tables replaced by the last swap wait as the rollback target (until the next rebuild). */
export const PREVIOUS_SCHEMA = 'projection_previous';
/** Where an in-place rebuild keeps the ids the truncated tables resolved, until its replay has caught up. */
export const CARRY_SCHEMA = 'projection_carry';
/** Scratch name used while exchanging two schemas' tables. */
const EXCHANGE_SCHEMA = 'projection_exchange';

/**
 * Change-feed sequence numbers of a shadow start this far above the live ones, so that after the swap every row the
 * rebuild wrote is "after" any cursor a watcher holds (watchers then see the rebuilt library as changes).
 */
export const SHADOW_CHANGE_SEQ_GAP = 1_000_000_000n;

type Sql = Pick<pg.PoolClient, 'query'>;
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const qualified = (schema: string, table: string) => `${ident(schema)}.${ident(table)}`;

export async function schemaExists(sql: Sql, schema: string): Promise<boolean> {
  const result = await sql.query('select 1 from pg_namespace where nspname = $1', [schema]);
  return result.rowCount === 1;
}

/** Every projection table exists in the schema (a shadow cut short while being created does not count). */
export async function schemaIsComplete(sql: Sql, schema: string): Promise<boolean> {
  const result = await sql.query<{ n: number }>(
    `select count(*)::int as n from pg_tables where schemaname = $1 and tablename = any($2::text[])`,
    [schema, PROJECTION_TABLES],
  );
  return result.rows[0].n === PROJECTION_TABLES.length;
}

export async function dropSchema(sql: Sql, schema: string): Promise<void> {
  await sql.query(`drop schema if exists ${ident(schema)} cascade`);
}

interface ConstraintRow {
  table_name: string;
  name: string;
  type: string;
  definition: string;
}

/**
 * Creates `schema` with empty copies of the live projection tables: same columns, defaults, checks, primary/unique
 * keys, foreign keys (between the copies) and indexes — under the SAME names, so after a swap the live schema looks
 * exactly as the migrations left it. Serial columns get their own sequences (owned by the copy), so dropping a
 * rollback schema never touches the live tables. Runs inside the caller's transaction.
 */
export async function createShadowSchema(sql: Sql, schema: string): Promise<void> {
  // definitions are read with only the live schema on the path, so references print unqualified and, replayed
  // with the shadow schema on the path, point at the copies
  await sql.query(`set local search_path = ${ident(LIVE_SCHEMA)}`);
  const constraints = (
    await sql.query<ConstraintRow>(
      `select c.relname as table_name, k.conname as name, k.contype as type, pg_get_constraintdef(k.oid) as definition
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relname = any($2::text[]) and k.contype in ('p', 'u', 'f')`,
      [LIVE_SCHEMA, PROJECTION_TABLES],
    )
  ).rows;
  const indexes = (
    await sql.query<{ table_name: string; definition: string }>(
      `select c.relname as table_name, pg_get_indexdef(i.indexrelid) as definition
       from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relname = any($2::text[])
         and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`,
      [LIVE_SCHEMA, PROJECTION_TABLES],
    )
  ).rows;
  const serials = (
    await sql.query<{ table_name: string; column_name: string; sequence: string; identity: boolean }>(
      `select c.relname as table_name, a.attname as column_name, pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) as sequence,
              a.attidentity <> '' as identity
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relname = any($2::text[]) and a.attnum > 0 and not a.attisdropped
         and pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) is not null`,
      [LIVE_SCHEMA, PROJECTION_TABLES],
    )
  ).rows;

  await sql.query(`create schema ${ident(schema)}`);
  for (const table of PROJECTION_TABLES) {
    await sql.query(
      `create table ${qualified(schema, table)} (like ${qualified(LIVE_SCHEMA, table)}
         including defaults including constraints including identity including generated including storage including comments
         excluding indexes)
       with (${AUTOVACUUM_OPTIONS.map((option) => `${option} = false`).join(', ')})`,
    );
  }
  for (const serial of serials) {
    let sequence = qualified(schema, `${serial.table_name}_${serial.column_name}_seq`);
    if (serial.identity) {
      // `including identity` gave the copy its own identity sequence already
      sequence = (await sql.query<{ name: string }>(`select pg_get_serial_sequence($1, $2) as name`, [qualified(schema, serial.table_name), serial.column_name]))
        .rows[0].name;
    } else {
      await sql.query(`create sequence ${sequence} as bigint owned by ${qualified(schema, serial.table_name)}.${ident(serial.column_name)}`);
      await sql.query(
        `alter table ${qualified(schema, serial.table_name)} alter column ${ident(serial.column_name)}
           set default nextval('${sequence.replaceAll("'", "''")}'::regclass)`,
      );
    }
    if (serial.table_name === 'projection_changes') {
      await sql.query(`select setval($1::regclass, greatest((select last_value from ${serial.sequence}), 1) + $2::bigint)`, [
        sequence,
        SHADOW_CHANGE_SEQ_GAP.toString(),
      ]);
    }
  }
  // the copies come first, so the foreign keys' unqualified tables are theirs; the live schema after them, for what
  // the definitions name there besides the projection tables (functions of an expression index, operator classes)
  await sql.query(`set local search_path = ${ident(schema)}, ${ident(LIVE_SCHEMA)}`);
  // keys first (foreign keys need the referenced keys), then the plain indexes
  for (const c of [...constraints].sort((a, b) => (a.type === 'f' ? 1 : 0) - (b.type === 'f' ? 1 : 0))) {
    await sql.query(`alter table ${qualified(schema, c.table_name)} add constraint ${ident(c.name)} ${c.definition}`);
  }
  for (const index of indexes) {
    const live = ` ON ${LIVE_SCHEMA}.${index.table_name} `;
    if (!index.definition.includes(live)) throw new Error(`unexpected index definition: ${index.definition}`);
    await sql.query(index.definition.replace(live, ` ON ${qualified(schema, index.table_name)} `));
  }
  await sql.query(`set local search_path = ${ident(LIVE_SCHEMA)}`);
}

/*
 * Autovacuum and the swap. A swap (or a rollback) takes ACCESS EXCLUSIVE locks on the tables it moves. An autovacuum
 * worker on one of them makes that request wait until PostgreSQL cancels the worker, which it does only after
 * deadlock_timeout (1 s by default), and every read queues behind the waiting request meanwhile: a second-long stall
 * of the library at the moment of the swap. So no table a swap moves has autovacuum running when the locks are
 * requested: the shadow is created with autovacuum off (it is written once, by the replay; `analyzeSchema` gives it
 * its statistics before it goes live) and the live tables have it turned off just before (`setAutovacuum`: changing
 * the option waits for a running worker to be cancelled, but does not block reads or writes). Inside the swap, the
 * tables that become live get autovacuum back; the rollback target keeps it off, as nothing writes it.
 */
const AUTOVACUUM_OPTIONS = ['autovacuum_enabled', 'toast.autovacuum_enabled'];

/**
 * Turns autovacuum of every projection table in `schema` off, or back to the server's settings. Turning it back on
 * touches only the tables that have it off, so it is cheap to call wherever it may have been left off (a process that
 * stopped between turning it off and the swap).
 */
export async function setAutovacuum(sql: Sql, schema: string, enabled: boolean): Promise<void> {
  const change = enabled ? `reset (${AUTOVACUUM_OPTIONS.join(', ')})` : `set (${AUTOVACUUM_OPTIONS.map((o) => `${o} = false`).join(', ')})`;
  const tables = enabled ? await tablesWithAutovacuumOff(sql, schema) : PROJECTION_TABLES;
  for (const table of tables) await sql.query(`alter table ${qualified(schema, table)} ${change}`);
}

/** The projection tables in `schema` whose autovacuum is turned off, by name. */
export async function tablesWithAutovacuumOff(sql: Sql, schema: string): Promise<string[]> {
  const { rows } = await sql.query<{ relname: string }>(
    `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relname = any($2::text[]) and c.relkind = 'r'
       and 'autovacuum_enabled=false' = any(coalesce(c.reloptions, '{}'))
     order by c.relname`,
    [schema, PROJECTION_TABLES],
  );
  return rows.map((r) => r.relname);
}

/** Planner statistics for every projection table in `schema` (the shadow, before it goes live). */
export async function analyzeSchema(sql: Sql, schema: string): Promise<void> {
  await sql.query(`analyze ${PROJECTION_TABLES.map((table) => qualified(schema, table)).join(', ')}`);
}

/**
 * How the projection tables of schema `a` differ from those of `b` in what the migrations define and the code relies on:
 * columns (name, type, not null) and the names of indexes and constraints. Empty when they match. A migration run after
 * the shadow was copied (a rolling update during a rebuild), or after the swap that left the rollback target, reaches
 * the live tables only: exchanging tables then would silently undo it (a column the new code reads gone).
 */
export async function shapeDifferences(sql: Sql, a: string, b: string): Promise<string[]> {
  const { rows } = await sql.query<{ item: string; schemas: string[] }>(
    `select item, array_agg(schema order by schema) as schemas from (
       select n.nspname as schema, format('column %s.%s %s%s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                                           case when a.attnotnull then ' not null' else '' end) as item
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any($1::text[]) and c.relname = any($2::text[]) and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
       union all
       select n.nspname, format('index %s.%s', c.relname, i.relname)
       from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any($1::text[]) and c.relname = any($2::text[])
       union all
       select n.nspname, format('constraint %s.%s', c.relname, k.conname)
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any($1::text[]) and c.relname = any($2::text[]) and k.contype in ('p', 'u', 'f', 'c')
     ) items
     group by item having count(distinct schema) = 1
     order by item`,
    [[a, b], PROJECTION_TABLES],
  );
  return rows.map((row) => `${row.item} only in ${row.schemas[0]}`);
}

async function assertSameShape(sql: Sql, a: string, b: string): Promise<void> {
  const differences = await shapeDifferences(sql, a, b);
  if (differences.length > 0) throw new TableShapeError(a, b, differences);
}

/** The tables an exchange would put live do not have the live tables' shape (`shapeDifferences`). */
export class TableShapeError extends Error {
  override name = 'TableShapeError';
  constructor(a: string, b: string, readonly differences: string[]) {
    const shown = differences.slice(0, 10).join('; ') + (differences.length > 10 ? `; and ${differences.length - 10} more` : '');
    super(`the projection tables of ${a} and ${b} differ (a migration ran since one of them was created): ${shown}`);
  }
}

/** Takes the exclusive locks of a swap up front, in one statement, so readers queue behind it instead of deadlocking. */
async function lockTables(sql: Sql, schemas: string[]): Promise<void> {
  const names = schemas.flatMap((schema) => PROJECTION_TABLES.map((table) => qualified(schema, table)));
  await sql.query(`lock table ${names.join(', ')} in access exclusive mode`);
}

async function moveTables(sql: Sql, from: string, to: string): Promise<void> {
  for (const table of PROJECTION_TABLES) await sql.query(`alter table ${qualified(from, table)} set schema ${ident(to)}`);
}

/**
 * Keeps the change feed monotonic across a swap: the incoming feed's sequence continues after the highest number
 * the outgoing feed handed out, so watchers' cursors stay valid.
 */
async function continueChangeSequence(sql: Sql, outgoingSchema: string): Promise<void> {
  await sql.query(
    `select setval(pg_get_serial_sequence('${LIVE_SCHEMA}.projection_changes', 'seq'),
       greatest((select coalesce(max(seq), 0) from ${qualified(outgoingSchema, 'projection_changes')}),
                (select coalesce(max(seq), 0) from ${qualified(LIVE_SCHEMA, 'projection_changes')}), 1))`,
  );
}

const ENTITY_TABLES = [
  ['artist', 'soulspot_artists'],
  ['album', 'soulspot_albums'],
  ['track', 'soulspot_tracks'],
] as const;

/**
 * Ids clients hold must keep resolving when one set of tables replaces another (architecture §4: ids survive
 * rebuilds). The incoming tables may never have had an id the outgoing ones hand out: a rebuild that applies a Spotify
 * track and the Deezer track with the same ISRC in one batch creates the merged entity directly, where the live
 * projection, which saw them in two batches, created the Spotify one first and redirects its id. So every id
 * resolvable in `from` (an entity row, or a redirect's old id) that `to` knows neither as a row nor as a redirect gets
 * a redirect in `to`: to the entity that `to` gives the members of the entity the id stands for in `from` (the
 * smallest id if those members went to several entities, so the choice never depends on timing). Run inside the
 * transaction of the swap or rollback, before the exchange, with the projection writer lock held (`from` does not
 * change meanwhile); it reads the live tables without locking them for readers.
 */
export async function carryOverRedirects(sql: Sql, from: string, to: string): Promise<CarryOverStats> {
  const stats: CarryOverStats = { redirects: 0, missing: 0, findMs: 0, redirectMs: 0 };
  for (const [type, table] of ENTITY_TABLES) {
    const findStarted = performance.now();
    // (two statements: the few missing ids first, so the member lookups below go through the indexes for exactly
    // those instead of joining whole member tables, which took 16 s at a million tracks; an id that `from` has both
    // as a row and as a redirect comes twice, and may straddle two chunks: the first in (old id, target) order wins)
    const missing = (
      await sql.query<{ old_id: string; at: string }>(
        `select h.old_id, h.at from (
           select id as old_id, id as at from ${qualified(from, table)}
           union all
           select old_id, new_id from ${qualified(from, 'projection_id_redirects')} where entity_type = $1
         ) h
         where not exists (select 1 from ${qualified(to, table)} t where t.id = h.old_id)
           and not exists (select 1 from ${qualified(to, 'projection_id_redirects')} r where r.entity_type = $1 and r.old_id = h.old_id)
         order by h.old_id, h.at`,
        [type],
      )
    ).rows;
    stats.missing += missing.length;
    const redirectStarted = performance.now();
    stats.findMs += Math.round(redirectStarted - findStarted);
    for (let i = 0; i < missing.length; i += CARRY_OVER_CHUNK) {
      const result = await sql.query(
        `insert into ${qualified(to, 'projection_id_redirects')} (entity_type, old_id, new_id)
         select $1, m.old_id, min(tm.entity_id)
         from ${MISSING_IDS.from('$2', 'm')}
         join ${qualified(from, 'projection_entity_members')} fm on ${hashedKeyEquals('fm.entity_id', 'm.at')}
         join ${qualified(to, 'projection_entity_members')} tm on tm.member_key = fm.member_key
         where exists (select 1 from ${qualified(to, table)} t where t.id = tm.entity_id)
         group by m.old_id
         on conflict (entity_type, old_id) do nothing`,
        [type, MISSING_IDS.encode(missing.slice(i, i + CARRY_OVER_CHUNK))],
      );
      stats.redirects += result.rowCount ?? 0;
    }
    stats.redirectMs += Math.round(performance.now() - redirectStarted);
  }
  return stats;
}

export interface CarryOverStats {
  /** Redirects added. */
  redirects: number;
  /** Ids `to` knew neither way (those whose members `to` does not have at all get no redirect). */
  missing: number;
  /** Time finding them, and adding their redirects. */
  findMs: number;
  redirectMs: number;
}

/** Missing ids per statement (one jsonb parameter each). */
const CARRY_OVER_CHUNK = 10_000;
const MISSING_IDS = bulkInput({ old_id: 'varchar', at: 'varchar' });

/**
 * Blue/green swap, inside the caller's transaction: live tables -> previous schema (replacing an older rollback
 * target), shadow tables -> live schema, shadow schema dropped. Concurrent readers wait on the locks and then
 * resolve the names again, so every query sees either all old or all new tables. The caller has turned autovacuum of
 * the live tables off beforehand; the tables that go live get it back here.
 */
export async function swapShadowIn(sql: Sql): Promise<void> {
  await lockTables(sql, [LIVE_SCHEMA, SHADOW_SCHEMA]);
  // (under the locks: no migration can change either side between this check and the exchange)
  await assertSameShape(sql, LIVE_SCHEMA, SHADOW_SCHEMA);
  await dropSchema(sql, PREVIOUS_SCHEMA);
  await sql.query(`create schema ${ident(PREVIOUS_SCHEMA)}`);
  await moveTables(sql, LIVE_SCHEMA, PREVIOUS_SCHEMA);
  await moveTables(sql, SHADOW_SCHEMA, LIVE_SCHEMA);
  await setAutovacuum(sql, LIVE_SCHEMA, true);
  await continueChangeSequence(sql, PREVIOUS_SCHEMA);
  await dropSchema(sql, SHADOW_SCHEMA);
}

/**
 * Rollback, inside the caller's transaction: the previous tables and the live ones change places (so a second
 * rollback undoes the first). The checkpoints travel with their tables: the projector re-applies what the restored
 * tables have not seen yet. As for a swap, the caller has turned autovacuum of the live tables off beforehand.
 */
export async function exchangeLiveAndPrevious(sql: Sql): Promise<void> {
  await lockTables(sql, [LIVE_SCHEMA, PREVIOUS_SCHEMA]);
  await assertSameShape(sql, LIVE_SCHEMA, PREVIOUS_SCHEMA);
  await dropSchema(sql, EXCHANGE_SCHEMA);
  await sql.query(`create schema ${ident(EXCHANGE_SCHEMA)}`);
  await moveTables(sql, LIVE_SCHEMA, EXCHANGE_SCHEMA);
  await moveTables(sql, PREVIOUS_SCHEMA, LIVE_SCHEMA);
  await moveTables(sql, EXCHANGE_SCHEMA, PREVIOUS_SCHEMA);
  await setAutovacuum(sql, LIVE_SCHEMA, true);
  await dropSchema(sql, EXCHANGE_SCHEMA);
  await continueChangeSequence(sql, PREVIOUS_SCHEMA);
}

/**
 * Before a rollback's exchange, in its transaction (projection writer lock held, so the live feed's sequence stands
 * still): the restored tables' change feed ends below every watcher's cursor, so watchers would never learn that the
 * library changed back. This writes the announcement into the feed of the tables about to be restored, numbered after
 * everything the live feed has handed out: an upsert for every restored row (artists, then albums, then tracks) and a
 * delete for every entity only the replaced tables have (merged where the restored redirects say so, after
 * `carryOverRedirects`). Part of the exchange's transaction, so the tables never change back without it; written
 * before the exchange takes its locks, so readers do not wait for it.
 */
export async function announceRestoredLibrary(sql: Sql): Promise<void> {
  await sql.query(
    `select setval(pg_get_serial_sequence('${qualified(PREVIOUS_SCHEMA, 'projection_changes')}', 'seq'),
       greatest((select coalesce(max(seq), 0) from ${qualified(LIVE_SCHEMA, 'projection_changes')}),
                (select coalesce(max(seq), 0) from ${qualified(PREVIOUS_SCHEMA, 'projection_changes')}),
                coalesce(pg_sequence_last_value(${LIVE_CHANGE_SEQUENCE}), 0),
                coalesce(pg_sequence_last_value(${PREVIOUS_CHANGE_SEQUENCE}), 0), 1))`,
  );
  for (const [type, table] of ENTITY_TABLES) {
    await sql.query(
      `insert into ${qualified(PREVIOUS_SCHEMA, 'projection_changes')} (entity_type, entity_id, op, redirect_to)
       select '${type}', id, 'upsert', null from ${qualified(PREVIOUS_SCHEMA, table)} order by id`,
    );
  }
  await announceVanishedEntities(sql, LIVE_SCHEMA, PREVIOUS_SCHEMA);
}

const LIVE_CHANGE_SEQUENCE = `pg_get_serial_sequence('${qualified(LIVE_SCHEMA, 'projection_changes')}', 'seq')::regclass`;
const PREVIOUS_CHANGE_SEQUENCE = `pg_get_serial_sequence('${qualified(PREVIOUS_SCHEMA, 'projection_changes')}', 'seq')::regclass`;

/**
 * Watchers hold the entities the feed told them about, and a set of tables that replaces another (a swap, the end of
 * an in-place replay, a rollback) may no longer have some of them (a merge-rule change, an id only the replaced tables
 * derived): the feed of the incoming tables never mentions those. This writes into the incoming tables' feed a delete
 * for every entity row of `replaced` that `incoming` has no row for, merged into the entity the incoming redirects
 * name (after `carryOverRedirects`), tracks first. Returns how many. `replaced` needs only the entity tables' ids.
 */
export async function announceVanishedEntities(sql: Sql, replaced: string, incoming: string): Promise<number> {
  let announced = 0;
  for (const [type, table] of [...ENTITY_TABLES].reverse()) {
    const result = await sql.query(
      `insert into ${qualified(incoming, 'projection_changes')} (entity_type, entity_id, op, redirect_to)
       select '${type}', p.id, 'delete', r.new_id
       from (select distinct id from ${qualified(replaced, table)}) p
       left join ${qualified(incoming, 'projection_id_redirects')} r on r.entity_type = '${type}' and r.old_id = p.id
       where not exists (select 1 from ${qualified(incoming, table)} l where l.id = p.id)
       order by p.id`,
    );
    announced += result.rowCount ?? 0;
  }
  return announced;
}

/**
 * The changes of the feed in `outgoing` leave the live schema (moved away with their tables, or truncated): a watcher
 * whose cursor is below the last of them would otherwise skip what it had not read yet as a sequence hole and never
 * learn of it. Raising the feed's retention watermark (projection_change_retention, which stays in the live schema)
 * to that change makes WatchLibraryChanges tell such a watcher to list the library again (OUT_OF_RANGE), as after a
 * prune; a watcher that had read everything goes on with what the incoming tables announce. Run in the transaction
 * that exchanges or truncates, with the projection writer lock held.
 */
export async function retireChangeFeed(sql: Sql, outgoing: string): Promise<void> {
  await sql.query(
    `update ${qualified(LIVE_SCHEMA, 'projection_change_retention')}
     set pruned_through = greatest(pruned_through, (select coalesce(max(seq), 0) from ${qualified(outgoing, 'projection_changes')})),
         pruned_at = now()
     where id = 1`,
  );
}

/**
 * In-place rebuild, inside the caller's transaction and before `truncateLive`: keeps in `schema` what
 * `carryOverRedirects` reads of the live tables (every id they resolve, and each entity's members), so that the ids
 * clients hold can redirect in the rebuilt tables once the replay has caught up. Ids and keys only, not the rows: a
 * fraction of the tables' size, copied while the projection writers are locked out anyway.
 */
export async function saveResolvableIds(sql: Sql, schema: string): Promise<void> {
  const entityTables = ENTITY_TABLES.map(([, table]) => table);
  // a carry an earlier in-place rebuild has not applied yet (it failed before its replay caught up) is added to, not
  // replaced: the ids it keeps are ones the live tables have already lost
  if (await schemaExists(sql, schema)) {
    for (const table of entityTables) await sql.query(`insert into ${qualified(schema, table)} (id) select id from ${qualified(LIVE_SCHEMA, table)}`);
    await sql.query(
      `insert into ${qualified(schema, 'projection_id_redirects')} (entity_type, old_id, new_id)
       select entity_type, old_id, new_id from ${qualified(LIVE_SCHEMA, 'projection_id_redirects')}`,
    );
    await sql.query(
      `insert into ${qualified(schema, 'projection_entity_members')} (entity_id, member_key)
       select entity_id, member_key from ${qualified(LIVE_SCHEMA, 'projection_entity_members')}`,
    );
  } else {
    await sql.query(`create schema ${ident(schema)}`);
    for (const table of entityTables) {
      await sql.query(`create table ${qualified(schema, table)} as select id from ${qualified(LIVE_SCHEMA, table)}`);
    }
    await sql.query(
      `create table ${qualified(schema, 'projection_id_redirects')} as
       select entity_type, old_id, new_id from ${qualified(LIVE_SCHEMA, 'projection_id_redirects')}`,
    );
    await sql.query(
      `create table ${qualified(schema, 'projection_entity_members')} as
       select entity_id, member_key from ${qualified(LIVE_SCHEMA, 'projection_entity_members')}`,
    );
    // the carry-over finds an entity's members by the same hashed expression as in the live schema
    await sql.query(`create index on ${qualified(schema, 'projection_entity_members')} (${hashedKey('entity_id')})`);
  }
  await sql.query(`analyze ${[...entityTables, 'projection_id_redirects', 'projection_entity_members'].map((t) => qualified(schema, t)).join(', ')}`);
}

/** In-place rebuild, inside the caller's transaction: the projection forgets everything, checkpoints included. */
export async function truncateLive(sql: Sql): Promise<void> {
  await sql.query(`truncate ${PROJECTION_TABLES.map((t) => qualified(LIVE_SCHEMA, t)).join(', ')}`);
}
