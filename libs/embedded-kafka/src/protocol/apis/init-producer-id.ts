/** InitProducerId (key 22), v0-1 (non-transactional producer ids only). */
import { defineApi, field } from '../schema.js';

export const InitProducerIdApi = defineApi({
  key: 22,
  name: 'InitProducerId',
  versions: '0-1',
  request: [field('transactionalId', 'string', '0+', { nullable: '0+' }), field('transactionTimeoutMs', 'int32')],
  response: [
    field('throttleTimeMs', 'int32'),
    field('errorCode', 'int16'),
    field('producerId', 'int64', '0+', { default: -1n }),
    field('producerEpoch', 'int16', '0+', { default: -1 }),
  ],
});

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}
