import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import pg from 'pg';
import { LIBRARY_EVENTS_DLQ_TOPIC, type KafkaEvent } from '@soulspot/contracts';
import { provisionKafka, provisionPostgres, type ProvisionedKafka, type ProvisionedPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { createEventPublisher, createKafka, ensureTopics, type Kafka } from '@soulspot/messaging';
import { createLogger } from '@soulspot/observability';
import type { Projector } from '../../src/projection';

/** PostgreSQL (migrated) + a Kafka broker over TCP + a topic, for projector integration tests. */
export interface Stack {
  db: ProvisionedPostgres;
  kafka: ProvisionedKafka;
  client: Kafka;
  sql: pg.Client;
  topic: string;
  dlqTopic: string;
  publish(events: Array<Pick<KafkaEvent, 'key' | 'value' | 'headers'>>): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(topic: string, partitions: number): Promise<Stack> {
  const [db, kafka] = await Promise.all([provisionPostgres(), provisionKafka()]);
  await migrateUp(db.url);
  const client = createKafka({ brokers: kafka.brokers, clientId: 'projector-test', logger: createLogger('test-kafka') });
  const dlqTopic = `${topic}.dlq`;
  await ensureTopics(client, [
    { topic, numPartitions: partitions },
    { topic: dlqTopic, numPartitions: 1 },
  ]);
  const publisher = await createEventPublisher(client, { topic });
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  return {
    db,
    kafka,
    client,
    sql,
    topic,
    dlqTopic,
    publish: (events) => publisher.publish(events as KafkaEvent[]),
    async stop() {
      await publisher.disconnect().catch(() => undefined);
      await sql.end().catch(() => undefined);
      await kafka.stop();
      await db.stop();
    },
  };
}

const WORKSPACE = resolve(import.meta.dirname, '../../../..');

/** The service's entry module: in a worker or child it starts the projector it was started for instead of the service. */
export const SERVICE_ENTRY = new URL('../../src/main.ts', import.meta.url);

/**
 * The real library-service entry point as its own process on `stack` (so SIGKILL is a real crash), from its
 * TypeScript sources, serving gRPC on a port of the OS's choosing; `env` adds or overrides variables.
 */
export function spawnLibraryService(stack: Stack, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'apps/library-service/src/main.ts'], {
    cwd: WORKSPACE,
    env: {
      ...process.env,
      DATABASE_URL: stack.db.url,
      KAFKA_BROKERS: stack.kafka.brokers.join(','),
      KAFKA_TOPIC: stack.topic,
      KAFKA_DLQ_TOPIC: stack.dlqTopic,
      GRPC_PORT: '0',
      GRPC_HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Polls until the projector has applied every partition up to its end, or fails after `timeoutMs`. */
export async function waitUntilCaughtUp(projector: Pick<Projector, 'status'>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await projector.status();
    if (status.caughtUp) return;
    if (Date.now() > deadline) throw new Error(`projection not caught up: ${JSON.stringify(status.partitions)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export { LIBRARY_EVENTS_DLQ_TOPIC };
