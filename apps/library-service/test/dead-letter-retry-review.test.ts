import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KafkaEvent } from '@soulspot/contracts';
import { createDeadLetterPublisher, type ConsumedRecord, type DeadLetterPublisher, type PartitionBatch } from '@soulspot/messaging';
import { createLogger } from '@soulspot/observability';
import { classifyBatch, handlePartitionBatches, type BatchContext, type BatchStats } from '../src/projection/batch-handler';
import { createPendingRowsWriter, type PendingRows, type PendingRowsWriter } from '../src/projection/pending-rows';
import { retryDeadLetters } from '../src/projection/retry';
import { resetProjection } from './support/dump';
import { at, trackEvent } from './support/events';
import { startStack, type Stack } from './support/harness';

const logger = createLogger('dead-letter-retry-review-test');
const PROJECTION = 'library';

const record = (event: Pick<KafkaEvent, 'key' | 'value' | 'headers'>, offset: number): ConsumedRecord => ({
  offset: BigInt(offset),
  key: Buffer.from(event.key),
  value: event.value,
  headers: event.headers,
  timestamp: '0',
});

/**
 * The projector's row writer, except that the row transaction of a committed state transaction starts only when the
 * test says so: the moment between the two transactions, in which any other writer of the projection can run.
 */
function heldRowsWriter(inner: PendingRowsWriter) {
  let held: PendingRows | undefined;
  const writer: PendingRowsWriter & { release(): void } = {
    drain: () => inner.drain(),
    settle: () => inner.settle(),
    inFlightSeq: () => held?.seq ?? inner.inFlightSeq(),
    start(pending) {
      held = pending;
    },
    release() {
      if (held) inner.start(held);
      held = undefined;
    },
  };
  return writer;
}

describe('dead-letter retry between a batch state commit and its rows (PostgreSQL + broker over TCP)', () => {
  let stack: Stack;
  let pool: pg.Pool;
  let dlq: DeadLetterPublisher;
  beforeAll(async () => {
    stack = await startStack('library-events-retry-review', 1);
    pool = new pg.Pool({ connectionString: stack.db.url, max: 4 });
    // (a connection still closing when PostgreSQL stops at teardown reports 57P01 on the pool)
    pool.on('error', () => undefined);
    dlq = await createDeadLetterPublisher(stack.client, stack.dlqTopic);
  });
  afterAll(async () => {
    await dlq?.disconnect();
    await pool?.end();
    await stack?.stop();
  });
  beforeEach(() => resetProjection(stack.sql));

  it('writes the row work a committed batch left pending before it changes the state, so neither overwrites nor blocks the other', async () => {
    const artist = [{ id: '4tZwfgrHOc3mvqYlEYSvVi', name: 'Daft Punk' }];
    const poison = trackEvent('deezer', '3135556', 'Harder', artist, { isrc: 'XX-NOT-AN-ISRC', at: at(1) });
    const spotify = trackEvent('spotify', '0DiWol3AO6WpXZgp0goxAV', 'Harder, Better', artist, { isrc: 'GBDUA0000001', at: at(2) });
    const rows = heldRowsWriter(createPendingRowsWriter({ pool, projection: PROJECTION, logger }));
    const ctx: BatchContext = { pool, projection: PROJECTION, dlq, logger, rows };
    const stats: BatchStats = { transactions: 0, batches: 0, applied: 0, deadLettered: 0, parked: 0, skipped: 0 };
    const batch = (records: ConsumedRecord[]): PartitionBatch => ({ topic: stack.topic, partition: 0, records, highWatermark: 2n });

    expect(await handlePartitionBatches(ctx, [classifyBatch(batch([record(poison, 0)]))], stats)).toEqual([{ kind: 'applied', nextOffset: 1n }]);
    rows.release();
    await rows.settle();
    // the Spotify track's state commits; its row (a track entity born in this batch) is not written yet
    expect(await handlePartitionBatches(ctx, [classifyBatch(batch([record(spotify, 1)]))], stats)).toEqual([{ kind: 'applied', nextOffset: 2n }]);

    // meanwhile an operator repairs the Deezer event and retries it: same ISRC, so it joins the Spotify track's entity
    const repaired = trackEvent('deezer', '3135556', 'Harder', artist, { isrc: 'GBDUA0000001', at: at(1) });
    await stack.sql.query(`update projection_dead_letters set payload = $1 where "offset" = 0`, [repaired.value]);
    expect(await retryDeadLetters(pool, PROJECTION, [], dlq)).toEqual({ resolved: 1, stillFailing: 0 });

    // the batch's row transaction runs now, and the projector goes on (its next batch settles the rows first)
    rows.release();
    await rows.settle();
    const tracks = (await stack.sql.query(`select title, source, spotify_uri, deezer_id, isrc from soulspot_tracks`)).rows;
    expect(tracks).toEqual([
      { title: 'Harder, Better', source: 'hybrid', spotify_uri: 'spotify:track:0DiWol3AO6WpXZgp0goxAV', deezer_id: '3135556', isrc: 'GBDUA0000001' },
    ]);
    const checkpoint = (await stack.sql.query(`select next_offset::int as n from projection_checkpoints where projection = $1`, [PROJECTION])).rows;
    expect(checkpoint).toEqual([{ n: 2 }]);
    expect((await stack.sql.query(`select count(*)::int as n from projection_pending_rows`)).rows[0].n).toBe(0);
  });

  it('fails the retry on a database error instead of blaming the event for it', async () => {
    const artist = [{ id: '4tZwfgrHOc3mvqYlEYSvVi', name: 'Daft Punk' }];
    const poison = trackEvent('deezer', '3135557', 'Digital Love', artist, { isrc: 'XX-NOT-AN-ISRC', at: at(1) });
    const rows = createPendingRowsWriter({ pool, projection: PROJECTION, logger });
    const ctx: BatchContext = { pool, projection: PROJECTION, dlq, logger, rows };
    const stats: BatchStats = { transactions: 0, batches: 0, applied: 0, deadLettered: 0, parked: 0, skipped: 0 };
    await handlePartitionBatches(ctx, [classifyBatch({ topic: stack.topic, partition: 0, records: [record(poison, 0)], highWatermark: 1n })], stats);
    await rows.settle();
    const repaired = trackEvent('deezer', '3135557', 'Digital Love', artist, { isrc: 'GBDUA0000003', at: at(1) });
    await stack.sql.query(`update projection_dead_letters set payload = $1 where "offset" = 0`, [repaired.value]);
    const before = (await stack.sql.query(`select error, attempts, status from projection_dead_letters`)).rows;

    // the database cancels the apply (a statement timeout while another session holds the table): not the event's fault
    const impatient = new pg.Pool({ connectionString: stack.db.url, max: 1, options: '-c statement_timeout=300' });
    impatient.on('error', () => undefined);
    const holder = new pg.Client({ connectionString: stack.db.url });
    await holder.connect();
    // a cancelled pipeline must leave no unhandled rejection behind (in the service one would end the process)
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await holder.query('begin');
      await holder.query('lock table projection_observations in access exclusive mode');
      await expect(retryDeadLetters(impatient, PROJECTION, [], dlq)).rejects.toMatchObject({ code: '57014' });
    } finally {
      await holder.query('rollback');
      await holder.end();
      await impatient.end();
      await new Promise((resolveSoon) => setTimeout(resolveSoon, 50));
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect((await stack.sql.query(`select error, attempts, status from projection_dead_letters`)).rows).toEqual(before);
    // and once the database is well again, the retry applies it
    expect(await retryDeadLetters(pool, PROJECTION, [], dlq)).toEqual({ resolved: 1, stillFailing: 0 });
  });
});
