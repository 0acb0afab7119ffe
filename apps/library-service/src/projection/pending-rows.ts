import type pg from 'pg';
import type { EntityType } from '@soulspot/contracts';
import type { Logger } from '@soulspot/observability';
import { writeCheckpoints } from './checkpoints';
import { writeRows, type RowWriteInput, type RowWriteStats } from './row-writer';
import { rows, type Sql } from './sql';
import { inProjectionTransaction } from './transaction';

/*
 * The projector commits a batch in two transactions: first the state (observations, identities, dead letters) with a
 * record of the soulspot_* rows that state changed and of where the batch ends; then the rows, the checkpoints and
 * the record's deletion. While PostgreSQL writes the rows of one batch, the projector already prepares the state of
 * the next; that batch's state commits only after those rows did, so a row transaction never sees a later batch's
 * state. The record (projection_pending_rows) makes the split crash-safe: records left by a crash are written before
 * anything new is applied, and a checkpoint keeps meaning "these events are in the library".
 */

const TYPES: readonly EntityType[] = ['artist', 'album', 'track'];

/** The durable form of row work: ids to recompute and identity changes (facts are read back from the state). */
export function encodeRowWork(input: RowWriteInput): string {
  return JSON.stringify({
    affected: Object.fromEntries(TYPES.map((type) => [type, [...input.affected[type]]])),
    changes: input.changes.map((c) => [c.type, c.entityId, c.previousIds]),
  });
}

export function decodeRowWork(text: string): RowWriteInput {
  const parsed = JSON.parse(text) as { affected: Record<EntityType, string[]>; changes: [EntityType, string, string[]][] };
  return {
    affected: { artist: new Set(parsed.affected.artist), album: new Set(parsed.affected.album), track: new Set(parsed.affected.track) },
    changes: parsed.changes.map(([type, entityId, previousIds]) => ({ type, entityId, previousIds })),
  };
}

/** Where a batch ends, per partition: the checkpoints its row transaction writes. */
export interface BatchEnd {
  topic: string;
  positions: { partition: number; nextOffset: bigint }[];
}

/** Row work of a committed state transaction; `rows` is null when that transaction wrote its rows itself. */
export interface PendingRows {
  seq: string;
  end: BatchEnd;
  rows: RowWriteInput | null;
}

const NO_ROWS = '{"affected":{"artist":[],"album":[],"track":[]},"changes":[]}';

/** A batch end's positions as the record stores them. */
const positionsJson = (positions: BatchEnd['positions']): string =>
  JSON.stringify(positions.map((p) => ({ partition: p.partition, nextOffset: p.nextOffset.toString() })));

/** A projection_pending_rows record as read back. */
interface RecordRow {
  seq: string;
  topic: string;
  positions: { partition: number; nextOffset: string }[];
  work: string;
}

const fromRecord = (record: RecordRow): PendingRows => ({
  seq: record.seq,
  end: { topic: record.topic, positions: record.positions.map((p) => ({ partition: p.partition, nextOffset: BigInt(p.nextOffset) })) },
  rows: decodeRowWork(record.work),
});

/** The rows of a pending record and where its batch ends, inside the caller's transaction (which holds the rows lock). */
async function writeRecorded(sql: Sql, projection: string, pending: PendingRows): Promise<RowWriteStats> {
  const written = pending.rows ? await writeRows(sql, pending.rows) : { upserted: 0, deleted: 0 };
  await writeCheckpoints(sql, projection, pending.end.topic, pending.end.positions);
  return written;
}

/**
 * Claims and writes every recorded row work of the projection, oldest first, inside the caller's transaction (for a
 * writer that holds both projection locks and is about to change the state, see retry.ts). The projector's own row
 * transaction for a record claimed here finds it gone and writes nothing (StaleRowWorkError).
 */
export async function writeAllPendingRows(sql: Sql, projection: string): Promise<number> {
  const claimed = await rows<RecordRow>(
    sql,
    `with claimed as (delete from projection_pending_rows where projection = $1 returning seq, topic, positions, work)
     select seq, topic, positions, work from claimed order by seq`,
    [projection],
  );
  for (const record of claimed) await writeRecorded(sql, projection, fromRecord(record));
  return claimed.length;
}

/**
 * The row work's record is gone: the projection tables were exchanged or truncated after its state committed (the
 * work belongs to tables that are no longer live). Nothing is written; the consumer goes on from the checkpoints of
 * the tables that are live now.
 */
export class StaleRowWorkError extends Error {
  override name = 'StaleRowWorkError';
  constructor(readonly seq: string) {
    super(
      `row work ${seq} is no longer recorded: another writer wrote it (a dead-letter retry, another replica's state transaction) or the live tables were swapped, rolled back or truncated since its state committed; not written here`,
    );
  }
}

/** Records row work inside the state transaction. */
export async function recordPendingRows(sql: Sql, projection: string, end: BatchEnd, input: RowWriteInput | null): Promise<PendingRows> {
  const positions = positionsJson(end.positions);
  const [row] = await rows<{ seq: string }>(
    sql,
    'insert into projection_pending_rows (projection, topic, positions, work) values ($1, $2, $3, $4) returning seq',
    [projection, end.topic, positions, input ? encodeRowWork(input) : NO_ROWS],
  );
  return { seq: row.seq, end, rows: input };
}

export interface PendingRowsWriter {
  /** Writes recorded work in the background (at most one at a time: call `settle` first). */
  start(pending: PendingRows): void;
  /** `seq` of the work started here and not settled yet (null when there is none). */
  inFlightSeq(): string | null;
  /**
   * Waits for the work in flight. If it failed, writes every recorded work from the table instead; throws when that
   * fails too (the caller's batch then fails and is retried, and so is the row work).
   */
  settle(): Promise<void>;
  /** Writes every work recorded for the projection, oldest first (start-up: what a crash left behind). */
  drain(): Promise<number>;
}

export function createPendingRowsWriter(options: { pool: pg.Pool; projection: string; logger: Logger }): PendingRowsWriter {
  const { pool, projection, logger } = options;
  let inFlight: Promise<void> | null = null;
  let inFlightSeq: string | null = null;
  let failed = false;

  const write = (pending: PendingRows) => {
    const started = performance.now();
    return inProjectionTransaction(pool, async (client) => {
      // First, under the rows lock: the record must still be there. Its state committed in a transaction before this
      // one, and in between a rollback, a blue/green swap or an in-place truncation (which take both locks) may have
      // replaced the tables; writing this work and its checkpoints into those would skip or misplace events.
      const claimed = await client.query('delete from projection_pending_rows where seq = $1 and positions = $2::jsonb', [
        pending.seq,
        positionsJson(pending.end.positions),
      ]);
      if (claimed.rowCount !== 1) throw new StaleRowWorkError(pending.seq);
      return writeRecorded(client, projection, pending);
    }, 'rows').then((written) => logger.debug({ seq: pending.seq, ...written, ms: Math.round(performance.now() - started) }, 'row transaction committed'));
  };

  async function drain(): Promise<number> {
    const pending = await rows<RecordRow>(
      pool,
      'select seq, topic, positions, work from projection_pending_rows where projection = $1 order by seq',
      [projection],
    );
    let written = 0;
    for (const record of pending) {
      try {
        await write(fromRecord(record));
        written++;
      } catch (error) {
        // another writer claimed it since it was read here (a running replica's row or state transaction): written
        // once, by that writer. Failing here failed the start of a replica started next to a running one.
        if (!(error instanceof StaleRowWorkError)) throw error;
        logger.info({ seq: record.seq }, 'pending row work written by another writer meanwhile');
      }
    }
    if (written > 0) logger.info({ records: written }, 'pending row work written');
    return written;
  }

  return {
    drain,
    inFlightSeq: () => inFlightSeq,
    start(pending) {
      inFlightSeq = pending.seq;
      inFlight = write(pending).catch((error: unknown) => {
        // (work another writer claimed is written or void: there is nothing of it left to write again)
        if (error instanceof StaleRowWorkError) logger.warn({ seq: pending.seq }, error.message);
        else {
          failed = true;
          logger.error({ err: error, seq: pending.seq }, 'row work failed; it stays recorded and is written again before the next batch');
        }
      });
    },
    async settle() {
      if (inFlight) await inFlight;
      inFlight = null;
      inFlightSeq = null;
      if (!failed) return;
      await drain();
      failed = false;
    },
  };
}
