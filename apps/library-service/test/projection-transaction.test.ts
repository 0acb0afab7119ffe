import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PROJECTION_ROWS_LOCK, PROJECTION_WRITER_LOCK } from '../src/projection/sql';
import { inProjectionTransaction, openingStatements } from '../src/projection/transaction';
import { useProjectionDatabase } from './support/projection-db';

describe('openingStatements', () => {
  it('opens with BEGIN and ends with the locks of the set, state before rows', () => {
    const writer = openingStatements('writer').split('; ');
    expect(writer[0]).toBe('begin');
    expect(writer.slice(-2)).toEqual([`select pg_advisory_xact_lock(${PROJECTION_WRITER_LOCK})`, `select pg_advisory_xact_lock(${PROJECTION_ROWS_LOCK})`]);
    expect(openingStatements().split('; ').some((s) => s.includes('advisory'))).toBe(false);
  });
});

describe('inProjectionTransaction on PostgreSQL', () => {
  const database = useProjectionDatabase();
  /** A pool of the test's own, ended when the test ends. */
  async function withPool<T>(use: (pool: pg.Pool) => Promise<T>): Promise<T> {
    const pool = new pg.Pool({ connectionString: database.db.url, max: 2 });
    // pool.end() resolves before its clients' sockets have closed: one still closing when the suite stops the database
    // (this file's last test) receives the shutdown notice, which the pool re-emits as an error
    pool.on('error', () => undefined);
    try {
      return await use(pool);
    } finally {
      await pool.end();
    }
  }

  /** Whether another session could take the lock now (it releases it again at once). */
  const free = async (lock: number): Promise<boolean> => {
    await database.client.query('begin');
    try {
      return (await database.client.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [lock])).rows[0].ok;
    } finally {
      await database.client.query('rollback');
    }
  };

  it('holds exactly the locks of its set while the work runs, with the projection settings, and frees them at commit', () =>
    withPool(async (pool) => {
      const seen = await inProjectionTransaction(
        pool,
        async (client) => ({
          state: await free(PROJECTION_WRITER_LOCK),
          rows: await free(PROJECTION_ROWS_LOCK),
          settings: (await client.query(`select current_setting('synchronous_commit') as sc, current_setting('enable_seqscan') as seq`)).rows[0],
        }),
        'state',
      );
      expect(seen).toEqual({ state: false, rows: true, settings: { sc: 'off', seq: 'off' } });
      expect(await free(PROJECTION_WRITER_LOCK)).toBe(true);

      const writer = await inProjectionTransaction(pool, async () => [await free(PROJECTION_WRITER_LOCK), await free(PROJECTION_ROWS_LOCK)], 'writer');
      expect(writer).toEqual([false, false]);
    }));

  it('rolls back and frees its locks when the work fails', () =>
    withPool(async (pool) => {
      await database.client.query('create table if not exists tx_probe (n int)');
      await expect(
        inProjectionTransaction(
          pool,
          async (client) => {
            await client.query('insert into tx_probe values (1)');
            throw new Error('boom');
          },
          'rows',
        ),
      ).rejects.toThrow('boom');
      expect((await database.client.query('select count(*)::int as n from tx_probe')).rows[0].n).toBe(0);
      expect(await free(PROJECTION_ROWS_LOCK)).toBe(true);
      // the settings were transaction-local
      expect((await pool.query(`select current_setting('enable_seqscan') as seq`)).rows[0].seq).toBe('on');
    }));
});
