import type pg from 'pg';
import { DEFAULT_PARTITIONS, LIBRARY_EVENTS_TOPIC } from '@soulspot/contracts';
import { createEventPublisher, createKafka, ensureTopics, type EventPublisher } from '@soulspot/messaging';
import type { Logger } from '@soulspot/observability';
import { MIGRATOR_LOCK_KEY, createPool, isNotNullAndIndexed, keysetColumns, listColumns, listTables } from '../db';
import { createProgress } from '../progress';
import { readState, writeState } from '../state';
import { legacyFingerprint, sameFingerprint, type Fingerprint, type ReplaySource } from '../verify/fingerprint';
import type { ReplayEvent } from './encode-event';
import { spotifyAlbumEvent, spotifyArtistEvent, spotifyTrackEvent, unifiedAlbumEvents, unifiedArtistEvents, unifiedTrackEvents, type Built } from './events';
import { mapColumns, UnmappableLayoutError } from './mapping';
import { pageQuery, type Mappings } from './queries';
import { ALL_SOURCES, SOULSPOT_ALBUMS, SOULSPOT_ARTISTS, SOULSPOT_TRACKS, SPOTIFY_ALBUMS, SPOTIFY_ARTISTS, SPOTIFY_TRACKS, sourceName, type SourceTable } from './sources';

export interface ReplayOptions {
  databaseUrl: string;
  brokers: string[];
  clientId: string;
  topic?: string;
  partitions?: number;
  chunkSize: number;
  maxInFlight: number;
  dryRun: boolean;
  /** Forget the cursors and publish everything again (identical events; the projection skips them). */
  restart?: boolean;
  logger: Logger;
}

export interface SourceReport {
  source: string;
  rows: number;
  events: number;
  skipped: number;
  droppedIsrc: number;
  droppedProviderIds: number;
  /** First skipped rows (id: reason), for the operator. */
  skippedExamples: string[];
  resumedFrom: string | null;
  /** The keyset order the rows were read (and published) in, e.g. ['album_id', 'spotify_id']. */
  order: string[];
}

export interface ReplayReport {
  sources: SourceReport[];
  events: number;
  seconds: number;
  dryRun: boolean;
}

/**
 * Events per produce request. kafkajs groups a request's messages per partition by copying the partition's list for
 * every message (quadratic in the request size), so a page goes out as several modest requests.
 */
const PUBLISH_CHUNK = 500;

const BUILDERS = new Map<SourceTable, (row: any) => Built>([
  [SPOTIFY_ARTISTS, spotifyArtistEvent],
  [SPOTIFY_ALBUMS, spotifyAlbumEvent],
  [SPOTIFY_TRACKS, spotifyTrackEvent],
  [SOULSPOT_ARTISTS, unifiedArtistEvents],
  [SOULSPOT_ALBUMS, unifiedAlbumEvents],
  [SOULSPOT_TRACKS, unifiedTrackEvents],
]);

/** Introspects every present source and maps its columns; a missing required column fails here, naming it. */
export async function resolveSources(db: pg.PoolClient | pg.Pool): Promise<{ present: SourceTable[]; mappings: Mappings }> {
  const mappings: Mappings = new Map();
  const present: SourceTable[] = [];
  const tablesBySchema = new Map<string, Set<string>>();
  for (const source of ALL_SOURCES) {
    if (!tablesBySchema.has(source.schema)) tablesBySchema.set(source.schema, await listTables(db, source.schema));
    if (!tablesBySchema.get(source.schema)!.has(source.table)) continue;
    mappings.set(source, mapColumns(sourceName(source), source.fields, await listColumns(db, source.schema, source.table)));
    present.push(source);
  }
  return { present, mappings };
}

/** Tracks go out album by album when the table's album column allows an index-ordered keyset scan (see PageQueryOptions). */
async function canPageTracksByAlbum(db: pg.PoolClient, mappings: Mappings): Promise<boolean> {
  const albumColumn = mappings.get(SPOTIFY_TRACKS)?.album_id;
  return !!albumColumn && (await isNotNullAndIndexed(db, SPOTIFY_TRACKS.schema, SPOTIFY_TRACKS.table, albumColumn));
}

interface Cursor {
  last_key: string | null;
  completed: boolean;
  rows_done: string;
  events_published: string;
}

/**
 * `migrator replay`: publishes every legacy row as events. One REPEATABLE READ read-only transaction gives a
 * consistent snapshot of all sources; each source is read in keyset pages; a page's events are published
 * (idempotent producer, acks=all) and only then is its last key stored in `migrator_replay_cursors`, so a
 * killed run resumes after the last acknowledged page and re-publishes at most the pages in flight — as
 * byte-identical events (deterministic ids, constant correlation id), which the projection skips.
 * At most `maxInFlight` pages are read ahead of the broker's acknowledgements: memory stays flat.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayReport> {
  const started = Date.now();
  const pool = createPool(options.databaseUrl, 3);
  const topic = options.topic ?? LIBRARY_EVENTS_TOPIC;
  const kafka = options.dryRun ? null : createKafka({ brokers: options.brokers, clientId: options.clientId, logger: options.logger });
  if (kafka) await ensureTopics(kafka, [{ topic, numPartitions: options.partitions ?? DEFAULT_PARTITIONS, configEntries: { 'retention.ms': '-1' } }]);
  const publisher = kafka ? await createEventPublisher(kafka, { topic, chunkSize: PUBLISH_CHUNK, partitioner: 'int32-murmur2' }) : null;
  const reports: SourceReport[] = [];
  const snapshot = await pool.connect();
  let locked = false;
  try {
    if (!options.dryRun) {
      // One writer of the cursors at a time (two Jobs, or a replay during schema/finalize): interleaved runs wiped
      // and re-counted each other's cursors (a --restart deleted them under the other). Session lock, released when
      // the connection goes, so a killed replay does not keep it.
      if (!(await snapshot.query(`SELECT pg_try_advisory_lock($1) AS ok`, [MIGRATOR_LOCK_KEY])).rows[0].ok) {
        options.logger.warn('another migrator step holds the migrator lock: waiting for it');
        await snapshot.query(`SELECT pg_advisory_lock($1)`, [MIGRATOR_LOCK_KEY]);
      }
      locked = true;
    }
    if (options.restart && !options.dryRun) await pool.query(`DELETE FROM migrator_replay_cursors`);
    await snapshot.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // the legacy content this run reads, from its own snapshot: resuming cursors over changed rows would leave pages
    // of two different states, and a completed replay would never publish the change
    if (!options.dryRun) await restartIfLegacyChanged(pool, await legacyFingerprint(snapshot), options.logger);
    const { present, mappings } = await resolveSources(snapshot);
    if (present.length === 0) options.logger.warn('no legacy source tables found: nothing to replay');
    for (const source of present) {
      reports.push(await replaySource(source, mappings, snapshot, pool, publisher, options));
    }
    await snapshot.query('COMMIT');
    const report: ReplayReport = { sources: reports, events: reports.reduce((n, r) => n + r.events, 0), seconds: (Date.now() - started) / 1000, dryRun: options.dryRun };
    if (!options.dryRun) await writeState(pool, 'replay', { completedAt: new Date().toISOString(), ...report });
    return report;
  } finally {
    await snapshot.query('ROLLBACK').catch(() => undefined);
    if (locked) await snapshot.query(`SELECT pg_advisory_unlock($1)`, [MIGRATOR_LOCK_KEY]).catch(() => undefined);
    snapshot.release();
    await publisher?.disconnect().catch(() => undefined);
    await pool.end();
  }
}

/**
 * Keeps the cursors only while the legacy tables are as they were when the replay began (`replay_source`); otherwise
 * replays from the start. Unchanged rows then give the same events again (deterministic ids: the projection skips
 * them), changed rows their new version.
 */
async function restartIfLegacyChanged(pool: pg.Pool, fingerprint: Fingerprint, logger: Logger): Promise<void> {
  const previous = await readState<ReplaySource>(pool, 'replay_source');
  const cursors = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM migrator_replay_cursors`)).rows[0].n);
  const unchanged = previous !== null && sameFingerprint(previous.fingerprint, fingerprint);
  if (cursors > 0 && unchanged) return;
  if (cursors > 0) {
    logger.warn({ since: previous?.at ?? null }, 'the legacy tables changed since this replay began: replaying every row again');
    await pool.query(`DELETE FROM migrator_replay_cursors`);
  }
  await writeState(pool, 'replay_source', { fingerprint, at: new Date().toISOString() } satisfies ReplaySource);
}

/** The types the page queries read typed fields as (queries.ts casts), and the column types that always convert. */
const READ_AS: Record<string, { as: string; compatible: readonly string[] }> = (() => {
  const numbers = ['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision'];
  const times = ['timestamp without time zone', 'timestamp with time zone', 'date'];
  return {
    popularity: { as: 'integer', compatible: numbers },
    follower_count: { as: 'bigint', compatible: numbers },
    total_tracks: { as: 'integer', compatible: numbers },
    track_number: { as: 'integer', compatible: numbers },
    disc_number: { as: 'integer', compatible: numbers },
    duration_ms: { as: 'integer', compatible: numbers },
    release_year: { as: 'integer', compatible: numbers },
    is_saved: { as: 'boolean', compatible: ['boolean'] },
    explicit: { as: 'boolean', compatible: ['boolean'] },
    synced_at: { as: 'timestamptz', compatible: times },
    updated_at: { as: 'timestamptz', compatible: times },
    created_at: { as: 'timestamptz', compatible: times },
  };
})();

/**
 * A page query that failed on a value PostgreSQL cannot cast (SQLSTATE class 22, e.g. duration_ms text '6:23' read as
 * integer) says which value but not where: this names the table and its typed columns of another type.
 */
async function typeMismatch(db: pg.Pool, source: SourceTable, mappings: Mappings, error: unknown): Promise<Error | null> {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('22')) return null;
  const { rows } = await db
    .query<{ column_name: string; data_type: string }>(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`, [
      source.schema,
      source.table,
    ])
    .catch(() => ({ rows: [] as Array<{ column_name: string; data_type: string }> }));
  const types = new Map(rows.map((r) => [r.column_name, r.data_type]));
  const mapping = mappings.get(source)!;
  const suspects = Object.entries(READ_AS).flatMap(([field, read]) => {
    const column = mapping[field];
    const type = column ? types.get(column) : undefined;
    return column && type && !read.compatible.includes(type) ? [{ field, text: `${column} (${type}, read as ${read.as})` }] : [];
  });
  const reason =
    `a value cannot be read as the replay needs it (${(error as Error).message})` +
    (suspects.length > 0 ? `; columns of another type: ${suspects.map((s) => s.text).join(', ')}` : `; check its typed columns and those of the tables it joins`);
  return new UnmappableLayoutError(sourceName(source), suspects[0]?.field ?? 'a row', [], [], reason);
}

async function replaySource(
  source: SourceTable,
  mappings: Mappings,
  snapshot: pg.PoolClient,
  pool: pg.Pool,
  publisher: Pick<EventPublisher, 'publish'> | null,
  options: ReplayOptions,
): Promise<SourceReport> {
  const name = sourceName(source);
  const cursor = options.dryRun
    ? undefined
    : (await pool.query<Cursor>(`SELECT last_key, completed, rows_done, events_published FROM migrator_replay_cursors WHERE source_table = $1`, [name])).rows[0];
  const report: SourceReport = {
    source: name,
    rows: Number(cursor?.rows_done ?? 0),
    events: Number(cursor?.events_published ?? 0),
    skipped: 0,
    droppedIsrc: 0,
    droppedProviderIds: 0,
    skippedExamples: [],
    resumedFrom: cursor?.last_key ?? null,
    order: [],
  };
  const idColumn = mappings.get(source)!.id!;
  const keyset = await keysetColumns(snapshot, source.schema, source.table, idColumn);
  if (!keyset) {
    throw new UnmappableLayoutError(name, 'id', [idColumn], [], `column ${idColumn} is not a key (nullable or not unique) and the table has no primary key to page by`);
  }
  const query = pageQuery(source, mappings, {
    keyset: keyset[0] === idColumn && keyset.length === 1 ? undefined : keyset,
    tracksByAlbum: source === SPOTIFY_TRACKS && (await canPageTracksByAlbum(snapshot, mappings)),
  });
  report.order = query.order;
  if (cursor?.completed) {
    options.logger.info({ source: name }, 'already replayed (cursor complete)');
    return report;
  }
  const build = BUILDERS.get(source)!;
  const total = Number((await snapshot.query(`SELECT count(*) AS n FROM ${source.schema}."${source.table}"`)).rows[0].n);
  const progress = createProgress(`replay ${source.table}`, total, options.logger);
  progress.increment(report.rows);
  // the position after the last page read: its last row's keyset key
  let lastKey: string | null = cursor?.last_key ?? null;
  // Pages are published strictly in order (one chain); the reader may run ahead by maxInFlight pages.
  let chain: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  // The next page's query runs in PostgreSQL while this page's events are built (node-postgres queues it).
  const fetchPage = (after: string | null) =>
    after === null ? snapshot.query(query.first, [options.chunkSize]) : snapshot.query(query.next, [...query.after(after), options.chunkSize]);
  let pending: Promise<pg.QueryResult> | null = fetchPage(lastKey);
  try {
    for (;;) {
      const { rows } = await pending!.catch(async (error: unknown) => {
        // (the snapshot's transaction is aborted by the error: the column types come through another session)
        throw (await typeMismatch(pool, source, mappings, error)) ?? error;
      });
      pending = null;
      if (rows.length === 0) break;
      const full = rows.length === options.chunkSize;
      if (full) pending = fetchPage(query.positionOf(rows[rows.length - 1]));
      const events: ReplayEvent[] = [];
      for (const row of rows) {
        const built = build(row);
        events.push(...built.events);
        if (built.skipped) {
          report.skipped++;
          if (report.skippedExamples.length < 20) report.skippedExamples.push(`${row.key}: ${built.skipped}`);
        }
        if (built.droppedIsrc) report.droppedIsrc++;
        if (built.droppedProviders) report.droppedProviderIds += built.droppedProviders.length;
      }
      lastKey = query.positionOf(rows[rows.length - 1]);
      const pageKey = lastKey;
      const pageRows = rows.length;
      chain = chain.then(async () => {
        if (publisher) {
          await publisher.publish(events);
          await pool.query(
            `INSERT INTO migrator_replay_cursors (source_table, last_key, rows_done, events_published, completed, updated_at)
             VALUES ($1, $2, $3, $4, false, now())
             ON CONFLICT (source_table) DO UPDATE SET last_key = EXCLUDED.last_key,
               rows_done = migrator_replay_cursors.rows_done + $3, events_published = migrator_replay_cursors.events_published + $4, updated_at = now()`,
            [name, pageKey, pageRows, events.length],
          );
        }
        report.rows += pageRows;
        report.events += events.length;
        progress.increment(pageRows);
      });
      inFlight.push(chain);
      if (inFlight.length >= options.maxInFlight) await inFlight.shift();
      if (!full) break;
    }
    await chain;
    if (publisher) {
      await pool.query(
        `INSERT INTO migrator_replay_cursors (source_table, last_key, completed, updated_at) VALUES ($1, $2, true, now())
         ON CONFLICT (source_table) DO UPDATE SET completed = true, updated_at = now()`,
        [name, lastKey],
      );
    }
  } finally {
    await (pending as Promise<unknown> | null)?.catch(() => undefined);
    await chain.catch(() => undefined);
    progress.stop();
  }
  options.logger.info({ ...report, skippedExamples: undefined }, `replayed ${name}`);
  if (report.skipped > 0) options.logger.warn({ source: name, skipped: report.skipped, examples: report.skippedExamples }, 'rows that could not be replayed');
  return report;
}
