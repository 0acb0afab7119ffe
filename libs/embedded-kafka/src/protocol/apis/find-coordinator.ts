/** FindCoordinator (key 10), v0-2. v1 adds key type (0 group, 1 transaction), throttle and error message. */
import { defineApi, field } from '../schema.js';

export const FindCoordinatorApi = defineApi({
  key: 10,
  name: 'FindCoordinator',
  versions: '0-2',
  request: [field('key', 'string'), field('keyType', 'int8', '1+')],
  response: [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16'),
    field('errorMessage', 'string', '1+', { nullable: '1+' }),
    field('nodeId', 'int32'),
    field('host', 'string'),
    field('port', 'int32'),
  ],
});

export interface FindCoordinatorRequest {
  key: string;
  keyType: number;
}

export interface FindCoordinatorResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}
