/** DescribeGroups (key 15), v0-2. v1 throttle. Unknown groups are reported as state "Dead". */
import { array, defineApi, field } from '../schema.js';

export const DescribeGroupsApi = defineApi({
  key: 15,
  name: 'DescribeGroups',
  versions: '0-2',
  request: [array('groups', 'string')],
  response: [
    field('throttleTimeMs', 'int32', '1+'),
    array('groups', [
      field('errorCode', 'int16'),
      field('groupId', 'string'),
      field('groupState', 'string'),
      field('protocolType', 'string'),
      field('protocolData', 'string'),
      array('members', [
        field('memberId', 'string'),
        field('clientId', 'string'),
        field('clientHost', 'string'),
        field('memberMetadata', 'bytes'),
        field('memberAssignment', 'bytes'),
      ]),
    ]),
  ],
});

export interface DescribeGroupsRequest {
  groups: string[];
}

export interface DescribedGroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedGroupMember[];
}

export interface DescribeGroupsResponse {
  throttleTimeMs: number;
  groups: DescribedGroup[];
}
