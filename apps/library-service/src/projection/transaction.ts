import type pg from 'pg';

/** Errors that say the database is unavailable, not that an event is bad: the work is retried, never blamed. */
export function isInfrastructureError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return !(error instanceof Error) || /connect|terminat|ECONN|socket/i.test(error.message);
  return /^(08|53|57|58|XX|40)/.test(code);
}

/**
 * Runs `work` in a projection transaction on a connection of its own and commits; rolls back and rethrows on any
 * failure (a connection that failed for infrastructure reasons is discarded, not returned to the pool).
 */
export async function inProjectionTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('begin');
    // Losing the last commits in a database crash is harmless here: the checkpoint is lost with them and the
    // events are applied again. So the projection does not wait for the WAL flush.
    await client.query('set local synchronous_commit = off');
    // Every statement looks up a few thousand keys in tables that grow fast during a catch-up, faster than
    // autovacuum refreshes their statistics; with stale row counts the planner picks sequential scans, which makes
    // each batch cost O(table) and a catch-up quadratic. Keyed index access is always the right plan here, and
    // parallel workers only steal the core the projector needs.
    await client.query('set local enable_seqscan = off; set local max_parallel_workers_per_gather = 0');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    broken = isInfrastructureError(error);
    await client.query('rollback').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
