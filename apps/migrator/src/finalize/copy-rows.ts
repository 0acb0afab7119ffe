import { ident, type Queryable } from '../db';

/**
 * Copies every row of `from` into `to` (a `LIKE from INCLUDING ALL` copy); returns how many. Generated columns are
 * left for `to` to compute and identity values are kept (OVERRIDING SYSTEM VALUE): a plain `INSERT … SELECT *` is
 * refused for a GENERATED ALWAYS identity or a generated column ("cannot insert a non-DEFAULT value").
 */
export async function copyRows(db: Queryable, from: { schema: string; table: string }, to: { schema: string; table: string }): Promise<number> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
    [`${ident(from.schema)}.${ident(from.table)}`],
  );
  const columns = rows.map((r) => ident(r.name)).join(', ');
  const result = await db.query(
    `INSERT INTO ${ident(to.schema)}.${ident(to.table)} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM ${ident(from.schema)}.${ident(from.table)}`,
  );
  return result.rowCount ?? 0;
}
