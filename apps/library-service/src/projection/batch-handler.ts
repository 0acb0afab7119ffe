import type pg from 'pg';
import type { BatchResult, ConsumedRecord, DeadLetterPublisher, PartitionBatch } from '@soulspot/messaging';
import type { Logger } from '@soulspot/observability';
import type { Observation } from '../domain/observation';
import { applyObservations, applyState, type StateOutcome } from './apply-observations';
import { checkpointsInTransaction } from './checkpoints';
import { classify } from './classify';
import { blockedKeys, blocksItsKey, insertDeadLetters, insertParkedEvents, type DeadLetterInput } from './dead-letters';
import { recordPendingRows, writeAllPendingRows, type PendingRows, type PendingRowsWriter } from './pending-rows';
import { heldByRebuild, REBUILD_HOLD_RETRY_MS } from './rebuild-hold';
import type { RowWriteInput } from './row-writer';
import { lockProjection, type Sql } from './sql';
import { inProjectionTransaction, isInfrastructureError } from './transaction';

export interface BatchContext {
  pool: pg.Pool;
  projection: string;
  dlq: Pick<DeadLetterPublisher, 'publish'>;
  logger: Logger;
  /** Writes the rows of committed batches (see pending-rows.ts). */
  rows: PendingRowsWriter;
  /** The live projection: applies nothing while a blue/green rebuild of it catches up and swaps (rebuild-hold.ts). */
  yieldsToRebuild?: boolean;
  /** Whether the current hold has been logged (once per hold). */
  holdLogged?: boolean;
}

export interface BatchStats {
  /** Transactions committed (each applies one or more partition batches). */
  transactions: number;
  /** Partition batches committed. */
  batches: number;
  applied: number;
  deadLettered: number;
  parked: number;
  skipped: number;
}

interface Applicable {
  record: ConsumedRecord;
  observation: Observation;
  partition: number;
}

type Located<T> = T & { partition: number };

/**
 * Applies what it can of a batch. The whole batch goes set-based and only its state is written: its rows are left
 * to the caller (`rows`). If that fails on an event (not on the database), the batch is replayed one event at a time
 * behind savepoints, state and rows together, and exactly the events that fail are dead-lettered, parking later events
 * of their keys. Returns the dead letters and parked records it produced.
 */
async function applyWithIsolation(
  sql: Sql,
  applicable: Applicable[],
  settleRows: () => Promise<void>,
): Promise<{
  failed: Located<DeadLetterInput>[];
  parked: Located<{ record: ConsumedRecord }>[];
  applied: number;
  rows: RowWriteInput | null;
  byReferenceOnly?: StateOutcome['affectedByReferenceOnly'];
  references?: StateOutcome['references'];
}> {
  if (applicable.length === 0) return { failed: [], parked: [], applied: 0, rows: null };
  await sql.query('savepoint whole_batch');
  try {
    const state = await applyState(
      sql,
      applicable.map((a) => a.observation),
    );
    await sql.query('release savepoint whole_batch');
    return { failed: [], parked: [], applied: applicable.length, rows: state.rows, byReferenceOnly: state.affectedByReferenceOnly, references: state.references };
  } catch (error) {
    if (isInfrastructureError(error)) throw error;
    await sql.query('rollback to savepoint whole_batch');
  }
  // this path writes rows itself: after the row work in flight, and keeping later row work out until it commits
  await settleRows();
  await lockProjection(sql, 'rows');
  const failed: Located<DeadLetterInput>[] = [];
  const parked: Located<{ record: ConsumedRecord }>[] = [];
  const blocked = new Set<string>();
  let applied = 0;
  for (const item of applicable) {
    const key = item.record.key?.toString('utf8') ?? null;
    if (key !== null && blocked.has(key)) {
      parked.push({ record: item.record, partition: item.partition });
      continue;
    }
    await sql.query('savepoint one_event');
    try {
      await applyObservations(sql, [item.observation]);
      await sql.query('release savepoint one_event');
      applied++;
    } catch (error) {
      if (isInfrastructureError(error)) throw error;
      await sql.query('rollback to savepoint one_event');
      failed.push({ record: item.record, error: `apply failed: ${(error as Error).message}`, partition: item.partition });
      if (key !== null) blocked.add(key);
    }
  }
  return { failed, parked, applied, rows: null };
}

/** A partition batch with every record decoded and validated. */
export interface ClassifiedBatch {
  batch: PartitionBatch;
  results: ReturnType<typeof classify>[];
  /** Each record's Kafka key as text (null without one), read once. */
  keys: (string | null)[];
}

/**
 * Decoding and validation are pure CPU and need no database: done when a batch arrives, so that they overlap the
 * transaction of the batches before it.
 */
export function classifyBatch(batch: PartitionBatch): ClassifiedBatch {
  return {
    batch,
    results: batch.records.map((record) => classify(record)),
    keys: batch.records.map((record) => record.key?.toString('utf8') ?? null),
  };
}

/** The part of one partition batch that the transaction applies, and what it decided about it. */
interface PartitionWork {
  batch: PartitionBatch;
  records: ConsumedRecord[];
  dead: DeadLetterInput[];
  parked: ConsumedRecord[];
  result: BatchResult;
}

/**
 * Several partition batches = one state transaction: per partition, skip what its checkpoint says is applied (or ask
 * for a seek when the batch starts past it); dead-letter poison (DLQ topic first, then the row), park later events of
 * blocked keys, apply the state of the rest of all partitions together set-based, record the row work and where the
 * batches end, wait for the previous batch's rows, commit; then start writing this batch's rows and checkpoints
 * (pending-rows.ts). A crash before the commit leaves the database as it was (the batches are simply consumed again);
 * after it, the recorded work is written on restart. Returns one result per batch, in order.
 */
export async function handlePartitionBatches(ctx: BatchContext, items: readonly ClassifiedBatch[], stats: BatchStats): Promise<BatchResult[]> {
  const batches = items.map((item) => item.batch);
  const classified = new Map(items.map((item) => [item.batch, item]));
  const started = performance.now();
  const committed: { pending?: PendingRows; count?: Omit<BatchStats, 'skipped'> } = {};
  let skipped = 0;
  let held = false;
  const results = await inProjectionTransaction(ctx.pool, async (client) => {
    const { positions: checkpoints, pendingSeqs } = await checkpointsInTransaction(client, ctx.projection, batches[0].topic);
    if (ctx.yieldsToRebuild && (await heldByRebuild(client, ctx.projection))) {
      held = true;
      return batches.map((batch): BatchResult => ({ kind: 'retry', offset: checkpoints.get(batch.partition) ?? 0n, afterMs: REBUILD_HOLD_RETRY_MS }));
    }
    const own = ctx.rows.inFlightSeq();
    if ([...pendingSeqs].some((seq) => seq !== own)) {
      // Row work recorded by another replica (the state lock orders state transactions, not row transactions) whose
      // row transaction has not run yet. It must be written before this state commits: its in-memory shortcuts hold
      // only for the state it was computed from (an entity born in its batch is inserted without ON CONFLICT, a track
      // born there is merged from that batch's facts alone), and this batch may write the same rows. When this
      // replica's rows went in first, the other's insert hit a duplicate key on every retry and that replica
      // stopped for good. Written here, from its record and with the rows lock kept until this commit, it is computed
      // for the state it was recorded for (nothing has been applied yet); its own row transaction finds it gone.
      await ctx.rows.settle();
      await lockProjection(client, 'rows');
      await writeAllPendingRows(client, ctx.projection);
    }

    const work: PartitionWork[] = [];
    const applicable: Applicable[] = [];
    const allKeys = new Set<string>();
    for (const item of items) for (const key of item.keys) if (key !== null) allKeys.add(key);
    const blocked = await blockedKeys(client, ctx.projection, allKeys);
    for (const batch of batches) {
      const checkpoint = checkpoints.get(batch.partition) ?? 0n;
      if (batch.records[0].offset > checkpoint) {
        work.push({ batch, records: [], dead: [], parked: [], result: { kind: 'seek', offset: checkpoint } });
        continue;
      }
      const firstFresh = batch.records.findIndex((r) => r.offset >= checkpoint);
      const records = firstFresh < 0 ? [] : batch.records.slice(firstFresh);
      skipped += batch.records.length - records.length;
      const item: PartitionWork = { batch, records, dead: [], parked: [], result: { kind: 'applied', nextOffset: checkpoint } };
      work.push(item);
      if (records.length === 0) continue;
      const { results, keys } = classified.get(batch)!;
      for (const [index, record] of records.entries()) {
        const key = keys[firstFresh + index];
        if (key !== null && blocked.has(key)) {
          item.parked.push(record);
          continue;
        }
        const result = results[firstFresh + index];
        if (result.ok) applicable.push({ record, observation: result.observation, partition: batch.partition });
        else {
          item.dead.push({ record, error: result.error });
          // (records are in offset order, so a key that turns poison parks its later records in this batch too)
          if (blocksItsKey(key)) blocked.add(key);
        }
      }
      const nextOffset = records[records.length - 1].offset + 1n;
      item.result = { kind: 'applied', nextOffset };
      // a second batch of the same partition in this group continues from here
      checkpoints.set(batch.partition, nextOffset);
    }
    const fresh = work.filter((w) => w.records.length > 0);
    if (fresh.length === 0) return work.map((w) => w.result);

    const outcome = await applyWithIsolation(client, applicable, () => ctx.rows.settle());
    const byPartition = new Map(fresh.map((w) => [w.batch.partition, w]));
    for (const failed of outcome.failed) byPartition.get(failed.partition)!.dead.push(failed);
    for (const parked of outcome.parked) byPartition.get(parked.partition)!.parked.push(parked.record);
    const dead = fresh.flatMap((w) => w.dead.map((d) => ({ ...d, partition: w.batch.partition, topic: w.batch.topic })));
    if (dead.length > 0) {
      await ctx.dlq.publish(
        dead.map((d) => ({
          key: d.record.key,
          value: d.record.value,
          headers: d.record.headers,
          source: { topic: d.topic, partition: d.partition, offset: d.record.offset },
          error: d.error,
        })),
      );
      for (const d of dead) {
        ctx.logger.warn({ partition: d.partition, offset: d.record.offset.toString(), reason: d.error }, 'event dead-lettered');
      }
    }
    for (const w of fresh) {
      await insertDeadLetters(client, ctx.projection, w.batch.topic, w.batch.partition, w.dead);
      await insertParkedEvents(client, ctx.projection, w.batch.topic, w.batch.partition, w.parked);
    }
    // one position per partition: with two batches of a partition in the group, the later one's end
    const positions = new Map(fresh.map((w) => [w.batch.partition, (w.result as { nextOffset: bigint }).nextOffset]));
    const end = { topic: batches[0].topic, positions: [...positions].map(([partition, nextOffset]) => ({ partition, nextOffset })) };
    committed.pending = await recordPendingRows(client, ctx.projection, end, outcome.rows);
    // the rows of the batch before must be in before this state commits (they are computed from the state before it)
    const ready = performance.now();
    await ctx.rows.settle();
    ctx.logger.debug(
      {
        partitions: fresh.map((w) => w.batch.partition),
        events: applicable.length,
        affected: outcome.rows && {
          artist: outcome.rows.affected.artist.size,
          album: outcome.rows.affected.album.size,
          track: outcome.rows.affected.track.size,
        },
        affectedByReferenceOnly: outcome.byReferenceOnly,
        references: outcome.references,
        ms: Math.round(performance.now() - started),
        waitedForRowsMs: Math.round(performance.now() - ready),
      },
      'state transaction committing',
    );
    committed.count = {
      transactions: 1,
      batches: fresh.length,
      applied: outcome.applied,
      deadLettered: dead.length,
      parked: fresh.reduce((sum, w) => sum + w.parked.length, 0),
    };
    return work.map((w) => w.result);
  }, 'state');
  if (held !== (ctx.holdLogged ?? false)) {
    ctx.logger.info({ projection: ctx.projection }, held ? 'a blue/green rebuild is catching up to swap: applying nothing until it is done' : 'rebuild hold over');
    ctx.holdLogged = held;
  }
  // counted once committed (a failed transaction is consumed again)
  stats.skipped += skipped;
  if (committed.count) {
    stats.transactions += committed.count.transactions;
    stats.batches += committed.count.batches;
    stats.applied += committed.count.applied;
    stats.deadLettered += committed.count.deadLettered;
    stats.parked += committed.count.parked;
  }
  if (committed.pending) ctx.rows.start(committed.pending);
  return results;
}
