import type pg from 'pg';
import { rows, type Sql } from './sql';

/** Next offset to apply per partition of a topic for one projection (missing partitions start at 0). */
export async function readCheckpoints(
  db: Pick<pg.Pool, 'query'>,
  projection: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const result = await db.query<{ partition: number; next_offset: string }>(
    `select partition, next_offset from projection_checkpoints where projection = $1 and topic = $2`,
    [projection, topic],
  );
  return new Map(result.rows.map((r) => [r.partition, BigInt(r.next_offset)]));
}

/** The checkpoint as seen inside the applying transaction (the writer lock is held, so nobody moves it meanwhile). */
export async function checkpointInTransaction(sql: Sql, projection: string, topic: string, partition: number): Promise<bigint> {
  const [row] = await rows<{ next_offset: string }>(
    sql,
    `select next_offset from projection_checkpoints where projection = $1 and topic = $2 and partition = $3`,
    [projection, topic, partition],
  );
  return row ? BigInt(row.next_offset) : 0n;
}

export async function writeCheckpoint(sql: Sql, projection: string, topic: string, partition: number, nextOffset: bigint): Promise<void> {
  await sql.query(
    `insert into projection_checkpoints (projection, topic, partition, next_offset, updated_at)
     values ($1, $2, $3, $4, now())
     on conflict (projection, topic, partition) do update set next_offset = excluded.next_offset, updated_at = now()`,
    [projection, topic, partition, nextOffset.toString()],
  );
}
