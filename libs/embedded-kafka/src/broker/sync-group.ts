/** SyncGroup v0-3: the leader hands in every member's assignment; followers wait for theirs. */
import type { SyncGroupRequest, SyncGroupResponse } from '../protocol/apis/sync-group.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';

export const handleSyncGroup: Handler<SyncGroupRequest, SyncGroupResponse> = async (ctx, req) => {
  const group = ctx.broker.groups.get(req.groupId);
  if (!group) return { throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) };
  const answer = await group.sync(req.memberId, req.generationId, req.assignments);
  return { throttleTimeMs: 0, ...answer };
};
