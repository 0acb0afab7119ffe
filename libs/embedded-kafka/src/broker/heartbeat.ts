/** Heartbeat v0-3: keeps the member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
import type { HeartbeatRequest, HeartbeatResponse } from '../protocol/apis/heartbeat.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';

export const handleHeartbeat: Handler<HeartbeatRequest, HeartbeatResponse> = (ctx, req) => {
  const group = ctx.broker.groups.get(req.groupId);
  const errorCode = group ? group.heartbeat(req.memberId, req.generationId) : ErrorCode.UNKNOWN_MEMBER_ID;
  return { throttleTimeMs: 0, errorCode };
};
