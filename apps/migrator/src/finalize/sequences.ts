import { ident, type Queryable } from '../db';

/**
 * Carries the id sequences of `from` over to `to`, a `CREATE TABLE … (LIKE from INCLUDING ALL)` copy, so the copy
 * numbers on where the table stopped and `from` can be dropped:
 * - a serial column's sequence belongs to its table, and LIKE makes the copy's default use that same sequence: dropping
 *   `from` would drop the sequence under the copy (PostgreSQL refuses: "other objects depend on it"). It moves to the
 *   copy's schema and is owned by the copy's column.
 * - an identity column gets a new sequence with the copy, starting at 1 with default options: it takes the old one's
 *   options and continues from its position.
 */
export async function carrySequences(db: Queryable, from: { schema: string; table: string }, to: { schema: string; table: string }): Promise<void> {
  const fromTable = `${ident(from.schema)}.${ident(from.table)}`;
  const toTable = `${ident(to.schema)}.${ident(to.table)}`;
  const { rows } = await db.query<{ column: string; identity: boolean; sequence: string; copy: string | null }>(
    `SELECT a.attname AS column, a.attidentity <> '' AS identity, pg_get_serial_sequence($1, a.attname) AS sequence,
            pg_get_serial_sequence($2, a.attname) AS copy
     FROM pg_attribute a
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND pg_get_serial_sequence($1, a.attname) IS NOT NULL`,
    [fromTable, toTable],
  );
  for (const row of rows) {
    if (row.identity) {
      if (!row.copy) throw new Error(`${toTable}.${row.column}: the copy has no identity sequence`);
      // LIKE gives the copy's identity a sequence with default options (bigint, whatever the column's type)
      const { rows: options } = await db.query<{ type: string; start: string; increment: string; min: string; max: string; cache: string; cycle: boolean }>(
        `SELECT format_type(seqtypid, NULL) AS type, seqstart AS start, seqincrement AS increment, seqmin AS min, seqmax AS max,
                seqcache AS cache, seqcycle AS cycle
         FROM pg_sequence WHERE seqrelid = $1::regclass`,
        [row.sequence],
      );
      const o = options[0];
      await db.query(
        `ALTER SEQUENCE ${row.copy} AS ${o.type} INCREMENT BY ${o.increment} MINVALUE ${o.min} MAXVALUE ${o.max} START WITH ${o.start} CACHE ${o.cache} ${o.cycle ? 'CYCLE' : 'NO CYCLE'}`,
      );
      await db.query(`SELECT setval($1::regclass, s.last_value, s.is_called) FROM ${row.sequence} s`, [row.copy]);
      continue;
    }
    const name = (await db.query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE oid = $1::regclass`, [row.sequence])).rows[0].name;
    if (from.schema !== to.schema) {
      // an owned sequence cannot change schema
      await db.query(`ALTER SEQUENCE ${row.sequence} OWNED BY NONE`);
      await db.query(`ALTER SEQUENCE ${row.sequence} SET SCHEMA ${ident(to.schema)}`);
    }
    await db.query(`ALTER SEQUENCE ${ident(to.schema)}.${ident(name)} OWNED BY ${toTable}.${ident(row.column)}`);
  }
}
