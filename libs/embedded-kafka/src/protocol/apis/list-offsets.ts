/** ListOffsets (key 2), v0-3. v0 answers an array of offsets (old style), v1+ one (timestamp, offset) pair. */
import { array, defineApi, field } from '../schema.js';

export const ListOffsetsApi = defineApi({
  key: 2,
  name: 'ListOffsets',
  versions: '0-3',
  request: [
    field('replicaId', 'int32'),
    field('isolationLevel', 'int8', '2+'),
    array('topics', [
      field('name', 'string'),
      array('partitions', [
        field('partitionIndex', 'int32'),
        field('timestamp', 'int64'),
        field('maxNumOffsets', 'int32', '0', { default: 1 }),
      ]),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32', '2+'),
    array('topics', [
      field('name', 'string'),
      array('partitions', [
        field('partitionIndex', 'int32'),
        field('errorCode', 'int16'),
        array('oldStyleOffsets', 'int64', '0'),
        field('timestamp', 'int64', '1+', { default: -1n }),
        field('offset', 'int64', '1+', { default: -1n }),
      ]),
    ]),
  ],
});

export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; timestamp: bigint; maxNumOffsets: number }> }>;
}

export interface ListOffsetsPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  oldStyleOffsets: bigint[];
  timestamp: bigint;
  offset: bigint;
}

export interface ListOffsetsResponse {
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: ListOffsetsPartitionResponse[] }>;
}
