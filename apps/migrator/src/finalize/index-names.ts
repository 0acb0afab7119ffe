import { ident, type Queryable } from '../db';

interface IndexRow {
  rel: 'from' | 'to';
  name: string;
  def: string;
}

/** An index definition without its name and table, so the same index of two copies of a table compares equal. */
const shape = (indexdef: string): string => indexdef.replace(/^CREATE (UNIQUE )?INDEX .+? ON (ONLY )?\S+ USING /, 'CREATE $1INDEX USING ');

/**
 * Gives the indexes of `to` (a `CREATE TABLE … (LIKE from INCLUDING ALL)` copy) the names they have on `from`. LIKE
 * names every index it copies after the new table's columns (`spotify_artists_name_idx` for `ix_spotify_artists_name`);
 * the legacy app and its Alembic migrations know the real names, so a restored table must carry them. Indexes are
 * matched by definition (duplicates in name order); renaming a primary key's or unique constraint's index renames the
 * constraint with it.
 */
export async function copyIndexNames(db: Queryable, from: { schema: string; table: string }, to: { schema: string; table: string }): Promise<void> {
  const { rows } = await db.query<IndexRow>(
    `SELECT CASE WHEN i.indrelid = $1::regclass THEN 'from' ELSE 'to' END AS rel, c.relname AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid IN ($1::regclass, $2::regclass)
     ORDER BY c.relname`,
    [`${ident(from.schema)}.${ident(from.table)}`, `${ident(to.schema)}.${ident(to.table)}`],
  );
  const wanted = new Map<string, string[]>();
  for (const row of rows.filter((r) => r.rel === 'from')) wanted.set(shape(row.def), [...(wanted.get(shape(row.def)) ?? []), row.name]);
  const renames: Array<[current: string, target: string]> = [];
  for (const row of rows.filter((r) => r.rel === 'to')) {
    const target = wanted.get(shape(row.def))?.shift();
    if (target !== undefined && target !== row.name) renames.push([row.name, target]);
  }
  // through temporary names: a copy's generated name can be another index's real name
  for (const [i, [current]] of renames.entries()) {
    await db.query(`ALTER INDEX ${ident(to.schema)}.${ident(current)} RENAME TO ${ident(`migrator_index_${i}`)}`);
  }
  for (const [i, [, target]] of renames.entries()) {
    await db.query(`ALTER INDEX ${ident(to.schema)}.${ident(`migrator_index_${i}`)} RENAME TO ${ident(target)}`);
  }
}
