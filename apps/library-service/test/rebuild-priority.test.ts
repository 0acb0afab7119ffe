import { readFileSync } from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { createLogger } from '@soulspot/observability';
import { isLocalDatabaseHost } from '../src/rebuild/cpu-priority';
import { SHADOW_APPLICATION_NAME, shadowPool } from '../src/rebuild/shadow-projector';

const logger = createLogger('rebuild-priority-test');

/** Whether this test process can see (and so renice) the server's backends: a local server, not in a container. */
function backendVisible(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('postgres: ');
  } catch {
    return false;
  }
}

describe('the replay pool lowers the priority of its PostgreSQL backends (REBUILD_POSTGRES_NICE)', () => {
  let db: ProvisionedPostgres;

  beforeAll(async () => {
    db = await provisionPostgres();
  }, 120_000);

  afterAll(async () => {
    await db?.stop();
  });

  it('renices each backend of the replay pool when the server is local, and only those', async () => {
    const replay = shadowPool(db.url, logger, 6);
    const other = shadowPool(db.url, logger);
    try {
      const [a, b, c] = await Promise.all([replay.connect(), replay.connect(), other.connect()]);
      const pids = [a, b, c].map((client) => (client as unknown as { processID: number }).processID);
      const { rows } = await a.query<{ name: string }>('select application_name as name from pg_stat_activity where pid = pg_backend_pid()');
      expect(rows[0].name).toBe(SHADOW_APPLICATION_NAME);
      [a, b, c].forEach((client) => client.release());
      if (isLocalDatabaseHost(new URL(db.url).hostname) && backendVisible(pids[0])) {
        expect(os.getPriority(pids[0])).toBe(6);
        expect(os.getPriority(pids[1])).toBe(6);
        // a pool without the setting leaves its backend alone
        expect(os.getPriority(pids[2])).toBe(0);
      } else {
        // a server elsewhere (or in a container): its processes are out of reach and the pool still works
        expect(pids.every((pid) => pid > 0)).toBe(true);
      }
    } finally {
      await replay.end();
      await other.end();
    }
  });
});
