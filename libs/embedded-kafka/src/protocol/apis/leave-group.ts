/** LeaveGroup (key 13), v0-3. v1 throttle; v3 replaces the single member id with a members array. */
import { array, defineApi, field } from '../schema.js';

export const LeaveGroupApi = defineApi({
  key: 13,
  name: 'LeaveGroup',
  versions: '0-3',
  request: [
    field('groupId', 'string'),
    field('memberId', 'string', '0-2'),
    array('members', [field('memberId', 'string'), field('groupInstanceId', 'string', '0+', { nullable: '0+' })], '3+'),
  ],
  response: [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16'),
    array(
      'members',
      [field('memberId', 'string'), field('groupInstanceId', 'string', '0+', { nullable: '0+' }), field('errorCode', 'int16')],
      '3+',
    ),
  ],
});

export interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null }>;
}

export interface LeaveGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}
