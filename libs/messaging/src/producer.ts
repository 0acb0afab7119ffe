import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { LIBRARY_EVENTS_TOPIC, type KafkaEvent } from '@soulspot/contracts';
import { Int32Murmur2Partitioner } from './partitioner';

export interface PublisherOptions {
  topic?: string;
  /** Events per produce request; publish() never has more than one chunk in flight, so memory stays bounded. */
  chunkSize?: number;
  compression?: 'none' | 'gzip';
  /**
   * 'int32-murmur2': the same partition per key as kafkajs's default (Java-compatible murmur2) partitioner, computed
   * without its per-key Long allocations (partitioner.ts) — for producers that publish millions of events.
   */
  partitioner?: 'default' | 'int32-murmur2';
}

/**
 * What publish() sends of an event: key, protobuf value, headers. A KafkaEvent is one; a producer on a hot path
 * (the migrator's replay) may pass records without the decoded envelope, so pages awaiting acknowledgement stay small.
 */
export type EventRecord = Pick<KafkaEvent, 'key' | 'value' | 'headers'>;

export interface EventPublisher {
  /** Resolves once the broker acknowledged (acks=all) every event, in order per key. */
  publish(events: readonly EventRecord[]): Promise<void>;
  readonly published: number;
  disconnect(): Promise<void>;
}

/**
 * Keyed, idempotent producer for library events. Idempotence (producer id + sequence numbers) means a retried
 * request after a lost acknowledgement is stored once; with one request in flight per connection the per-key
 * order is the publish order.
 */
export async function createEventPublisher(kafka: Kafka, options: PublisherOptions = {}): Promise<EventPublisher> {
  const topic = options.topic ?? LIBRARY_EVENTS_TOPIC;
  const chunkSize = options.chunkSize ?? 1000;
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // (named even when it is kafkajs's default: a producer without one logs a partitioner-change warning at start)
    createPartitioner: options.partitioner === 'int32-murmur2' ? Int32Murmur2Partitioner : Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  let published = 0;
  return {
    get published() {
      return published;
    },
    async publish(events) {
      for (let start = 0; start < events.length; start += chunkSize) {
        const chunk = events.slice(start, start + chunkSize);
        await producer.send({
          topic,
          acks: -1,
          compression,
          messages: chunk.map((event) => ({ key: event.key, value: event.value, headers: event.headers })),
        });
        published += chunk.length;
      }
    },
    async disconnect() {
      await producer.disconnect();
    },
  };
}
