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

/** Where the next state transaction continues, and the row work recorded but not written yet. */
export interface StateStart {
  /** Next offset per partition: the checkpoints, moved on by the positions of the pending row work. */
  positions: Map<number, bigint>;
  /** `seq` of every projection_pending_rows record of the projection and topic. */
  pendingSeqs: Set<string>;
}

/**
 * Where the next state transaction continues: the checkpoints, moved on by the positions of row work recorded but
 * not yet written (pending-rows.ts), and which records those are. One statement, so one snapshot: a row transaction
 * that commits meanwhile moves a position from one table to the other without it being seen twice or not at all.
 */
export async function checkpointsInTransaction(sql: Sql, projection: string, topic: string): Promise<StateStart> {
  const result = await rows<{ partition: number | null; next_offset: string | null; seq: string | null }>(
    sql,
    `select partition, next_offset, null::text as seq from projection_checkpoints where projection = $1 and topic = $2
     union all
     select (p->>'partition')::int, (p->>'nextOffset')::bigint, r.seq::text
     from projection_pending_rows r left join lateral jsonb_array_elements(r.positions) p on true
     where r.projection = $1 and r.topic = $2`,
    [projection, topic],
  );
  const positions = new Map<number, bigint>();
  const pendingSeqs = new Set<string>();
  for (const r of result) {
    if (r.seq !== null) pendingSeqs.add(r.seq);
    if (r.partition === null || r.next_offset === null) continue;
    const offset = BigInt(r.next_offset);
    if (offset > (positions.get(r.partition) ?? -1n)) positions.set(r.partition, offset);
  }
  return { positions, pendingSeqs };
}

export async function writeCheckpoints(
  sql: Sql,
  projection: string,
  topic: string,
  positions: readonly { partition: number; nextOffset: bigint }[],
): Promise<void> {
  if (positions.length === 0) return;
  await sql.query(
    `insert into projection_checkpoints (projection, topic, partition, next_offset, updated_at)
     select $1, $2, p, o, now() from unnest($3::int[], $4::bigint[]) as c(p, o)
     on conflict (projection, topic, partition) do update set next_offset = excluded.next_offset, updated_at = now()`,
    [projection, topic, positions.map((p) => p.partition), positions.map((p) => p.nextOffset.toString())],
  );
}
