/** Heartbeat (key 12), v0-3. v1 throttle, v3 group instance id. */
import { defineApi, field } from '../schema.js';

export const HeartbeatApi = defineApi({
  key: 12,
  name: 'Heartbeat',
  versions: '0-3',
  request: [
    field('groupId', 'string'),
    field('generationId', 'int32'),
    field('memberId', 'string'),
    field('groupInstanceId', 'string', '3+', { nullable: '3+' }),
  ],
  response: [field('throttleTimeMs', 'int32', '1+'), field('errorCode', 'int16')],
});

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
}
