import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { cancelIfActive, insertRebuild, latestRebuild, setPhase } from '../src/rebuild/state';
import { useProjectionDatabase } from './support/projection-db';

describe('rebuild state on PostgreSQL', () => {
  const database = useProjectionDatabase();

  it('a cancel marks only an active rebuild, and one that waited for a committing swap finds it done', async () => {
    const sql = database.client;
    await sql.query('delete from projection_rebuilds');
    const record = await insertRebuild(sql, { projection: 'state-test', mode: 'blue_green', consumerGroup: 'g', targetOffsets: new Map([[0, 5n]]) });

    // a swap holds the rebuild's row while it commits: a cancel from another session waits, then sees `done`
    const swapping = new pg.Client({ connectionString: database.db.url });
    await swapping.connect();
    try {
      await swapping.query('begin');
      await swapping.query('select phase from projection_rebuilds where id = $1 for update', [record.id]);
      const cancelled = cancelIfActive(sql, record.id);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await setPhase(swapping, record.id, 'done');
      await swapping.query('commit');
      expect(await cancelled).toBe(false);
    } finally {
      await swapping.end();
    }
    expect((await latestRebuild(sql, 'state-test'))?.phase).toBe('done');

    const active = await insertRebuild(sql, { projection: 'state-test', mode: 'blue_green', consumerGroup: 'g2', targetOffsets: new Map() });
    expect(await cancelIfActive(sql, active.id)).toBe(true);
    expect((await latestRebuild(sql, 'state-test'))?.phase).toBe('cancelled');
    expect(await cancelIfActive(sql, active.id)).toBe(false);
  });

  it('the latest rebuild is the one started last, also past the ninth (ids compare as numbers)', async () => {
    const sql = database.client;
    await sql.query('delete from projection_rebuilds');
    // ids 9 and 10 of the sequence can be any two consecutive ones: what matters is a carry into another digit
    await sql.query(`select setval(pg_get_serial_sequence('projection_rebuilds', 'id'), 8)`);
    const started: string[] = [];
    for (let i = 0; i < 3; i++) {
      const record = await insertRebuild(sql, { projection: 'order-test', mode: 'blue_green', consumerGroup: `g${i}`, targetOffsets: new Map() });
      await setPhase(sql, record.id, i === 0 ? 'failed' : 'done');
      started.push(record.id);
    }
    expect(started).toEqual(['9', '10', '11']);
    expect((await latestRebuild(sql, 'order-test'))?.id).toBe('11');
    // an active one still comes first, whatever its id
    await sql.query(`update projection_rebuilds set phase = 'replaying', finished_at = null where id = 10`);
    expect((await latestRebuild(sql, 'order-test'))?.id).toBe('10');
  });
});
