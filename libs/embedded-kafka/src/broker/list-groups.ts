/** ListGroups v0-2: every known group with its protocol type ("" for groups that only hold committed offsets). */
import type { ListGroupsResponse } from '../protocol/apis/list-groups.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';

export const handleListGroups: Handler<unknown, ListGroupsResponse> = (ctx) => ({
  throttleTimeMs: 0,
  errorCode: ErrorCode.NONE,
  groups: ctx.broker.groups
    .all()
    .filter((g) => g.state !== 'Dead')
    .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '' })),
});
