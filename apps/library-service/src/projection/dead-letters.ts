import type { ConsumedRecord } from '@soulspot/messaging';
import { rows, stringList, type Sql } from './sql';

export interface DeadLetterInput {
  record: ConsumedRecord;
  error: string;
}

/*
 * Kafka keys and header values are bytes, and PostgreSQL text (and jsonb) cannot hold U+0000: one such record failed
 * every statement that carried its key, so its batch was retried forever and the projection stopped. So did a key
 * too long for an entry of the dead letters' key index (about 2.7 kB after compression). No valid event has such a
 * key (provider ids with NUL are invalid, and every event key fits a provider key column), so it is stored as no key
 * (the dead letter is retried by its id) and never blocks anything; stored header values and reasons have NUL replaced.
 */
const MAX_EVENT_KEY_CHARS = 320; // projection_entity_members.member_key
const storableKey = (key: string | null): string | null =>
  key === null || key.length > MAX_EVENT_KEY_CHARS || key.includes('\u0000') ? null : key;

/** Whether a dead letter of this key holds back the key's later events (keys that cannot be stored never do). */
export const blocksItsKey = (key: string | null): key is string => storableKey(key) !== null;
const storableText = (text: string): string => (text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text);

function storableHeaders(headers: Record<string, string>): string {
  const out: Record<string, string> = {};
  for (const name in headers) out[storableText(name)] = storableText(headers[name]);
  return JSON.stringify(out);
}

/** Keys that have an unresolved dead letter: their later events must wait (per-key order). */
export async function blockedKeys(sql: Sql, projection: string, keys: Iterable<string>): Promise<Set<string>> {
  const list = stringList.encode([...keys].filter(blocksItsKey));
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
      letters.map((l) => storableKey(l.record.key?.toString('utf8') ?? null)),
      letters.map((l) => eventIdOf(l.record)),
      letters.map((l) => storableText(l.error)),
      letters.map((l) => l.record.value),
      letters.map((l) => storableHeaders(l.record.headers)),
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
      records.map((r) => storableHeaders(r.headers)),
    ],
  );
}

function eventIdOf(record: ConsumedRecord): string | null {
  const id = record.headers['event-id'];
  return id && id.length <= 36 && !id.includes('\u0000') ? id : null;
}
