/**
 * Fetch (key 1), v4-11. v5 log start offset, v7 fetch sessions (we always answer session 0 = full fetches),
 * v9 current leader epoch, v11 rack id / preferred read replica (always -1).
 */
import { array, defineApi, field } from '../schema.js';

export const FetchApi = defineApi({
  key: 1,
  name: 'Fetch',
  versions: '4-11',
  request: [
    field('replicaId', 'int32'),
    field('maxWaitMs', 'int32'),
    field('minBytes', 'int32'),
    field('maxBytes', 'int32', '3+', { default: 0x7fffffff }),
    field('isolationLevel', 'int8', '4+'),
    field('sessionId', 'int32', '7+'),
    field('sessionEpoch', 'int32', '7+', { default: -1 }),
    array('topics', [
      field('topic', 'string'),
      array('partitions', [
        field('partition', 'int32'),
        field('currentLeaderEpoch', 'int32', '9+', { default: -1 }),
        field('fetchOffset', 'int64'),
        field('logStartOffset', 'int64', '5+', { default: -1n }),
        field('partitionMaxBytes', 'int32'),
      ]),
    ]),
    array('forgottenTopicsData', [field('topic', 'string'), array('partitions', 'int32')], '7+'),
    field('rackId', 'string', '11+'),
  ],
  response: [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '7+'),
    field('sessionId', 'int32', '7+'),
    array('responses', [
      field('topic', 'string'),
      array('partitions', [
        field('partitionIndex', 'int32'),
        field('errorCode', 'int16'),
        field('highWatermark', 'int64'),
        field('lastStableOffset', 'int64', '4+', { default: -1n }),
        field('logStartOffset', 'int64', '5+', { default: -1n }),
        array('abortedTransactions', [field('producerId', 'int64'), field('firstOffset', 'int64')], '4+', { nullable: '4+' }),
        field('preferredReadReplica', 'int32', '11+', { default: -1 }),
        field('records', 'records', '0+', { nullable: '0+' }),
      ]),
    ]),
  ],
});

export interface FetchRequestPartition {
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: bigint;
  logStartOffset: bigint;
  partitionMaxBytes: number;
}

export interface FetchRequest {
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: Array<{ topic: string; partitions: FetchRequestPartition[] }>;
  forgottenTopicsData: Array<{ topic: string; partitions: number[] }>;
  rackId: string;
}

export interface FetchResponsePartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  abortedTransactions: Array<{ producerId: bigint; firstOffset: bigint }> | null;
  preferredReadReplica: number;
  /** Stored batches, written back to back without copying. */
  records: Buffer[] | Buffer | null;
}

export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: Array<{ topic: string; partitions: FetchResponsePartition[] }>;
}
