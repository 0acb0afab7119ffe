/** startBroker(): wires the log store, topic table, group coordinator and TCP server together. */
import type { LogStore } from '../log/partition-log.js';
import { MemoryLogStore } from '../log/memory-log.js';
import { DEFAULT_MAX_REQUEST_BYTES, listen } from '../server.js';
import type { BrokerConfig, BrokerState } from './context.js';
import { GroupCoordinator } from './group-coordinator.js';
import { silentLogger, type BrokerLogger } from './logger.js';
import { TopicTable } from './topics.js';

export interface BrokerOptions {
  /** 0 (default) = an OS-assigned port. */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Address clients are told to connect to (Metadata, FindCoordinator); default: host, or 127.0.0.1 for a wildcard bind. */
  advertisedHost?: string;
  /** Durable log + committed offsets in this directory; omitted = in memory. */
  dataDir?: string;
  autoCreateTopics?: boolean;
  /** Partitions of auto-created topics and of CreateTopics with -1. */
  defaultPartitions?: number;
  /** message.max.bytes: the largest record batch accepted (default 1 MiB + batch overhead, as Kafka). */
  maxMessageBytes?: number;
  /** fetch.max.bytes: the most record bytes one Fetch response carries, whatever the client asks for (default 55 MiB, as Kafka). */
  fetchMaxBytes?: number;
  /** socket.request.max.bytes: larger frames close the connection (default 100 MiB). */
  maxRequestBytes?: number;
  logger?: BrokerLogger;
  /** Storage to use instead of the memory / file store (tests, embedding). */
  store?: LogStore;
}

export interface RunningBroker {
  /** Bootstrap addresses, e.g. ["127.0.0.1:39111"]. */
  brokers: string[];
  port: number;
  stop(): Promise<void>;
}

const KAFKA_DEFAULT_MESSAGE_MAX_BYTES = 1024 * 1024 + 12;
const KAFKA_DEFAULT_FETCH_MAX_BYTES = 55 * 1024 * 1024;
const CLUSTER_ID = 'soulspot-embedded-kafka';

async function openStore(options: BrokerOptions): Promise<LogStore> {
  if (options.store) return options.store;
  if (!options.dataDir) return new MemoryLogStore();
  // Loaded on demand so in-memory brokers (most tests) do not pay for the file store.
  const { createFileLogStore } = await import('../log/file-log.js');
  return createFileLogStore(options.dataDir);
}

export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const host = options.host ?? '127.0.0.1';
  const advertisedHost = options.advertisedHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const logger = options.logger ?? silentLogger;
  const store = await openStore(options);
  const topics = new TopicTable(store);
  const groups = new GroupCoordinator(store);
  await topics.loadExisting();
  await groups.load();

  // Producer ids must not repeat across restarts on the same dataDir (stored batches carry them):
  // start from the clock, in ms, shifted to leave room for many ids per millisecond.
  let nextProducerId = BigInt(Date.now()) << 12n;
  const stopHooks = new Set<() => void>();
  let stopping = false;
  const config: BrokerConfig = {
    nodeId: 0,
    host: advertisedHost,
    port: 0, // set once listening
    clusterId: CLUSTER_ID,
    autoCreateTopics: options.autoCreateTopics ?? true,
    defaultPartitions: options.defaultPartitions ?? 1,
    maxMessageBytes: options.maxMessageBytes ?? KAFKA_DEFAULT_MESSAGE_MAX_BYTES,
    fetchMaxBytes: options.fetchMaxBytes ?? KAFKA_DEFAULT_FETCH_MAX_BYTES,
    minSessionTimeoutMs: 1000,
    maxSessionTimeoutMs: 30 * 60 * 1000,
  };
  const state: BrokerState = {
    config,
    topics,
    groups,
    store,
    logger,
    nextProducerId: () => nextProducerId++,
    get stopping() {
      return stopping;
    },
    onStop(fn) {
      stopHooks.add(fn);
      return () => stopHooks.delete(fn);
    },
  };
  const server = await listen(host, options.port ?? 0, state, options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES);
  config.port = server.port;
  const address = `${advertisedHost.includes(':') ? `[${advertisedHost}]` : advertisedHost}:${server.port}`;
  logger.info({ address, dataDir: options.dataDir ?? null }, 'embedded kafka broker listening');

  let stopped: Promise<void> | null = null;
  return {
    brokers: [address],
    port: server.port,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        for (const fn of [...stopHooks]) fn();
        groups.shutdown();
        await server.close();
        await store.close();
        logger.info({ address }, 'embedded kafka broker stopped');
      })()),
  };
}
