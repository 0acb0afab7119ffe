/** OffsetFetch (key 9), v1-4. v2 adds the top-level error and topics = null (all committed offsets), v3 throttle. */
import { array, defineApi, field } from '../schema.js';

export const OffsetFetchApi = defineApi({
  key: 9,
  name: 'OffsetFetch',
  versions: '1-4',
  request: [
    field('groupId', 'string'),
    array('topics', [field('name', 'string'), array('partitionIndexes', 'int32')], '0+', { nullable: '2+' }),
  ],
  response: [
    field('throttleTimeMs', 'int32', '3+'),
    array('topics', [
      field('name', 'string'),
      array('partitions', [
        field('partitionIndex', 'int32'),
        field('committedOffset', 'int64'),
        field('metadata', 'string', '0+', { nullable: '0+' }),
        field('errorCode', 'int16'),
      ]),
    ]),
    field('errorCode', 'int16', '2+'),
  ],
});

export interface OffsetFetchRequest {
  groupId: string;
  topics: Array<{ name: string; partitionIndexes: number[] }> | null;
}

export interface OffsetFetchResponse {
  throttleTimeMs: number;
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; committedOffset: bigint; metadata: string | null; errorCode: number }>;
  }>;
  errorCode: number;
}
