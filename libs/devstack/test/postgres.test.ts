import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { provisionPostgres, type ProvisionedPostgres } from '../src/index';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('provisionPostgres', () => {
  let provisioned: ProvisionedPostgres | undefined;
  afterAll(() => provisioned?.stop());

  it('gives a working PostgreSQL and removes every trace of it on stop', async () => {
    provisioned = await provisionPostgres();
    const client = new pg.Client({ connectionString: provisioned.url });
    await client.connect();
    const { rows } = await client.query<{ answer: number; version: string }>('SELECT 6 * 7 AS answer, version() AS version');
    await client.end();
    expect(rows[0].answer).toBe(42);
    expect(rows[0].version).toMatch(/PostgreSQL/);

    const { pid, dataDir, mode } = provisioned;
    await provisioned.stop();
    if (mode === 'embedded') {
      expect(pid).toBeGreaterThan(0);
      expect(processAlive(pid!)).toBe(false);
      expect(existsSync(dataDir!)).toBe(false);
    }
    const after = new pg.Client({ connectionString: provisioned.url, connectionTimeoutMillis: 2000 });
    await expect(after.connect()).rejects.toThrow();
  });

  it('gives each caller its own isolated database', async () => {
    const [a, b] = await Promise.all([provisionPostgres(), provisionPostgres()]);
    try {
      expect(a.url).not.toBe(b.url);
      const clientA = new pg.Client({ connectionString: a.url });
      await clientA.connect();
      await clientA.query('CREATE TABLE only_in_a (id int)');
      await clientA.end();
      const clientB = new pg.Client({ connectionString: b.url });
      await clientB.connect();
      const { rows } = await clientB.query("SELECT to_regclass('only_in_a') AS t");
      await clientB.end();
      expect(rows[0].t).toBeNull();
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
