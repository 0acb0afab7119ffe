import type pg from 'pg';
import { lockStatements, type ProjectionLocks } from './sql';

/** Errors that say the database is unavailable, not that an event is bad: the work is retried, never blamed. */
export function isInfrastructureError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return !(error instanceof Error) || /connect|terminat|ECONN|socket/i.test(error.message);
  return /^(08|53|57|58|XX|40)/.test(code);
}

/**
 * The opening of a projection transaction, as one simple-protocol message: each round trip the projector waits for
 * also waits for its event loop, which the other transaction's JavaScript keeps busy, so the settings and the
 * advisory locks go with the BEGIN instead of one by one.
 */
export function openingStatements(locks?: ProjectionLocks): string {
  return [
    'begin',
    // Losing the last commits in a database crash is harmless here: the checkpoint is lost with them and the
    // events are applied again. So the projection does not wait for the WAL flush.
    'set local synchronous_commit = off',
    // Every statement looks up a few thousand keys in tables that grow fast during a catch-up, faster than
    // autovacuum refreshes their statistics; with stale row counts the planner picks sequential scans, which makes
    // each batch cost O(table) and a catch-up quadratic. Keyed index access is always the right plan here, and
    // parallel workers only steal the core the projector needs.
    'set local enable_seqscan = off',
    'set local max_parallel_workers_per_gather = 0',
    ...(locks ? lockStatements(locks) : []),
  ].join('; ');
}

/**
 * Runs `work` in a projection transaction on a connection of its own, holding the given advisory locks (transaction
 * scoped), and commits; rolls back and rethrows on any failure (a connection that failed for infrastructure reasons
 * is discarded, not returned to the pool).
 */
export async function inProjectionTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  locks?: ProjectionLocks,
): Promise<T> {
  const opening = openingStatements(locks);
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(opening);
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
