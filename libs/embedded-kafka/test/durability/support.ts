/** Helpers for the durability tests: kafkajs clients against a broker, and consuming a topic completely. */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

export function tempDataDir(): string {
  return fs.mkdtempSync(join(tmpdir(), 'ek-durable-'));
}

export function client(brokers: string[]): Kafka {
  return new Kafka({ brokers, clientId: 'durability-test', logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 50 } });
}

export interface ConsumedRecord {
  partition: number;
  offset: bigint;
  key: string | null;
  value: string | null;
}

/** Consumes with a consumer group until `count` records arrived (or fails after timeoutMs); returns them in order per partition. */
export async function consume(
  kafka: Kafka,
  topic: string,
  count: number,
  options: { groupId?: string; fromBeginning?: boolean; timeoutMs?: number } = {},
): Promise<{ records: ConsumedRecord[]; consumer: Consumer }> {
  const consumer = kafka.consumer({ groupId: options.groupId ?? `reader-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
  const records: ConsumedRecord[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${records.length} of ${count} records from ${topic}`)), options.timeoutMs ?? 45_000);
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            records.push({ partition: batch.partition, offset: BigInt(m.offset), key: m.key?.toString() ?? null, value: m.value?.toString() ?? null });
          }
          if (records.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  return { records, consumer };
}

export function byPartitionAndOffset(a: ConsumedRecord, b: ConsumedRecord): number {
  return a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0);
}
