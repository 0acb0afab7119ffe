import type pg from 'pg';
import type { BatchResult, ConsumedRecord, DeadLetterPublisher, PartitionBatch } from '@soulspot/messaging';
import type { Logger } from '@soulspot/observability';
import type { Observation } from '../domain/observation';
import { applyObservations } from './apply-observations';
import { checkpointsInTransaction, writeCheckpoints } from './checkpoints';
import { classify } from './classify';
import { blockedKeys, insertDeadLetters, insertParkedEvents, type DeadLetterInput } from './dead-letters';
import { lockProjectionWriter, type Sql } from './sql';

export interface BatchContext {
  pool: pg.Pool;
  projection: string;
  dlq: Pick<DeadLetterPublisher, 'publish'>;
  logger: Logger;
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

/** Errors that say the database is unavailable, not that an event is bad: the batch is retried, never blamed. */
function isInfrastructureError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return !(error instanceof Error) || /connect|terminat|ECONN|socket/i.test(error.message);
  return /^(08|53|57|58|XX|40)/.test(code);
}

interface Applicable {
  record: ConsumedRecord;
  observation: Observation;
  partition: number;
}

type Located<T> = T & { partition: number };

/**
 * Applies what it can of a batch; if the set-based apply fails on an event (not on the database), replays the
 * batch one event at a time behind savepoints and dead-letters exactly the events that fail, parking later events
 * of their keys. Returns the dead letters and parked records it produced.
 */
async function applyWithIsolation(
  sql: Sql,
  applicable: Applicable[],
): Promise<{ failed: Located<DeadLetterInput>[]; parked: Located<{ record: ConsumedRecord }>[]; applied: number }> {
  if (applicable.length === 0) return { failed: [], parked: [], applied: 0 };
  await sql.query('savepoint whole_batch');
  try {
    await applyObservations(
      sql,
      applicable.map((a) => a.observation),
    );
    await sql.query('release savepoint whole_batch');
    return { failed: [], parked: [], applied: applicable.length };
  } catch (error) {
    if (isInfrastructureError(error)) throw error;
    await sql.query('rollback to savepoint whole_batch');
  }
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
  return { failed, parked, applied };
}

/** A partition batch with every record decoded and validated. */
export interface ClassifiedBatch {
  batch: PartitionBatch;
  results: ReturnType<typeof classify>[];
}

/**
 * Decoding and validation are pure CPU and need no database: done when a batch arrives, so that they overlap the
 * transaction of the batches before it.
 */
export function classifyBatch(batch: PartitionBatch): ClassifiedBatch {
  return { batch, results: batch.records.map((record) => classify(record)) };
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
 * Several partition batches = one transaction: per partition, skip what its checkpoint says is applied (or ask for a
 * seek when the batch starts past it); dead-letter poison (DLQ topic first, then the row), park later events of
 * blocked keys, apply the rest of all partitions together set-based, move every checkpoint, commit. A crash anywhere
 * before the commit leaves the database as it was; the batches are simply consumed again. Returns one result per
 * batch, in order.
 */
export async function handlePartitionBatches(ctx: BatchContext, items: readonly ClassifiedBatch[], stats: BatchStats): Promise<BatchResult[]> {
  const batches = items.map((item) => item.batch);
  const classified = new Map(items.map((item) => [item.batch, item.results]));
  const client = await ctx.pool.connect();
  const started = performance.now();
  let broken = false;
  try {
    await client.query('begin');
    // Losing the last commits in a database crash is harmless here: the checkpoint is lost with them and the
    // events are applied again. So the projection does not wait for the WAL flush.
    await client.query('set local synchronous_commit = off');
    // Every statement of a batch looks up a few thousand keys in tables that grow fast during a catch-up, faster
    // than autovacuum refreshes their statistics; with stale row counts the planner picks sequential scans, which
    // makes each batch cost O(table) and a catch-up quadratic. Keyed index access is always the right plan here,
    // and parallel workers only steal the core the projector needs.
    await client.query('set local enable_seqscan = off; set local max_parallel_workers_per_gather = 0');
    await lockProjectionWriter(client);
    const checkpoints = await checkpointsInTransaction(client, ctx.projection, batches[0].topic);

    const work: PartitionWork[] = [];
    const applicable: Applicable[] = [];
    const allKeys = new Set<string>();
    for (const batch of batches) for (const r of batch.records) if (r.key) allKeys.add(r.key.toString('utf8'));
    const blocked = await blockedKeys(client, ctx.projection, [...allKeys]);
    for (const batch of batches) {
      const checkpoint = checkpoints.get(batch.partition) ?? 0n;
      if (batch.records[0].offset > checkpoint) {
        work.push({ batch, records: [], dead: [], parked: [], result: { kind: 'seek', offset: checkpoint } });
        continue;
      }
      const firstFresh = batch.records.findIndex((r) => r.offset >= checkpoint);
      const records = firstFresh < 0 ? [] : batch.records.slice(firstFresh);
      stats.skipped += batch.records.length - records.length;
      const item: PartitionWork = { batch, records, dead: [], parked: [], result: { kind: 'applied', nextOffset: checkpoint } };
      work.push(item);
      if (records.length === 0) continue;
      const results = classified.get(batch)!;
      for (const [index, record] of records.entries()) {
        const key = record.key?.toString('utf8') ?? null;
        if (key !== null && blocked.has(key)) {
          item.parked.push(record);
          continue;
        }
        const result = results[firstFresh + index];
        if (result.ok) applicable.push({ record, observation: result.observation, partition: batch.partition });
        else {
          item.dead.push({ record, error: result.error });
          // (records are in offset order, so a key that turns poison parks its later records in this batch too)
          if (key !== null) blocked.add(key);
        }
      }
      const nextOffset = records[records.length - 1].offset + 1n;
      item.result = { kind: 'applied', nextOffset };
      // a second batch of the same partition in this group continues from here
      checkpoints.set(batch.partition, nextOffset);
    }
    const fresh = work.filter((w) => w.records.length > 0);
    if (fresh.length === 0) {
      await client.query('rollback');
      return work.map((w) => w.result);
    }

    const outcome = await applyWithIsolation(client, applicable);
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
    await writeCheckpoints(
      client,
      ctx.projection,
      batches[0].topic,
      [...positions].map(([partition, nextOffset]) => ({ partition, nextOffset })),
    );
    await client.query('commit');
    ctx.logger.debug(
      { partitions: fresh.map((w) => w.batch.partition), events: applicable.length, ms: Math.round(performance.now() - started) },
      'projection transaction committed',
    );
    stats.transactions++;
    stats.batches += fresh.length;
    stats.applied += outcome.applied;
    stats.deadLettered += dead.length;
    stats.parked += fresh.reduce((sum, w) => sum + w.parked.length, 0);
    return work.map((w) => w.result);
  } catch (error) {
    broken = isInfrastructureError(error);
    await client.query('rollback').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
