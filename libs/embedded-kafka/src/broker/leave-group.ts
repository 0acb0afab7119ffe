/** LeaveGroup v0-3 (v3: several members, per-member errors). The group rebalances, or becomes Empty. */
import type { LeaveGroupRequest, LeaveGroupResponse } from '../protocol/apis/leave-group.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';

export const handleLeaveGroup: Handler<LeaveGroupRequest, LeaveGroupResponse> = (ctx, req) => {
  const group = ctx.broker.groups.get(req.groupId);
  if (ctx.version < 3) {
    const errorCode = group ? group.leave(req.memberId) : ErrorCode.UNKNOWN_MEMBER_ID;
    return { throttleTimeMs: 0, errorCode, members: [] };
  }
  if (!group) return { throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] };
  const members = req.members.map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    errorCode: group.leave(m.memberId),
  }));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, members };
};
