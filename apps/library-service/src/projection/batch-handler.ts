import type pg from 'pg';
import type { BatchResult, ConsumedRecord, DeadLetterPublisher, PartitionBatch } from '@soulspot/messaging';
import type { Logger } from '@soulspot/observability';
import type { Observation } from '../domain/observation';
import { applyObservations } from './apply-observations';
import { checkpointInTransaction, writeCheckpoint } from './checkpoints';
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
}

/**
 * Applies what it can of a batch; if the set-based apply fails on an event (not on the database), replays the
 * batch one event at a time behind savepoints and dead-letters exactly the events that fail, parking later events
 * of their keys. Returns the dead letters and parked records it produced.
 */
async function applyWithIsolation(
  sql: Sql,
  applicable: Applicable[],
): Promise<{ failed: DeadLetterInput[]; parked: ConsumedRecord[]; applied: number }> {
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
  const failed: DeadLetterInput[] = [];
  const parked: ConsumedRecord[] = [];
  const blocked = new Set<string>();
  let applied = 0;
  for (const item of applicable) {
    const key = item.record.key?.toString('utf8') ?? null;
    if (key !== null && blocked.has(key)) {
      parked.push(item.record);
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
      failed.push({ record: item.record, error: `apply failed: ${(error as Error).message}` });
      if (key !== null) blocked.add(key);
    }
  }
  return { failed, parked, applied };
}

/**
 * One partition batch = one transaction: skip what the checkpoint says is applied, dead-letter poison (DLQ topic
 * first, then the row), park later events of blocked keys, apply the rest set-based, move the checkpoint, commit.
 * A crash anywhere before the commit leaves the database as it was; the batch is simply consumed again.
 */
export async function handlePartitionBatch(ctx: BatchContext, batch: PartitionBatch, stats: BatchStats): Promise<BatchResult> {
  // Decoding and validation are pure CPU: done before taking the writer lock, so that with several partitions in
  // flight one batch decodes while another is in the database.
  const classified = batch.records.map((record) => classify(record));
  const client = await ctx.pool.connect();
  let broken = false;
  try {
    await client.query('begin');
    // Losing the last commits in a database crash is harmless here: the checkpoint is lost with them and the
    // events are applied again. So the projection does not wait for the WAL flush.
    await client.query('set local synchronous_commit = off');
    await lockProjectionWriter(client);
    const checkpoint = await checkpointInTransaction(client, ctx.projection, batch.topic, batch.partition);
    if (batch.records[0].offset > checkpoint) {
      await client.query('rollback');
      return { kind: 'seek', offset: checkpoint };
    }
    const firstFresh = batch.records.findIndex((r) => r.offset >= checkpoint);
    const records = firstFresh < 0 ? [] : batch.records.slice(firstFresh);
    stats.skipped += batch.records.length - records.length;
    if (records.length === 0) {
      await client.query('rollback');
      return { kind: 'applied', nextOffset: checkpoint };
    }

    const keys = [...new Set(records.flatMap((r) => (r.key ? [r.key.toString('utf8')] : [])))];
    const blocked = await blockedKeys(client, ctx.projection, keys);
    const dead: DeadLetterInput[] = [];
    const parked: ConsumedRecord[] = [];
    const applicable: Applicable[] = [];
    for (const [index, record] of records.entries()) {
      const key = record.key?.toString('utf8') ?? null;
      if (key !== null && blocked.has(key)) {
        parked.push(record);
        continue;
      }
      const result = classified[firstFresh + index];
      if (result.ok) applicable.push({ record, observation: result.observation });
      else {
        dead.push({ record, error: result.error });
        if (key !== null) blocked.add(key);
      }
    }
    // (records are in offset order, so a key that turns poison above parks its later records in this batch too)
    const outcome = await applyWithIsolation(client, applicable);
    dead.push(...outcome.failed);
    parked.push(...outcome.parked);
    if (dead.length > 0) {
      await ctx.dlq.publish(
        dead.map((d) => ({
          key: d.record.key,
          value: d.record.value,
          headers: d.record.headers,
          source: { topic: batch.topic, partition: batch.partition, offset: d.record.offset },
          error: d.error,
        })),
      );
      await insertDeadLetters(client, ctx.projection, batch.topic, batch.partition, dead);
      for (const d of dead) {
        ctx.logger.warn({ partition: batch.partition, offset: d.record.offset.toString(), reason: d.error }, 'event dead-lettered');
      }
    }
    await insertParkedEvents(client, ctx.projection, batch.topic, batch.partition, parked);
    const nextOffset = records[records.length - 1].offset + 1n;
    await writeCheckpoint(client, ctx.projection, batch.topic, batch.partition, nextOffset);
    await client.query('commit');
    stats.batches++;
    stats.applied += outcome.applied;
    stats.deadLettered += dead.length;
    stats.parked += parked.length;
    return { kind: 'applied', nextOffset };
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
