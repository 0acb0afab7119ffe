/** OffsetCommit (key 8), v2-5. v2-4 carry a retention time (ignored), v3 adds throttle. */
import { array, defineApi, field } from '../schema.js';

export const OffsetCommitApi = defineApi({
  key: 8,
  name: 'OffsetCommit',
  versions: '2-5',
  request: [
    field('groupId', 'string'),
    field('generationId', 'int32', '1+', { default: -1 }),
    field('memberId', 'string', '1+'),
    field('retentionTimeMs', 'int64', '2-4', { default: -1n }),
    array('topics', [
      field('name', 'string'),
      array('partitions', [
        field('partitionIndex', 'int32'),
        field('committedOffset', 'int64'),
        field('committedMetadata', 'string', '0+', { nullable: '0+' }),
      ]),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32', '3+'),
    array('topics', [field('name', 'string'), array('partitions', [field('partitionIndex', 'int32'), field('errorCode', 'int16')])]),
  ],
});

export interface OffsetCommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; committedOffset: bigint; committedMetadata: string | null }>;
  }>;
}

export interface OffsetCommitResponse {
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}
