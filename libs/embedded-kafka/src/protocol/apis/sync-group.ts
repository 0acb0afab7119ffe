/** SyncGroup (key 14), v0-3. v1 throttle, v3 group instance id. */
import { array, defineApi, field } from '../schema.js';

export const SyncGroupApi = defineApi({
  key: 14,
  name: 'SyncGroup',
  versions: '0-3',
  request: [
    field('groupId', 'string'),
    field('generationId', 'int32'),
    field('memberId', 'string'),
    field('groupInstanceId', 'string', '3+', { nullable: '3+' }),
    array('assignments', [field('memberId', 'string'), field('assignment', 'bytes')]),
  ],
  response: [field('throttleTimeMs', 'int32', '1+'), field('errorCode', 'int16'), field('assignment', 'bytes')],
});

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface SyncGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  assignment: Buffer;
}
