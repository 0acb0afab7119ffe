import pg from 'pg';
import { createPgPool } from '@soulspot/library-db/pool';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** A small connection pool for a connector (token rows, OAuth sessions, sync status — never hot per-item writes). */
export function createPool(databaseUrl: string, max = 5): pg.Pool {
  // A connection that drops, idle or checked out, must not crash the process: the query it served fails, the next one
  // reconnects.
  return createPgPool({ connectionString: databaseUrl, max, idleTimeoutMillis: 10_000 });
}

/** Runs `work` in a transaction on one connection; rolls back on any error. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
