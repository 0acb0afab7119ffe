import type pg from 'pg';

export type RebuildMode = 'blue_green' | 'in_place';
export type RebuildPhase = 'replaying' | 'catching_up' | 'swapping' | 'done' | 'cancelled' | 'failed';
export const ACTIVE_PHASES: readonly RebuildPhase[] = ['replaying', 'catching_up', 'swapping'];

/** A row of projection_rebuilds. */
export interface RebuildRecord {
  id: string;
  projection: string;
  mode: RebuildMode;
  phase: RebuildPhase;
  consumerGroup: string;
  targetOffsets: Map<number, bigint>;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

type Sql = Pick<pg.PoolClient, 'query'>;

interface Row {
  id: string;
  projection: string;
  mode: RebuildMode;
  phase: RebuildPhase;
  consumer_group: string;
  target_offsets: Record<string, string>;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

const COLUMNS = 'id::text as id, projection, mode, phase, consumer_group, target_offsets, error, started_at, finished_at';

function toRecord(row: Row): RebuildRecord {
  return {
    id: row.id,
    projection: row.projection,
    mode: row.mode,
    phase: row.phase,
    consumerGroup: row.consumer_group,
    targetOffsets: new Map(Object.entries(row.target_offsets).map(([p, o]) => [Number(p), BigInt(o)])),
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

const offsetsJson = (offsets: ReadonlyMap<number, bigint>) =>
  JSON.stringify(Object.fromEntries([...offsets].map(([p, o]) => [String(p), o.toString()])));

export async function insertRebuild(
  sql: Sql,
  input: { projection: string; mode: RebuildMode; consumerGroup: string; targetOffsets: ReadonlyMap<number, bigint> },
): Promise<RebuildRecord> {
  const result = await sql.query<Row>(
    `insert into projection_rebuilds (projection, mode, phase, consumer_group, target_offsets)
     values ($1, $2, 'replaying', $3, $4::jsonb) returning ${COLUMNS}`,
    [input.projection, input.mode, input.consumerGroup, offsetsJson(input.targetOffsets)],
  );
  return toRecord(result.rows[0]);
}

/** The active rebuild of the projection, or else the most recent one. */
export async function latestRebuild(sql: Sql, projection: string): Promise<RebuildRecord | undefined> {
  const result = await sql.query<Row>(
    // (qualified: a bare 'id' in ORDER BY is the output column, id::text, and '9' sorts after '10')
    `select ${COLUMNS} from projection_rebuilds r where projection = $1
     order by (r.phase = any($2::text[])) desc, r.id desc limit 1`,
    [projection, ACTIVE_PHASES],
  );
  return result.rows[0] ? toRecord(result.rows[0]) : undefined;
}

/**
 * Marks a rebuild cancelled if it is still active; false when it has ended meanwhile (its swap committed, it failed).
 * A swap holds the rebuild's row while it commits, so this waits for it and then sees the new phase.
 */
export async function cancelIfActive(sql: Sql, id: string): Promise<boolean> {
  const { rowCount } = await sql.query(
    `update projection_rebuilds set phase = 'cancelled', updated_at = now(), finished_at = now() where id = $1 and phase = any($2::text[])`,
    [id, ACTIVE_PHASES],
  );
  return rowCount === 1;
}

export async function setPhase(sql: Sql, id: string, phase: RebuildPhase, error: string | null = null): Promise<void> {
  const finished = !ACTIVE_PHASES.includes(phase);
  await sql.query(
    `update projection_rebuilds set phase = $2, error = coalesce($3, error), updated_at = now(),
       finished_at = case when $4::boolean then now() else finished_at end
     where id = $1`,
    [id, phase, error, finished],
  );
}
