import type pg from 'pg';
import type { Queryable } from './db';

/** Named facts the migrator keeps in `migrator_state` (see schema/migrator-tables.ts). */
export type StateKey = 'schema' | 'replay' | 'replay_source' | 'verify' | 'finalize' | 'restore';

export async function writeState(db: Queryable | pg.Pool, key: StateKey, value: unknown): Promise<void> {
  await db.query(
    `INSERT INTO migrator_state (key, value, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [key, JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v))],
  );
}

export async function readState<T>(db: Queryable | pg.Pool, key: StateKey): Promise<T | null> {
  const exists = await db.query(`SELECT to_regclass('public.migrator_state') IS NOT NULL AS ok`);
  if (!exists.rows[0].ok) return null;
  const { rows } = await db.query<{ value: T }>(`SELECT value FROM migrator_state WHERE key = $1`, [key]);
  return rows[0]?.value ?? null;
}
