import { provisionKafka } from './kafka';
import { provisionPostgres } from './postgres';

/** A PostgreSQL database and a Kafka-protocol broker, provisioned together (see provisionPostgres, provisionKafka). */
export interface ProvisionedStack {
  databaseUrl: string;
  brokers: string[];
  stop(): Promise<void>;
}

/**
 * Starts both side by side, then runs `prepare` on the database (the schema migrations, for instance). If anything
 * fails, what did start is stopped before the error is thrown.
 */
export async function provisionStack(options: { prepare?: (databaseUrl: string) => Promise<unknown> } = {}): Promise<ProvisionedStack> {
  const [postgres, kafka] = await Promise.allSettled([provisionPostgres(), provisionKafka()]);
  const stop = async () => {
    await Promise.allSettled([kafka, postgres].map((started) => (started.status === 'fulfilled' ? started.value.stop() : undefined)));
  };
  try {
    if (postgres.status === 'rejected') throw postgres.reason;
    if (kafka.status === 'rejected') throw kafka.reason;
    await options.prepare?.(postgres.value.url);
    return { databaseUrl: postgres.value.url, brokers: kafka.value.brokers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
