/**
 * JoinGroup (key 11), v0-5. v1 rebalance timeout, v2 throttle, v4 MEMBER_ID_REQUIRED round trip for new
 * members, v5 group instance id (static membership).
 */
import { array, defineApi, field } from '../schema.js';

export const JoinGroupApi = defineApi({
  key: 11,
  name: 'JoinGroup',
  versions: '0-5',
  request: [
    field('groupId', 'string'),
    field('sessionTimeoutMs', 'int32'),
    field('rebalanceTimeoutMs', 'int32', '1+', { default: -1 }),
    field('memberId', 'string'),
    field('groupInstanceId', 'string', '5+', { nullable: '5+' }),
    field('protocolType', 'string'),
    array('protocols', [field('name', 'string'), field('metadata', 'bytes')]),
  ],
  response: [
    field('throttleTimeMs', 'int32', '2+'),
    field('errorCode', 'int16'),
    field('generationId', 'int32', '0+', { default: -1 }),
    field('protocolName', 'string'),
    field('leader', 'string'),
    field('memberId', 'string'),
    array('members', [
      field('memberId', 'string'),
      field('groupInstanceId', 'string', '5+', { nullable: '5+' }),
      field('metadata', 'bytes'),
    ]),
  ],
});

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
}

export interface JoinGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}
