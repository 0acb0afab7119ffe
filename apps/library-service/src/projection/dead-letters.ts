import type { ConsumedRecord } from '@soulspot/messaging';
import { rows, stringList, type Sql } from './sql';

export interface DeadLetterInput {
  record: ConsumedRecord;
  error: string;
}

/** Keys that have an unresolved dead letter: their later events must wait (per-key order). */
export async function blockedKeys(sql: Sql, projection: string, keys: Iterable<string>): Promise<Set<string>> {
  const list = stringList.encode(keys);
  if (list === '[]') return new Set();
  const result = await rows<{ key: string }>(
    sql,
    `select distinct key from projection_dead_letters where projection = $1 and status = 'dead' and key = any(${stringList.sql('$2', 'text')})`,
    [projection, list],
  );
  return new Set(result.map((r) => r.key));
}

export async function insertDeadLetters(
  sql: Sql,
  projection: string,
  topic: string,
  partition: number,
  letters: DeadLetterInput[],
): Promise<void> {
  if (letters.length === 0) return;
  await sql.query(
    `insert into projection_dead_letters (projection, topic, partition, "offset", key, event_id, error, payload, headers)
     select $1, $2, $3, * from unnest($4::bigint[], $5::text[], $6::varchar[], $7::text[], $8::bytea[], $9::jsonb[])
     on conflict (projection, topic, partition, "offset") do nothing`,
    [
      projection,
      topic,
      partition,
      letters.map((l) => l.record.offset.toString()),
      letters.map((l) => l.record.key?.toString('utf8') ?? null),
      letters.map((l) => eventIdOf(l.record)),
      letters.map((l) => l.error),
      letters.map((l) => l.record.value),
      letters.map((l) => JSON.stringify(l.record.headers)),
    ],
  );
}

export async function insertParkedEvents(
  sql: Sql,
  projection: string,
  topic: string,
  partition: number,
  records: ConsumedRecord[],
): Promise<void> {
  if (records.length === 0) return;
  await sql.query(
    `insert into projection_parked_events (projection, topic, partition, "offset", key, payload, headers)
     select $1, $2, $3, * from unnest($4::bigint[], $5::text[], $6::bytea[], $7::jsonb[])
     on conflict (projection, topic, partition, "offset") do nothing`,
    [
      projection,
      topic,
      partition,
      records.map((r) => r.offset.toString()),
      records.map((r) => r.key!.toString('utf8')),
      records.map((r) => r.value),
      records.map((r) => JSON.stringify(r.headers)),
    ],
  );
}

function eventIdOf(record: ConsumedRecord): string | null {
  const id = record.headers['event-id'];
  return id && id.length <= 36 ? id : null;
}
