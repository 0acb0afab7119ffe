import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { KafkaEvent } from '@soulspot/contracts';
import type { PartitionBatch } from '@soulspot/messaging';
import { createLogger } from '@soulspot/observability';
import { applyObservations, applyState } from '../src/projection/apply-observations';
import { classifyBatch, handlePartitionBatches, type BatchContext, type BatchStats } from '../src/projection/batch-handler';
import { createPendingRowsWriter, recordPendingRows, writeAllPendingRows } from '../src/projection/pending-rows';
import { lockProjection } from '../src/projection/sql';
import { dumpLibrary, resetProjection } from './support/dump';
import { at, trackEvent } from './support/events';
import { observe, useProjectionDatabase } from './support/projection-db';

const logger = createLogger('projection-review-replicas');
const TOPIC = 'library-events';

const batchOf = (partition: number, events: KafkaEvent[]): PartitionBatch => ({
  topic: TOPIC,
  partition,
  highWatermark: BigInt(events.length),
  records: events.map((event, offset) => ({
    offset: BigInt(offset),
    key: Buffer.from(event.key),
    value: event.value,
    headers: event.headers,
    timestamp: '0',
  })),
});

const newStats = (): BatchStats => ({ transactions: 0, batches: 0, applied: 0, deadLettered: 0, parked: 0, skipped: 0 });

/*
 * Two replicas of library-service (the production overlay runs two) are members of one consumer group: each applies
 * the batches of its own partitions, state transaction then row transaction, and the state lock orders only the state
 * transactions. One replica's row transaction can be late to start (its event loop busy decoding the next fetch, a
 * wait for a pooled connection) while the other replica commits the state of its next batch and writes its rows.
 */
describe('two live replicas whose state and row transactions interleave', () => {
  const database = useProjectionDatabase();
  const pools: pg.Pool[] = [];
  const pool = (max: number) => {
    const p = new pg.Pool({ connectionString: database.db.url, max });
    // a connection still open when PostgreSQL stops at teardown (57P01) is not this test's subject, checked out or not
    p.on('error', () => undefined);
    p.on('connect', (client) => client.on('error', () => undefined));
    pools.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
  });

  const replica = (rowsPool: pg.Pool): BatchContext => ({
    pool: pool(2),
    projection: 'library',
    dlq: {
      publish: () => Promise.reject(new Error('no event of this test is poison')),
    },
    logger,
    rows: createPendingRowsWriter({ pool: rowsPool, projection: 'library', logger }),
  });

  it("write the same library as one projector when the other replica's rows go in first", async () => {
    // the case: a Spotify track, then a Deezer track with the same ISRC, on two partitions
    const spotify = trackEvent('spotify', '0DiWol3AO6WpXZgp0goxAV', 'One More Time', [{ id: '4tZwfgrHOc3mvqYlEYSvVi', name: 'Daft Punk' }], {
      isrc: 'GBDUA0000001',
      album: { id: '2noRn2Aes5aoNVsU6iWThc', name: 'Discovery' },
      at: at(1),
    });
    const deezer = trackEvent('deezer', '3135556', 'One More Time', [{ id: '27', name: 'Daft Punk' }], {
      isrc: 'GBDUA0000001',
      album: { id: '302127', name: 'Discovery' },
      durationMs: 320_000,
      at: at(2),
    });

    // replica A's row transaction gets no connection until B is done
    const rowsPoolA = pool(1);
    const a = replica(rowsPoolA);
    const b = replica(pool(1));
    const late = await rowsPoolA.connect();
    let aFinished = false;
    try {
      await handlePartitionBatches(a, [classifyBatch(batchOf(0, [spotify]))], newStats());
      await handlePartitionBatches(b, [classifyBatch(batchOf(1, [deezer]))], newStats());
      await b.rows.settle();
    } finally {
      late.release();
    }
    await a.rows.settle().then(() => (aFinished = true), (error: unknown) => logger.error({ err: error }, 'replica A row work failed'));
    expect(aFinished).toBe(true);
    // A goes on with its next batch
    const next = trackEvent('spotify', '2222222222222222222222', 'Aerodynamic', [{ id: '4tZwfgrHOc3mvqYlEYSvVi', name: 'Daft Punk' }], { at: at(3) });
    const nextBatch = batchOf(0, [spotify, next]);
    await handlePartitionBatches(a, [classifyBatch(nextBatch)], newStats());
    await a.rows.settle();

    const pending = await database.client.query('select count(*)::int as n from projection_pending_rows');
    expect(pending.rows[0].n).toBe(0);
    const checkpoints = await database.client.query('select partition, next_offset::int as n from projection_checkpoints order by partition');
    expect(checkpoints.rows).toEqual([
      { partition: 0, n: 2 },
      { partition: 1, n: 1 },
    ]);
    const tracks = await database.client.query(`select source, spotify_uri, deezer_id, duration_ms from soulspot_tracks where isrc = 'GBDUA0000001'`);
    expect(tracks.rows).toEqual([{ source: 'hybrid', spotify_uri: 'spotify:track:0DiWol3AO6WpXZgp0goxAV', deezer_id: '3135556', duration_ms: 320_000 }]);

    // the same events applied by one writer, one after the other
    const raced = await dumpLibrary(database.client);
    await resetProjection(database.client);
    for (const events of [[spotify], [deezer], [next]]) {
      await database.inWriterTransaction(() => applyObservations(database.client, observe(events)));
    }
    expect(raced).toBe(await dumpLibrary(database.client));
  }, 120_000);

  it('a replica that starts while another writer writes the pending row work starts (and drains nothing twice)', async () => {
    const events = [
      trackEvent('spotify', '0DiWol3AO6WpXZgp0goxAV', 'One More Time', [{ id: '4tZwfgrHOc3mvqYlEYSvVi', name: 'Daft Punk' }], { at: at(1) }),
    ];
    // a running replica's committed state, its row work recorded (it is about to write it)
    await database.inWriterTransaction(async () => {
      const state = await applyState(database.client, observe(events));
      await recordPendingRows(database.client, 'library', { topic: TOPIC, positions: [{ partition: 0, nextOffset: 1n }] }, state.rows);
    });
    const other = await pool(1).connect();
    try {
      // the running replica (here: a writer holding both locks, as its next state transaction does) writes it ...
      await other.query('begin');
      await lockProjection(other, 'writer');
      // ... while the new replica's start-up drain has read the record and waits for the rows lock
      const starting = createPendingRowsWriter({ pool: pool(1), projection: 'library', logger }).drain();
      const outcome = starting.then(
        (written) => ({ written }),
        (error: unknown) => ({ error: String(error) }),
      );
      const deadline = Date.now() + 30_000;
      while (Number((await database.client.query(`select count(*) from pg_locks where locktype = 'advisory' and not granted`)).rows[0].count) === 0) {
        if (Date.now() > deadline) throw new Error('the drain never waited for the rows lock');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await writeAllPendingRows(other, 'library')).toBe(1);
      await other.query('commit');
      expect(await outcome).toEqual({ written: 0 });
    } finally {
      other.release();
    }
    const checkpoints = await database.client.query('select partition, next_offset::int as n from projection_checkpoints');
    expect(checkpoints.rows).toEqual([{ partition: 0, n: 1 }]);
    expect((await database.client.query('select count(*)::int as n from soulspot_tracks')).rows[0].n).toBe(1);
  }, 120_000);
});
