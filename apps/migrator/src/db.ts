import pg from 'pg';
import { createPgPool } from '@soulspot/library-db/pool';

/**
 * A pool whose sessions run in UTC (timestamps without zone in legacy tables were written as UTC), with any further
 * server settings (`name: value`) for this pool's sessions.
 */
export function createPool(databaseUrl: string, max = 4, settings: Record<string, string> = {}): pg.Pool {
  const options = Object.entries({ TimeZone: 'UTC', ...settings })
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
  // a connection that drops fails the step it served (which reports it); it must not end the process from an event
  return createPgPool({ connectionString: databaseUrl, max, options });
}

export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query(begin);
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

export type Queryable = Pick<pg.PoolClient, 'query'>;

/** Tables of a schema, by name. */
export async function listTables(db: Queryable, schema: string): Promise<Set<string>> {
  const { rows } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
    [schema],
  );
  return new Set(rows.map((r) => r.table_name));
}

/** Column names of one table, in ordinal order (empty when the table does not exist). */
export async function listColumns(db: Queryable, schema: string, table: string): Promise<string[]> {
  const { rows } = await db.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  return rows.map((r) => r.column_name);
}

/**
 * Whether a column is NOT NULL and the first column of a valid, non-partial btree index: then a keyset scan ordered
 * by it can walk that index instead of sorting the table for every page.
 */
export async function isNotNullAndIndexed(db: Queryable, schema: string, table: string, column: string): Promise<boolean> {
  const { rows } = await db.query<{ usable: boolean }>(
    `SELECT a.attnotnull AND EXISTS (
              SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
              WHERE i.indrelid = c.oid AND i.indkey[0] = a.attnum AND i.indisvalid AND i.indpred IS NULL AND am.amname = 'btree'
            ) AS usable
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
     WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3 AND NOT a.attisdropped`,
    [schema, table, column],
  );
  return rows[0]?.usable === true;
}

/**
 * Columns a keyset scan of a table can page by: `column` when it is NOT NULL and unique on its own (a valid, non-partial
 * unique index of just that column), else the primary key's columns; null when neither exists.
 */
export async function keysetColumns(db: Queryable, schema: string, table: string, column: string): Promise<string[] | null> {
  const relation = `${ident(schema)}.${ident(table)}`;
  const { rows: own } = await db.query<{ key: boolean }>(
    `SELECT a.attnotnull AND EXISTS (
              SELECT 1 FROM pg_index i
              WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
                AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum
            ) AS key
     FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attname = $2 AND NOT a.attisdropped`,
    [relation, column],
  );
  if (own[0]?.key) return [column];
  const { rows: primary } = await db.query<{ name: string }>(
    `SELECT a.attname AS name
     FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = $1::regclass AND i.indisprimary AND k.n <= i.indnkeyatts
     ORDER BY k.n`,
    [relation],
  );
  return primary.length > 0 ? primary.map((r) => r.name) : null;
}

/** Double-quotes an identifier for SQL. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** One advisory lock key for every migrator step that writes, so two Jobs never interleave. */
export const MIGRATOR_LOCK_KEY = 0x50_55_4c_53; // 'SLUP'
