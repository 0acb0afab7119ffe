/** Produce (key 0), v3-7: record batches (magic 2) only. v5 adds logStartOffset to the response. */
import { array, defineApi, field } from '../schema.js';

export const ProduceApi = defineApi({
  key: 0,
  name: 'Produce',
  versions: '3-7',
  request: [
    field('transactionalId', 'string', '3+', { nullable: '3+' }),
    field('acks', 'int16'),
    field('timeoutMs', 'int32'),
    array('topicData', [
      field('name', 'string'),
      array('partitionData', [field('index', 'int32'), field('records', 'records', '0+', { nullable: '0+' })]),
    ]),
  ],
  response: [
    array('responses', [
      field('name', 'string'),
      array('partitionResponses', [
        field('index', 'int32'),
        field('errorCode', 'int16'),
        field('baseOffset', 'int64'),
        field('logAppendTimeMs', 'int64', '2+', { default: -1n }),
        field('logStartOffset', 'int64', '5+', { default: -1n }),
      ]),
    ]),
    field('throttleTimeMs', 'int32', '1+'),
  ],
});

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: Array<{ name: string; partitionData: Array<{ index: number; records: Buffer | null }> }>;
}

export interface ProducePartitionResponse {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
}

export interface ProduceResponse {
  responses: Array<{ name: string; partitionResponses: ProducePartitionResponse[] }>;
  throttleTimeMs: number;
}
