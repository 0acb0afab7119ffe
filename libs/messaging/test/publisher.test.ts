import { decodeEnvelope, LIBRARY_EVENTS_TOPIC } from '@soulspot/contracts';
import { provisionKafka, type ProvisionedKafka } from '@soulspot/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventPublisher, createKafka, ensureTopics, topicEndOffsets } from '../src/index';
import { artistEvent } from './artist-event';

describe('event publisher (embedded broker over TCP)', () => {
  let kafka: ProvisionedKafka;
  beforeAll(async () => {
    kafka = await provisionKafka();
  });
  afterAll(() => kafka?.stop());

  it('creates topics once and publishes keyed events that decode back, in order per key', async () => {
    const client = createKafka({ brokers: kafka.brokers, clientId: 'publisher-test' });
    await ensureTopics(client, [{ topic: LIBRARY_EVENTS_TOPIC, numPartitions: 4, configEntries: { 'retention.ms': '-1' } }]);
    await ensureTopics(client, [{ topic: LIBRARY_EVENTS_TOPIC, numPartitions: 4 }]); // idempotent

    const events = Array.from({ length: 250 }, (_, i) => artistEvent(String(i % 10), `name ${i}`));
    const publisher = await createEventPublisher(client, { chunkSize: 40 });
    await publisher.publish(events);
    await publisher.disconnect();
    expect(publisher.published).toBe(250);

    const ends = await topicEndOffsets(client, LIBRARY_EVENTS_TOPIC);
    expect([...ends.values()].reduce((a, b) => a + b, 0n)).toBe(250n);

    const consumer = client.consumer({ groupId: 'publisher-test-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: LIBRARY_EVENTS_TOPIC, fromBeginning: true });
    const seen = new Map<string, string[]>();
    let count = 0;
    await new Promise<void>((done) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const envelope = decodeEnvelope(message.value);
          const key = message.key!.toString();
          expect(message.headers?.['event-id']?.toString()).toBe(envelope.eventId);
          const name = envelope.payload?.$case === 'artistObserved' ? envelope.payload.value.artist!.name : '';
          seen.set(key, [...(seen.get(key) ?? []), name]);
          if (++count === 250) done();
        },
      });
    });
    await consumer.disconnect();
    const expected = new Map<string, string[]>();
    for (const event of events) {
      const name = event.envelope.payload?.$case === 'artistObserved' ? event.envelope.payload.value.artist!.name : '';
      expected.set(event.key, [...(expected.get(event.key) ?? []), name]);
    }
    expect(seen).toEqual(expected);
  });

  it('publishes bare records (key, value, headers) without a decoded envelope', async () => {
    const client = createKafka({ brokers: kafka.brokers, clientId: 'publisher-test-records' });
    const topic = 'publisher-test.records';
    await ensureTopics(client, [{ topic, numPartitions: 2 }]);
    const records = Array.from({ length: 30 }, (_, i) => {
      const { key, value, headers } = artistEvent(`r${i}`, `record ${i}`);
      return { key, value, headers };
    });
    const publisher = await createEventPublisher(client, { topic, chunkSize: 7 });
    await publisher.publish(records);
    await publisher.disconnect();
    expect(publisher.published).toBe(30);
    const ends = await topicEndOffsets(client, topic);
    expect([...ends.values()].reduce((a, b) => a + b, 0n)).toBe(30n);
  });

  it("with the int32-murmur2 partitioner, puts every key on the partition kafkajs's default partitioner chooses", async () => {
    const client = createKafka({ brokers: kafka.brokers, clientId: 'publisher-test-partitioner' });
    const topics = { fast: 'publisher-test.int32-murmur2', reference: 'publisher-test.default-partitioner' };
    await ensureTopics(client, [{ topic: topics.fast, numPartitions: 5 }, { topic: topics.reference, numPartitions: 5 }]);
    const events = Array.from({ length: 60 }, (_, i) => artistEvent(`p${i}`, `partitioned ${i}`));
    for (const [topic, partitioner] of [[topics.fast, 'int32-murmur2'], [topics.reference, 'default']] as const) {
      const publisher = await createEventPublisher(client, { topic, partitioner });
      await publisher.publish(events);
      await publisher.disconnect();
    }
    const fast = await topicEndOffsets(client, topics.fast);
    const reference = await topicEndOffsets(client, topics.reference);
    expect([...fast.values()].reduce((a, b) => a + b, 0n)).toBe(60n);
    expect(fast).toEqual(reference);
  });
});
