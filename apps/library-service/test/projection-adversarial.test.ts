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
import { entityIdFor } from '../src/domain/identity-keys';
import { albumEvent, artistEvent, at, snapshotEvent, trackEvent } from './support/events';
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

  /** Every order of `events`, each cut into batches, gives `check`'s rows and the same dump. */
  async function inAnyOrder(events: Parameters<typeof observe>[0], check: () => Promise<void>, numRuns = 12): Promise<void> {
    await resetProjection(client());
    await apply([observe(events)]);
    await check();
    const baseline = await dumpLibrary(client());
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (order, seed) => {
        await resetProjection(client());
        await apply(splitRandomly(observe(order), seed, 2));
        await check();
        expect(await dumpLibrary(client())).toBe(baseline);
      }),
      { numRuns },
    );
  }

  it('a merge chain (A~B by ISRC, B~C by MusicBrainz id) in any order is one track named after the MusicBrainz id', async () => {
    const MBID = '00000000-0000-4000-8000-0000000c0ffe';
    const events = [
      trackEvent('spotify', 'ccccccccccccccccccccc7', 'Song', [{ id: 'aaaaaaaaaaaaaaaaaaaaa7', name: 'Nova' }], { isrc: 'GBXYZ2600007', at: at(1) }),
      trackEvent('deezer', '307', 'Song', [{ id: '107', name: 'Nova' }], { isrc: 'GBXYZ2600007', mbid: MBID, at: at(2) }),
      trackEvent('local', 'lc7', 'Song', [{ id: 'la7', name: 'Nova' }], { mbid: MBID, durationMs: 1000, at: at(3) }),
    ];
    await inAnyOrder(events, async () => {
      expect((await client().query('select id, source, spotify_uri, deezer_id, isrc, musicbrainz_id, duration_ms from soulspot_tracks')).rows).toEqual([
        {
          id: entityIdFor('track', `mbid:track:${MBID}`),
          source: 'hybrid',
          spotify_uri: 'spotify:track:ccccccccccccccccccccc7',
          deezer_id: '307',
          isrc: 'GBXYZ2600007',
          musicbrainz_id: MBID,
          duration_ms: 1000,
        },
      ]);
      // the three artists: Spotify and Deezer "Nova" share the ISRC (evidence); the local one shares no ISRC
      expect((await client().query('select source from soulspot_artists order by source')).rows.map((r) => r.source)).toEqual(['hybrid', 'local']);
    });
  });

  it('artist evidence arriving before or after the artists merges same-named artists on one UPC; a homonym elsewhere stays apart', async () => {
    const S = { id: 'aaaaaaaaaaaaaaaaaaaaa8', name: 'Nova' };
    const D = { id: '108', name: 'NOVA' };
    const homonym = { id: 'aaaaaaaaaaaaaaaaaaaab8', name: 'Nova' };
    const events = [
      artistEvent('spotify', S.id, 'Nova', { at: at(1), popularity: 40 }),
      artistEvent('deezer', D.id, 'Nóva', { at: at(2) }),
      artistEvent('spotify', homonym.id, 'Nova', { at: at(1) }),
      albumEvent('spotify', 'bbbbbbbbbbbbbbbbbbbbb8', 'Record', [S], { upc: '1111111111116', at: at(3) }),
      albumEvent('deezer', '208', 'Record', [D], { upc: '1111111111116', at: at(4) }),
      albumEvent('spotify', 'bbbbbbbbbbbbbbbbbbbbc8', 'Elsewhere', [homonym], { upc: '2222222222222', at: at(3) }),
      snapshotEvent('deezer', 'followed_artists', [D.id], { at: at(5) }),
    ];
    await inAnyOrder(events, async () => {
      const artists = (await client().query('select spotify_uri, deezer_id, source, popularity, deezer_followed, is_followed from soulspot_artists order by spotify_uri')).rows;
      expect(artists).toEqual([
        { spotify_uri: `spotify:artist:${S.id}`, deezer_id: D.id, source: 'hybrid', popularity: 40, deezer_followed: true, is_followed: true },
        { spotify_uri: `spotify:artist:${homonym.id}`, deezer_id: null, source: 'spotify', popularity: null, deezer_followed: false, is_followed: false },
      ]);
      expect(Number((await client().query('select count(*) from soulspot_albums')).rows[0].count)).toBe(2);
    });
  });

  it('observed_at ties: provider precedence first (spotify > deezer > local), then the greater event id, in any order', async () => {
    const MBID = '00000000-0000-4000-8000-00000000a009';
    const events = [
      artistEvent('deezer', '109', 'Deezer Name', { mbid: MBID, at: at(5), popularity: 7 }),
      artistEvent('local', 'la9', 'Local Name', { mbid: MBID, at: at(5), popularity: 8 }),
      // two observations of one Spotify key at the same time: the greater event id is the latest
      artistEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaa9', 'Spotify One', { mbid: MBID, at: at(5) }),
      artistEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaa9', 'Spotify Two', { mbid: MBID, at: at(5) }),
    ];
    const [one, two] = observe(events.slice(2));
    const winner = one.eventId > two.eventId ? 'Spotify One' : 'Spotify Two';
    await inAnyOrder(events, async () => {
      // the Spotify observation that lost its key's tie says nothing any more; Deezer fills the popularity it lacks
      expect((await client().query('select name, popularity, source from soulspot_artists')).rows).toEqual([{ name: winner, popularity: 7, source: 'hybrid' }]);
    });
  });

  it('a name with U+0000 (an ID3 value separator / terminator) is projected, not an apply failure that blocks its key', async () => {
    // PostgreSQL text cannot hold U+0000 (jsonb refuses the escape): the batch's state statement failed, so the
    // projector dead-lettered the valid event as 'apply failed' and parked every later event of its key behind it,
    // and a retry re-decodes the same bytes and fails again
    const events = [
      artistEvent('local', 'la0', 'Artist One\u0000Artist Two\u0000', { at: at(1), disambiguation: 'x\u0000', imageUrl: 'https://img/\u0000', genres: ['pop\u0000'] }),
      albumEvent('local', 'lb0', 'Record\u0000', [{ id: 'la0', name: 'Artist One\u0000Artist Two' }], { upc: '1111111111116', at: at(2) }),
      trackEvent('local', 'lc0', 'Song\u0000', [{ id: '', name: 'Guest\u0000' }], { at: at(3) }),
    ];
    await apply([observe(events)]);
    expect((await client().query('select name, disambiguation, image_url from soulspot_artists order by name')).rows).toEqual([
      { name: 'Artist One Artist Two', disambiguation: 'x', image_url: null },
      { name: 'Guest', disambiguation: null, image_url: null },
    ]);
    expect((await client().query('select title from soulspot_albums')).rows).toEqual([{ title: 'Record' }]);
    expect((await client().query('select title from soulspot_tracks')).rows).toEqual([{ title: 'Song' }]);
    // the name-keyed local artist and the UPC evidence use the cleaned name
    const keys = (await client().query(`select identity_key from projection_identity_links order by 1`)).rows.map((r) => r.identity_key);
    expect(keys).toContain('evidence:upc:1111111111116:artist one artist two');
    const members = (await client().query(`select member_key from projection_entity_members order by 1`)).rows.map((r) => r.member_key);
    expect(members).toContain('local:artist:name:guest');
  });
});
