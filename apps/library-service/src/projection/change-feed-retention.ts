import type pg from 'pg';
import type { Logger } from '@soulspot/observability';

/** Changes deleted per transaction: bounds how long a prune holds its locks and how much one statement deletes. */
const PRUNE_CHUNK_ROWS = 10_000;

export interface PruneResult {
  deleted: number;
  /** Highest sequence number pruned so far (a cursor below it has lost changes). */
  prunedThrough: bigint;
}

/**
 * Deletes the change feed's oldest changes, those committed before `olderThan`, and raises the feed's watermark in
 * the same transaction (see the change_feed_retention migration), so WatchLibraryChanges can tell a watcher that its
 * cursor is too old instead of skipping what it missed. Walks from the bottom of the feed in sequence order (an index
 * scan of exactly the rows it deletes, plus one chunk) and stops at the first change young enough to keep. Replicas
 * may prune at the same time: the watermark row serializes them.
 */
export async function pruneChangeFeed(pool: pg.Pool, olderThan: Date, chunkRows = PRUNE_CHUNK_ROWS): Promise<PruneResult> {
  let deleted = 0;
  for (;;) {
    const client = await pool.connect();
    let step: { deleted: number; prunedThrough: bigint; more: boolean };
    try {
      await client.query('begin');
      step = await pruneChunk(client, olderThan, chunkRows);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    deleted += step.deleted;
    if (!step.more) return { deleted, prunedThrough: step.prunedThrough };
  }
}

async function pruneChunk(client: pg.PoolClient, olderThan: Date, chunkRows: number) {
  const [mark] = (
    await client.query<{ pruned_through: string }>('select pruned_through::text from projection_change_retention where id = 1 for update')
  ).rows;
  const prunedThrough = BigInt(mark.pruned_through);
  const oldest = (
    await client.query<{ seq: string; expired: boolean }>(
      'select seq::text, changed_at < $2 as expired from projection_changes where seq > $1 order by seq limit $3',
      [mark.pruned_through, olderThan, chunkRows],
    )
  ).rows;
  const kept = oldest.findIndex((row) => !row.expired);
  const expired = kept < 0 ? oldest : oldest.slice(0, kept);
  if (expired.length === 0) return { deleted: 0, prunedThrough, more: false };
  const through = expired[expired.length - 1].seq;
  const result = await client.query('delete from projection_changes where seq > $1 and seq <= $2', [mark.pruned_through, through]);
  await client.query('update projection_change_retention set pruned_through = $1, pruned_at = now() where id = 1', [through]);
  return { deleted: result.rowCount ?? 0, prunedThrough: BigInt(through), more: kept < 0 && oldest.length === chunkRows };
}

export interface ChangeFeedPrunerOptions {
  pool: pg.Pool;
  /** Changes older than this are deleted. */
  retentionMs: number;
  intervalMs: number;
  logger: Logger;
}

/** Prunes the change feed now and then every `intervalMs` until stopped; a failed prune is logged and tried again. */
export function startChangeFeedPruner(options: ChangeFeedPrunerOptions): { stop(): Promise<void> } {
  const { pool, retentionMs, intervalMs, logger } = options;
  let running: Promise<void> = Promise.resolve();
  const prune = () => {
    running = running.then(async () => {
      try {
        const started = performance.now();
        const result = await pruneChangeFeed(pool, new Date(Date.now() - retentionMs));
        if (result.deleted > 0) {
          logger.info(
            { deleted: result.deleted, prunedThrough: result.prunedThrough.toString(), ms: Math.round(performance.now() - started) },
            'change feed pruned',
          );
        }
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'could not prune the change feed; trying again later');
      }
    });
  };
  prune();
  const timer = setInterval(prune, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
