import { Partitioners, type Kafka, type Producer } from 'kafkajs';

/** A record that could not be applied, as sent to the dead-letter topic. */
export interface DeadLetterRecord {
  key: Buffer | null;
  value: Buffer | null;
  /** Original headers; the publisher adds the dlq-* headers. */
  headers: Record<string, string>;
  source: { topic: string; partition: number; offset: bigint };
  error: string;
}

export interface DeadLetterPublisher {
  /** Resolves when the broker acknowledged every record (acks=all). */
  publish(records: DeadLetterRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** Header names describing where a dead letter came from and why. */
export const DLQ_HEADERS = {
  error: 'dlq-error',
  topic: 'dlq-source-topic',
  partition: 'dlq-source-partition',
  offset: 'dlq-source-offset',
} as const;

/**
 * Publishes unprocessable records to a dead-letter topic, keeping key and value byte for byte so that a fixed
 * consumer can re-read them. Idempotent producer: a retried send is stored once.
 */
export async function createDeadLetterPublisher(kafka: Kafka, topic: string): Promise<DeadLetterPublisher> {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    async publish(records) {
      if (records.length === 0) return;
      await producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({
          key: r.key,
          value: r.value,
          headers: {
            ...r.headers,
            [DLQ_HEADERS.error]: r.error.slice(0, 1000),
            [DLQ_HEADERS.topic]: r.source.topic,
            [DLQ_HEADERS.partition]: String(r.source.partition),
            [DLQ_HEADERS.offset]: r.source.offset.toString(),
          },
        })),
      });
    },
    async disconnect() {
      await producer.disconnect();
    },
  };
}
