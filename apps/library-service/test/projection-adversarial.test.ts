import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Observation } from '../src/domain/observation';
import pg from 'pg';
import { createLogger } from '@soulspot/observability';
import { ReferenceProjection } from '../src/domain/reference-projection';
import { applyObservations, applyState } from '../src/projection/apply-observations';
import { createPendingRowsWriter, recordPendingRows } from '../src/projection/pending-rows';
import { lockProjection } from '../src/projection/sql';
import { adversarialEvents, ownedRows, referenceRows } from './support/adversarial-library';
import { dumpLibrary, resetProjection } from './support/dump';
import { at, trackEvent } from './support/events';
import { observe, useProjectionDatabase } from './support/projection-db';
import { splitRandomly } from './support/random-batches';

/**
 * Adversarial properties of architecture §4 on PostgreSQL, over small collision-heavy event sets (merge chains over
 * ISRC / UPC / MusicBrainz ids arriving in any order, artist evidence before or after the artists, homonyms,
 * identifiers that change between re-observations, conflicting references, snapshots, ties, redelivered events).
 */
describe('projection, adversarial event sets', () => {
  const database = useProjectionDatabase();
  const client = () => database.client;

  async function apply(batches: Observation[][], seen?: Map<string, Set<string>>): Promise<void> {
    for (const batch of batches) {
      await database.inWriterTransaction(() => applyObservations(client(), batch));
      if (seen) {
        for (const table of ['soulspot_artists', 'soulspot_albums', 'soulspot_tracks']) {
          const ids = seen.get(table) ?? new Set<string>();
          for (const row of (await client().query(`select id from ${table}`)).rows) ids.add(row.id);
          seen.set(table, ids);
        }
      }
    }
  }

  /** The projector's two-transaction commit (batch-handler.ts, pending-rows.ts), rows overlapping the next state. */
  async function applySplit(batches: Observation[][], fromRecord: boolean): Promise<void> {
    const pool = new pg.Pool({ connectionString: database.db.url, max: 2 });
    try {
      const writer = createPendingRowsWriter({ pool, projection: 'adversarial', logger: createLogger('adversarial', { level: 'silent' }) });
      for (const [index, batch] of batches.entries()) {
        await client().query('begin');
        try {
          await lockProjection(client(), 'state');
          const state = await applyState(client(), batch);
          const pending = await recordPendingRows(client(), 'adversarial', { topic: 't', positions: [{ partition: 0, nextOffset: BigInt(index + 1) }] }, state.rows);
          await writer.settle();
          await client().query('commit');
          if (fromRecord) await writer.drain();
          else writer.start(pending);
        } catch (error) {
          await client().query('rollback');
          throw error;
        }
      }
      await writer.settle();
    } finally {
      await pool.end();
    }
  }

  const expected = (observations: Observation[]) => {
    const reference = new ReferenceProjection();
    for (const observation of observations) reference.apply(observation);
    return referenceRows(reference.library());
  };

  it('rows equal the reference projection, for any batch split and interleaving, redeliveries included; old ids resolve', async () => {
    await fc.assert(
      fc.asyncProperty(adversarialEvents(), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 4 }), async (events, seed, maxBatch) => {
        const observations = observe(events);
        const want = expected(observations);
        await resetProjection(client());
        await apply([observations]);
        expect(await ownedRows(client())).toEqual(want);
        const baseline = await dumpLibrary(client());

        await resetProjection(client());
        const seen = new Map<string, Set<string>>();
        await apply(splitRandomly(observations, seed, maxBatch), seen);
        expect(await dumpLibrary(client())).toBe(baseline);
        // every id a client could have read on the way still resolves: it is live or redirected to a live id
        const types = { soulspot_artists: 'artist', soulspot_albums: 'album', soulspot_tracks: 'track' } as const;
        for (const [table, ids] of seen) {
          const live = new Set((await client().query(`select id from ${table}`)).rows.map((r) => r.id as string));
          const redirects = new Map(
            (await client().query(`select old_id, new_id from projection_id_redirects where entity_type = $1`, [types[table as keyof typeof types]])).rows.map(
              (r) => [r.old_id as string, r.new_id as string],
            ),
          );
          for (const id of ids) {
            const resolved = live.has(id) ? id : redirects.get(id);
            expect(resolved !== undefined && live.has(resolved), `${table} id ${id} neither live nor redirected to a live id`).toBe(true);
          }
        }

        // as the projector commits: state transactions, each batch's rows written by another connection while the
        // next batch's state is computed (in memory), or written back from the durable record (decoded)
        await resetProjection(client());
        await applySplit(splitRandomly(observations, seed ^ 0x5bd1e995, maxBatch), seed % 2 === 0);
        expect(await dumpLibrary(client())).toBe(baseline);

        // replaying everything over the live tables changes nothing
        await apply([observations]);
        expect(await dumpLibrary(client())).toBe(baseline);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('a duration of 0 (what connectors and the migrator send for an unknown duration) never erases a known one', async () => {
    // minimized from the property above: proto3 `int64 duration_ms` cannot be absent, so 0 is the contract's "does not
    // say" (deezer-normalize / spotify-normalize `?? 0`, migrator `optionalInt(row.duration_ms) ?? 0`)
    const singer = { id: 'aaaaaaaaaaaaaaaaaaaaa9', name: 'Singer' };
    const known = trackEvent('spotify', 'ccccccccccccccccccccc9', 'Song', [singer], { isrc: 'GBXYZ2600009', durationMs: 215_000, at: at(1) });
    const unknown = trackEvent('deezer', '309', 'Song', [{ id: '109', name: 'Singer' }], { isrc: 'GBXYZ2600009', durationMs: 0, at: at(2) });
    for (const batches of [[[known, unknown]], [[unknown], [known]], [[known], [unknown]]]) {
      await resetProjection(client());
      await apply(batches.map((events) => observe(events)));
      expect((await client().query('select duration_ms, source from soulspot_tracks')).rows).toEqual([{ duration_ms: 215_000, source: 'hybrid' }]);
    }
    // nobody knows it: the column's default, 0
    await resetProjection(client());
    await apply([observe([unknown])]);
    expect((await client().query('select duration_ms from soulspot_tracks')).rows).toEqual([{ duration_ms: 0 }]);
  });
});
