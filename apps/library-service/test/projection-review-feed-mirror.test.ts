import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Observation } from '../src/domain/observation';
import { applyObservations } from '../src/projection/apply-observations';
import { adversarialEvents } from './support/adversarial-library';
import { resetProjection } from './support/dump';
import { observe, useProjectionDatabase } from './support/projection-db';
import { splitRandomly } from './support/random-batches';

const TYPES = ['artist', 'album', 'track'] as const;

/*
 * What WatchLibraryChanges promises a client: list the library, then apply the feed, and the copy stays the library.
 * Checked after every batch of collision-heavy event sets (merge chains, renames to better keys, homonyms), together
 * with the redirects: every id that ever had a row is live or redirects to a live id of its type.
 */
describe('change feed and redirects over adversarial event sets', () => {
  const database = useProjectionDatabase();
  const client = () => database.client;

  async function snapshotRows(): Promise<Map<string, string>> {
    const rows = new Map<string, string>();
    for (const type of TYPES) {
      for (const row of (await client().query<{ id: string; line: string }>(`select id, row_to_json(t)::text as line from soulspot_${type}s t`)).rows) {
        rows.set(`${type}/${row.id}`, row.line);
      }
    }
    return rows;
  }

  it('a copy kept by the change feed equals the tables after every batch; every id seen resolves to a live row', async () => {
    await fc.assert(
      fc.asyncProperty(adversarialEvents(), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 4 }), async (events, seed, maxBatch) => {
        await resetProjection(client());
        const mirror = new Map<string, string>();
        const seen = new Set<string>();
        let cursor = 0;
        for (const batch of splitRandomly(observe(events), seed, maxBatch) as Observation[][]) {
          await database.inWriterTransaction(() => applyObservations(client(), batch));
          const changes = (
            await client().query<{ seq: string; entity_type: string; entity_id: string; op: string; redirect_to: string | null; line: string | null }>(
              `select c.seq, c.entity_type, c.entity_id, c.op, c.redirect_to,
                      coalesce((select row_to_json(a)::text from soulspot_artists a where c.entity_type = 'artist' and a.id = c.entity_id),
                               (select row_to_json(a)::text from soulspot_albums a where c.entity_type = 'album' and a.id = c.entity_id),
                               (select row_to_json(t)::text from soulspot_tracks t where c.entity_type = 'track' and t.id = c.entity_id)) as line
               from projection_changes c where c.seq > $1 order by c.seq`,
              [cursor],
            )
          ).rows;
          for (const change of changes) {
            cursor = Number(change.seq);
            const name = `${change.entity_type}/${change.entity_id}`;
            if (change.op === 'delete') mirror.delete(name);
            else if (change.line !== null) mirror.set(name, change.line);
          }
          const live = await snapshotRows();
          expect(mirror).toEqual(live);
          for (const name of live.keys()) seen.add(name);
          const redirects = new Map(
            (await client().query<{ entity_type: string; old_id: string; new_id: string }>('select entity_type, old_id, new_id from projection_id_redirects')).rows.map(
              (r) => [`${r.entity_type}/${r.old_id}`, `${r.entity_type}/${r.new_id}`],
            ),
          );
          for (const name of seen) {
            const target = live.has(name) ? name : redirects.get(name);
            expect(target !== undefined && live.has(target), `${name} resolves to a live row`).toBe(true);
          }
        }
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});
