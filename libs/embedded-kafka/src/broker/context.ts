/** What every API handler sees: broker configuration and state, plus the request's connection details. */
import type { LogStore } from '../log/partition-log.js';
import type { RequestHeader } from '../protocol/frame.js';
import type { GroupCoordinator } from './group-coordinator.js';
import type { BrokerLogger } from './logger.js';
import type { TopicTable } from './topics.js';

export interface BrokerConfig {
  nodeId: number;
  /** Advertised host and port (what clients reconnect to). */
  host: string;
  port: number;
  clusterId: string;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  /** message.max.bytes: largest record batch accepted. */
  maxMessageBytes: number;
  /** fetch.max.bytes: most record bytes one Fetch response carries, whatever the client's max_bytes. */
  fetchMaxBytes: number;
  /** group.min/max.session.timeout.ms */
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
}

export interface BrokerState {
  readonly config: BrokerConfig;
  readonly topics: TopicTable;
  readonly groups: GroupCoordinator;
  readonly store: LogStore;
  readonly logger: BrokerLogger;
  /** Fresh idempotent producer id. */
  nextProducerId(): bigint;
  /** Set once stop() begins: parked requests answer at once. */
  readonly stopping: boolean;
  /** Registers a cleanup run when the broker stops (parked fetch timers). */
  onStop(fn: () => void): () => void;
}

export interface RequestContext {
  readonly broker: BrokerState;
  readonly header: RequestHeader;
  readonly version: number;
  readonly clientHost: string;
}

/** Returned by a handler when Kafka would close the connection instead of answering (failed acks=0 produce). */
export const CLOSE_CONNECTION = Symbol('close-connection');

/** What a handler produces: the response body, null for "no response" (acks=0 produce), or CLOSE_CONNECTION. */
export type HandlerResult<Res> = Res | null | typeof CLOSE_CONNECTION;

export type Handler<Req, Res> = (ctx: RequestContext, request: Req) => Promise<HandlerResult<Res>> | HandlerResult<Res>;
