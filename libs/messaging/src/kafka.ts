import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { createLogger, type Logger } from '@soulspot/observability';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger?: Logger;
  /** Extra kafkajs settings (ssl, sasl, timeouts) for real clusters. */
  overrides?: Partial<KafkaConfig>;
}

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs client whose own log lines go through our structured logger (warnings and errors only). */
export function createKafka({ brokers, clientId, logger, overrides }: KafkaOptions): Kafka {
  const log = logger ?? createLogger(clientId);
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[LEVEL_NAMES[level] ?? 'info']({ kafkajs: namespace, ...rest }, message);
      },
    retry: { initialRetryTime: 100, retries: 8 },
    ...overrides,
  });
}

export type { Kafka };
