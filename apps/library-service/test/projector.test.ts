import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventEnvelope, Origin, Provider, encodeEnvelope } from '@soulspot/contracts';
import { createLogger } from '@soulspot/observability';
import { startProjector, type Projector } from '../src/projection';
import { dumpLibrary, libraryCounts } from './support/dump';
import { at, trackEvent } from './support/events';
import { startStack, waitUntilCaughtUp, type Stack } from './support/harness';
import { generateLibrary } from './support/library-generator';

const logger = createLogger('projector-test');

function projectorFor(stack: Stack, extra: { groupId?: string; yieldsToRebuild?: boolean } = {}): Promise<Projector> {
  return startProjector({
    databaseUrl: stack.db.url,
    brokers: stack.kafka.brokers,
    topic: stack.topic,
    dlqTopic: stack.dlqTopic,
    projection: 'library',
    groupId: extra.groupId ?? 'projector-test',
    maxBytesPerPartition: 16 * 1024,
    yieldsToRebuild: extra.yieldsToRebuild,
    logger,
  });
}

describe('projector over the broker: idempotent replay', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('library-events-idempotence', 4);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('replaying the whole topic from offset 0 over the live tables leaves a byte-identical dump', async () => {
    const events = [...generateLibrary({ artists: 30, albumsPerArtist: 2, tracksPerAlbum: 4, overlap: 0.4, seed: 11, twists: true })];
    await stack.publish(events);
    let projector = await projectorFor(stack);
    await waitUntilCaughtUp(projector);
    const first = await dumpLibrary(stack.sql);
    const counts = await libraryCounts(stack.sql);
    expect(counts.tracks).toBeGreaterThan(200);
    expect(counts.hybrid).toBeGreaterThan(0);
    expect((await projector.status()).eventsApplied).toBe(events.length);
    await projector.stop();

    // forget the checkpoints (Kafka's committed offsets stay ahead; the database decides) and replay everything
    await stack.sql.query('delete from projection_checkpoints');
    const changesBefore = (await stack.sql.query('select count(*)::int as n from projection_changes')).rows[0].n;
    const links = async () =>
      (await stack.sql.query('select count(*)::int as n, count(distinct (identity_key, member_key))::int as distinct_n from projection_identity_links')).rows[0];
    const linksBefore = await links();
    expect(linksBefore.n).toBeGreaterThan(counts.tracks);
    expect(linksBefore.distinct_n).toBe(linksBefore.n);
    projector = await projectorFor(stack);
    await waitUntilCaughtUp(projector);
    expect((await projector.status()).eventsApplied).toBe(events.length);
    await projector.stop();
    expect(await dumpLibrary(stack.sql)).toBe(first);
    expect((await stack.sql.query('select count(*)::int as n from projection_changes')).rows[0].n).toBe(changesBefore);
    // links have no uniqueness constraint: the replay must not have inserted any again
    expect(await links()).toEqual(linksBefore);
  });
});

describe('projector over the broker: poison events', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('library-events-poison', 1);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('dead-letters corrupt, unknown and invalid events with the reason, parks later events of the key, projects the rest', async () => {
    const artist = [{ id: '4tZwfgrHOc3mvqYlEYSvVi', name: 'Daft Punk' }];
    const good1 = trackEvent('spotify', '0DiWol3AO6WpXZgp0goxAV', 'One More Time', artist, { at: at(1) });
    const corrupt = { key: 'spotify:track:corruptcorruptcorrupt00', value: Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]), headers: {} };
    // a payload type this version does not know: an envelope whose oneof field number is not in the contract
    const known = encodeEnvelope(
      EventEnvelope.fromPartial({
        eventId: '7d5e1f0a-1111-5222-8333-444455556666',
        observedAt: at(2),
        provider: Provider.PROVIDER_SPOTIFY,
        origin: Origin.ORIGIN_LIVE_SYNC,
      }),
    );
    const unknownPayload = { key: 'spotify:playlist:37i9dQZF1DXcBWIGoYBM5M', value: Buffer.concat([known, Buffer.from([0x72, 0x02, 0x08, 0x01])]), headers: {} };
    const badIsrc = trackEvent('spotify', '1111111111111111111111', 'Bad ISRC', artist, { isrc: 'XX-NOT-AN-ISRC', at: at(3) });
    const laterSameKey = trackEvent('spotify', '1111111111111111111111', 'Fixed later', artist, { isrc: 'GBDUA0000002', at: at(4) });
    const good2 = trackEvent('spotify', '2222222222222222222222', 'Aerodynamic', artist, { at: at(5) });
    await stack.publish([good1, corrupt, unknownPayload, badIsrc, laterSameKey, good2]);

    const projector = await projectorFor(stack);
    try {
      await waitUntilCaughtUp(projector);
      const dead = (
        await stack.sql.query(`select "offset"::int as offset, key, error, status from projection_dead_letters order by "offset"`)
      ).rows;
      expect(dead).toEqual([
        { offset: 1, key: corrupt.key, error: expect.stringMatching(/^undecodable: not protobuf/), status: 'dead' },
        { offset: 2, key: unknownPayload.key, error: 'undecodable: unknown or missing payload type', status: 'dead' },
        { offset: 3, key: badIsrc.key, error: expect.stringMatching(/^invalid: invalid isrc/), status: 'dead' },
      ]);
      const parked = (await stack.sql.query(`select "offset"::int as offset, key from projection_parked_events`)).rows;
      expect(parked).toEqual([{ offset: 4, key: laterSameKey.key }]);
      const titles = (await stack.sql.query(`select title from soulspot_tracks order by title`)).rows.map((r) => r.title);
      expect(titles).toEqual(['Aerodynamic', 'One More Time']);
      const status = await projector.status();
      expect(status).toMatchObject({ caughtUp: true, openDeadLetters: 3, openParked: 1, deadLettered: 3, parked: 1 });

      // the DLQ topic got the same three records, byte for byte, with the reason in a header
      const dlqRecords = await readTopic(stack, stack.dlqTopic, 3);
      expect(dlqRecords.map((r) => r.key)).toEqual([corrupt.key, unknownPayload.key, badIsrc.key]);
      expect(dlqRecords[0].value.equals(corrupt.value)).toBe(true);
      expect(dlqRecords[2].headers['dlq-error']).toMatch(/invalid isrc/);
      expect(dlqRecords[2].headers['dlq-source-offset']).toBe('3');

      // retrying without a fix changes nothing: the key stays blocked
      expect(await projector.retryDeadLetters([])).toEqual({ resolved: 0, stillFailing: 3 });
      expect((await stack.sql.query(`select count(*)::int as n from projection_parked_events`)).rows[0].n).toBe(1);

      // an operator repairs the stored event (stands in for a code fix); retry applies it, then the parked event
      const repaired = trackEvent('spotify', '1111111111111111111111', 'Bad ISRC', artist, { isrc: 'GBDUA0000001', at: at(3) });
      await stack.sql.query(`update projection_dead_letters set payload = $1 where "offset" = 3`, [repaired.value]);
      const [{ id }] = (await stack.sql.query(`select id::text from projection_dead_letters where "offset" = 3`)).rows;
      expect(await projector.retryDeadLetters([id])).toEqual({ resolved: 2, stillFailing: 0 });
      const fixed = (await stack.sql.query(`select title, isrc from soulspot_tracks where spotify_uri = 'spotify:track:1111111111111111111111'`)).rows;
      expect(fixed).toEqual([{ title: 'Fixed later', isrc: 'GBDUA0000002' }]);
      expect((await stack.sql.query(`select count(*)::int as n from projection_parked_events`)).rows[0].n).toBe(0);
      expect((await projector.status()).openDeadLetters).toBe(2);
    } finally {
      await projector.stop();
    }
  });
});

async function readTopic(stack: Stack, topic: string, count: number) {
  const consumer = stack.client.consumer({ groupId: `reader-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const records: { key: string; value: Buffer; headers: Record<string, string> }[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${records.length} records on ${topic}`)), 20_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        records.push({
          key: message.key!.toString(),
          value: message.value!,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
        if (records.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return records;
}

describe('live projector and a blue/green rebuild run by another process', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('library-events-hold', 2);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const applied = async () => Number((await stack.sql.query('select coalesce(sum(next_offset), 0) as n from projection_checkpoints')).rows[0].n);

  it('applies nothing while the rebuild catches up and swaps, then goes on; a shadow projector is never held', async () => {
    const events = [...generateLibrary({ artists: 4, albumsPerArtist: 1, tracksPerAlbum: 2, overlap: 0, seed: 3, twists: false })];
    // what another replica's controller records before it pauses its own live projector
    await stack.sql.query(
      `insert into projection_rebuilds (projection, mode, phase, consumer_group, target_offsets) values ('library', 'blue_green', 'catching_up', 'elsewhere', '{}')`,
    );
    await stack.publish(events);
    const live = await projectorFor(stack, { groupId: 'hold-live', yieldsToRebuild: true });
    try {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await applied()).toBe(0);
      await stack.sql.query(`update projection_rebuilds set phase = 'done'`);
      await waitUntilCaughtUp(live);
      expect(await applied()).toBe(events.length);
    } finally {
      await live.stop();
    }
    // the same hold does not apply to a projector that is not the live one (a rebuild's shadow)
    await stack.sql.query(`update projection_rebuilds set phase = 'catching_up'`);
    await stack.sql.query('delete from projection_checkpoints');
    const shadowLike = await projectorFor(stack, { groupId: 'hold-shadow' });
    try {
      await waitUntilCaughtUp(shadowLike);
      expect(await applied()).toBe(events.length);
    } finally {
      await shadowLike.stop();
      await stack.sql.query(`update projection_rebuilds set phase = 'cancelled'`);
    }
  });
});
