import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@soulspot/observability';
import { startProjector } from '../src/projection';
import { artistEvent, at, snapshotEvent, trackEvent } from './support/events';
import { startStack, waitUntilCaughtUp, type Stack } from './support/harness';

const logger = createLogger('projection-review-poison-bytes');

/*
 * PostgreSQL text and jsonb cannot hold U+0000, and Kafka keys and header values are arbitrary bytes. A record whose
 * key or header carries a NUL byte is poison (no valid payload key contains one), and poison must end in the dead
 * letters without holding up the partition.
 */
describe('records whose key or headers PostgreSQL cannot store as text', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('library-events-nul-bytes', 1);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('are dead-lettered and the rest of the partition is projected', async () => {
    const artist = [{ id: '4tZwfgrHOc3mvqYlEYSvVi', name: 'Daft Punk' }];
    const good1 = trackEvent('spotify', '0DiWol3AO6WpXZgp0goxAV', 'One More Time', artist, { at: at(1) });
    const good2 = trackEvent('spotify', '2222222222222222222222', 'Aerodynamic', artist, { at: at(2) });
    const good3 = trackEvent('spotify', '3333333333333333333333', 'Digital Love', artist, { at: at(3) });
    const nulKey = { key: 'spotify:track:nul\u0000key', value: good2.value, headers: {} };
    const nulHeader = { key: good3.key, value: good3.value, headers: { ...good3.headers, 'x-note': 'a\u0000b' } };
    const good4 = trackEvent('spotify', '4444444444444444444444', 'Harder, Better', artist, { at: at(4) });
    // a later record of the same key in the same batch
    const nulKeyAgain = { key: nulKey.key, value: good4.value, headers: { 'event-id': 'x\u0000' } };
    // a key too long for a B-tree index entry (incompressible): no event key is longer than a provider key
    const longKey = { key: `spotify:track:${randomBytes(6_000).toString('base64')}`, value: good1.value, headers: {} };
    await stack.publish([good1, nulKey, good2, nulHeader, good4, nulKeyAgain, longKey]);

    const projector = await startProjector({
      databaseUrl: stack.db.url,
      brokers: stack.kafka.brokers,
      topic: stack.topic,
      dlqTopic: stack.dlqTopic,
      projection: 'library',
      groupId: 'nul-bytes',
      logger,
    });
    try {
      await waitUntilCaughtUp(projector, 45_000);
      const titles = (await stack.sql.query('select title from soulspot_tracks order by title')).rows.map((r) => r.title);
      // the record with the NUL header is a valid event: its headers are metadata, not the event
      expect(titles).toEqual(['Aerodynamic', 'Digital Love', 'Harder, Better', 'One More Time']);
      const dead = (await stack.sql.query(`select "offset"::int as offset, key, error from projection_dead_letters order by "offset"`)).rows;
      const mismatch = expect.stringMatching(/^key "spotify:track:nul\\u0000key" is not the payload's key/);
      expect(dead).toEqual([
        { offset: 1, key: null, error: mismatch },
        { offset: 5, key: null, error: mismatch },
        { offset: 6, key: null, error: expect.stringMatching(/^key "spotify:track:.{8000,}" is not the payload's key/) },
      ]);
      expect((await projector.status()).openDeadLetters).toBe(3);
      // a retry finds them still poison, and fails no statement doing so
      expect(await projector.retryDeadLetters([])).toEqual({ resolved: 0, stillFailing: 3 });
    } finally {
      await projector.stop();
    }
  }, 120_000);
});

/*
 * A snapshot is the whole listing at its time; each later one replaces it. One listed id that no entity can have (a
 * blank id, one with whitespace, too long) used to make the whole snapshot poison: dead-lettered, and every later
 * snapshot of that listing parked behind it, for good (retrying it fails again), so nobody's follows or saves on
 * that provider changed any more.
 */
describe('a library snapshot listing an id no entity can have', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('library-events-snapshot-ids', 1);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('applies to the other ids, and later snapshots of the listing apply', async () => {
    const air = artistEvent('spotify', 'dddddddddddddddddddddd', 'Air', { at: at(1) });
    const daftPunk = artistEvent('spotify', '4tZwfgrHOc3mvqYlEYSvVi', 'Daft Punk', { at: at(1) });
    const withBadId = snapshotEvent('spotify', 'followed_artists', ['dddddddddddddddddddddd', '4tZwfgrHOc3mvqYlEYSvVi', ' bad id '], { at: at(2) });
    // the user unfollows Air
    const later = snapshotEvent('spotify', 'followed_artists', ['4tZwfgrHOc3mvqYlEYSvVi'], { at: at(3) });
    await stack.publish([air, daftPunk, withBadId, later]);

    const projector = await startProjector({
      databaseUrl: stack.db.url,
      brokers: stack.kafka.brokers,
      topic: stack.topic,
      dlqTopic: stack.dlqTopic,
      projection: 'library',
      groupId: 'snapshot-ids',
      logger,
    });
    try {
      await waitUntilCaughtUp(projector, 45_000);
      const followed = (await stack.sql.query('select name, is_followed, spotify_followed from soulspot_artists order by name')).rows;
      expect(followed).toEqual([
        { name: 'Air', is_followed: false, spotify_followed: false },
        { name: 'Daft Punk', is_followed: true, spotify_followed: true },
      ]);
      expect((await projector.status()).openDeadLetters).toBe(0);
      expect((await projector.status()).openParked).toBe(0);
    } finally {
      await projector.stop();
    }
  }, 120_000);
});
