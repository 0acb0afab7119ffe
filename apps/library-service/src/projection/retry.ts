import type pg from 'pg';
import type { ConsumedRecord, DeadLetterPublisher } from '@soulspot/messaging';
import { applyObservations } from './apply-observations';
import { classify } from './classify';
import { insertDeadLetters } from './dead-letters';
import { writeAllPendingRows } from './pending-rows';
import { rows } from './sql';
import { inProjectionTransaction, isInfrastructureError } from './transaction';

export interface RetryResult {
  /** Dead letters and parked events applied now. */
  resolved: number;
  /** Events that still fail (their key stays blocked). */
  stillFailing: number;
}

interface Pending {
  source: 'dead' | 'parked';
  id: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  payload: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Retries dead letters after a fix (the given ids, or every dead letter when `ids` is empty), with everything
 * parked behind them: per key in offset order, each event is re-decoded and applied; the first one that still fails
 * stays (or becomes) a dead letter and keeps the rest of its key parked. One transaction, under the writer lock.
 */
export async function retryDeadLetters(
  pool: pg.Pool,
  projection: string,
  ids: string[] = [],
  dlq?: Pick<DeadLetterPublisher, 'publish'>,
): Promise<RetryResult> {
  return inProjectionTransaction(pool, async (client) => {
    // Row work of committed state transactions whose row transactions have not run yet is computed from the state
    // as it is now, and the retry is about to change the state: written afterwards, it would insert again the row of
    // an entity born in its batch that the retry has written meanwhile (a unique violation on every attempt, which
    // stops the projector) or overwrite retry-written rows with facts from before. So it is written first.
    await writeAllPendingRows(client, projection);
    const chosen = await rows<{ id: string; key: string | null }>(
      client,
      `select id::text, key from projection_dead_letters
       where projection = $1 and status = 'dead' and (cardinality($2::bigint[]) = 0 or id = any($2::bigint[]))`,
      [projection, ids],
    );
    const keys = [...new Set(chosen.flatMap((c) => (c.key === null ? [] : [c.key])))];
    const keyless = chosen.filter((c) => c.key === null).map((c) => c.id);
    const pending = await rows<Pending>(
      client,
      `select 'dead' as source, id::text, topic, partition, "offset", key, payload, headers
         from projection_dead_letters
        where projection = $1 and status = 'dead' and (key = any($2::text[]) or id = any($3::bigint[]))
       union all
       select 'parked', id::text, topic, partition, "offset", key, payload, headers
         from projection_parked_events where projection = $1 and key = any($2::text[])
       order by topic, partition, "offset"`,
      [projection, keys, keyless],
    );
    const result: RetryResult = { resolved: 0, stillFailing: 0 };
    const stopped = new Set<string>();
    for (const item of pending) {
      const groupKey = item.key ?? `#${item.id}`;
      if (stopped.has(groupKey)) continue;
      const record: ConsumedRecord = {
        offset: BigInt(item.offset),
        key: item.key === null ? null : Buffer.from(item.key, 'utf8'),
        value: item.payload,
        headers: item.headers,
        timestamp: '0',
      };
      const classified = classify(record);
      let error = classified.ok ? null : classified.error;
      if (classified.ok) {
        await client.query('savepoint retry_one');
        try {
          await applyObservations(client, [classified.observation]);
          await client.query('release savepoint retry_one');
        } catch (applyError) {
          // the database failing (a timeout, a deadlock, a lost connection) says nothing about the event: the retry
          // fails as a whole and changes nothing, instead of recording that as the event's error (or dead-lettering
          // a parked event for it)
          if (isInfrastructureError(applyError)) throw applyError;
          await client.query('rollback to savepoint retry_one');
          error = `apply failed: ${(applyError as Error).message}`;
        }
      }
      if (error === null) {
        result.resolved++;
        if (item.source === 'dead') {
          await client.query(
            `update projection_dead_letters set status = 'retried', attempts = attempts + 1, updated_at = now() where id = $1`,
            [item.id],
          );
        } else {
          await client.query(`delete from projection_parked_events where id = $1`, [item.id]);
        }
        continue;
      }
      result.stillFailing++;
      stopped.add(groupKey);
      if (item.source === 'dead') {
        await client.query(
          `update projection_dead_letters set error = $2, attempts = attempts + 1, updated_at = now() where id = $1`,
          [item.id, error],
        );
      } else {
        // a parked event that fails on its own becomes the key's dead letter; the rest stays parked behind it
        await dlq?.publish([
          { key: record.key, value: record.value, headers: record.headers, source: { topic: item.topic, partition: item.partition, offset: record.offset }, error },
        ]);
        await insertDeadLetters(client, projection, item.topic, item.partition, [{ record, error }]);
        await client.query(`delete from projection_parked_events where id = $1`, [item.id]);
      }
    }
    return result;
  }, 'writer');
}
