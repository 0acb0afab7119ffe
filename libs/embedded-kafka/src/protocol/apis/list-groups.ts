/** ListGroups (key 16), v0-2. v1 throttle. */
import { array, defineApi, field } from '../schema.js';

export const ListGroupsApi = defineApi({
  key: 16,
  name: 'ListGroups',
  versions: '0-2',
  request: [],
  response: [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16'),
    array('groups', [field('groupId', 'string'), field('protocolType', 'string')]),
  ],
});

export interface ListGroupsResponse {
  throttleTimeMs: number;
  errorCode: number;
  groups: Array<{ groupId: string; protocolType: string }>;
}
