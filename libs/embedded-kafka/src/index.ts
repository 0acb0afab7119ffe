/**
 * @soulspot/embedded-kafka — a single-node broker speaking the Kafka wire protocol (kafkajs, librdkafka and
 * kafka-python compatible API versions), in memory or durable in a data directory.
 */
export { startBroker, type BrokerOptions, type RunningBroker } from './broker/start.js';
export type { BrokerLogger } from './broker/logger.js';
export type { LogStore, PartitionLog, StoredOffset } from './log/partition-log.js';
export { MemoryLogStore } from './log/memory-log.js';
