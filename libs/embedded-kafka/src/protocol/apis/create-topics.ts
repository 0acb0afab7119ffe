/** CreateTopics (key 19), v0-4. v1 validateOnly + error message, v2 throttle; -1 partitions/replication = broker default. */
import { array, defineApi, field } from '../schema.js';

export const CreateTopicsApi = defineApi({
  key: 19,
  name: 'CreateTopics',
  versions: '0-4',
  request: [
    array('topics', [
      field('name', 'string'),
      field('numPartitions', 'int32'),
      field('replicationFactor', 'int16'),
      array('assignments', [field('partitionIndex', 'int32'), array('brokerIds', 'int32')]),
      array('configs', [field('name', 'string'), field('value', 'string', '0+', { nullable: '0+' })]),
    ]),
    field('timeoutMs', 'int32'),
    field('validateOnly', 'bool', '1+'),
  ],
  response: [
    field('throttleTimeMs', 'int32', '2+'),
    array('topics', [field('name', 'string'), field('errorCode', 'int16'), field('errorMessage', 'string', '1+', { nullable: '1+' })]),
  ],
});

export interface CreateTopicsRequest {
  topics: Array<{
    name: string;
    numPartitions: number;
    replicationFactor: number;
    assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
    configs: Array<{ name: string; value: string | null }>;
  }>;
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreateTopicsResponse {
  throttleTimeMs: number;
  topics: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
}
