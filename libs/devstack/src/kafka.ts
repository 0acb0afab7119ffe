import { containerRuntimeAvailable } from './container-runtime';
import { freePort } from './free-port';
import { trackForShutdown } from './shutdown';

export interface ProvisionedKafka {
  brokers: string[];
  mode: 'env' | 'container' | 'embedded';
  stop(): Promise<void>;
}

export const KAFKA_IMAGE_ENV = 'DEVSTACK_KAFKA_IMAGE';
const DEFAULT_KAFKA_IMAGE = 'docker.redpanda.com/redpandadata/redpanda:v24.2.7';

/**
 * A Kafka-protocol broker: KAFKA_BROKERS when set, else a Redpanda container when a container runtime answers,
 * else the project's embedded broker (libs/embedded-kafka) on 127.0.0.1 and a random port, in memory.
 */
export async function provisionKafka(options: { dataDir?: string; defaultPartitions?: number } = {}): Promise<ProvisionedKafka> {
  const fromEnv = process.env.KAFKA_BROKERS;
  if (fromEnv) {
    return { brokers: fromEnv.split(',').map((b) => b.trim()).filter(Boolean), mode: 'env', stop: async () => undefined };
  }
  if (await containerRuntimeAvailable()) return redpandaContainer();
  const { startBroker } = await import('@soulspot/embedded-kafka');
  const broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir: options.dataDir, defaultPartitions: options.defaultPartitions });
  return { brokers: broker.brokers, mode: 'embedded', stop: trackForShutdown(() => broker.stop()) };
}

async function redpandaContainer(): Promise<ProvisionedKafka> {
  const { GenericContainer, Wait } = await import('testcontainers');
  // Kafka clients connect to the address the broker advertises, so the container listens on the same port
  // number it is published on, and advertises exactly that.
  const port = await freePort();
  const container = await new GenericContainer(process.env[KAFKA_IMAGE_ENV] ?? DEFAULT_KAFKA_IMAGE)
    .withExposedPorts({ container: port, host: port })
    .withCommand([
      'redpanda', 'start', '--mode', 'dev-container', '--smp', '1', '--overprovisioned',
      '--kafka-addr', `PLAINTEXT://0.0.0.0:${port}`,
      '--advertise-kafka-addr', `PLAINTEXT://127.0.0.1:${port}`,
    ])
    .withWaitStrategy(Wait.forLogMessage(/Successfully started Redpanda/))
    .start();
  return {
    brokers: [`127.0.0.1:${port}`],
    mode: 'container',
    stop: trackForShutdown(async () => {
      await container.stop();
    }),
  };
}
