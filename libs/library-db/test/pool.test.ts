import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { createPgPool } from '../src/pool';

describe('createPgPool', () => {
  let db: ProvisionedPostgres;
  let admin: pg.Client;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    db = await provisionPostgres();
    admin = new pg.Client({ connectionString: db.url });
    admin.on('error', () => undefined);
    await admin.connect();
    process.on('uncaughtException', onUncaught);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await admin?.end();
    await db?.stop();
  });

  const terminate = async (client: pg.PoolClient) => {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    await admin.query('select pg_terminate_backend($1)', [rows[0].pid]);
    // the termination reaches the client's socket asynchronously
    await new Promise((resolve) => setTimeout(resolve, 300));
  };

  it('survives a checked-out connection dropping between two statements of a transaction, and reports it', async () => {
    const reported: string[] = [];
    const pool = createPgPool({ connectionString: db.url, max: 2 }, (error) => reported.push(error.message));
    try {
      const client = await pool.connect();
      await client.query('begin');
      await terminate(client);
      await expect(client.query('select 1')).rejects.toThrow(/not queryable/);
      client.release();
      expect(uncaught).toEqual([]);
      expect(reported.length).toBeGreaterThan(0);
      // the broken client is gone: the pool hands out a working one
      expect((await pool.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('survives an idle connection dropping, reporting it once', async () => {
    const reported: string[] = [];
    const pool = createPgPool({ connectionString: db.url, max: 1 }, (error) => reported.push(error.message));
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      client.release();
      await admin.query('select pg_terminate_backend($1)', [rows[0].pid]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(uncaught).toEqual([]);
      expect(reported).toHaveLength(1);
      expect((await pool.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });
});
