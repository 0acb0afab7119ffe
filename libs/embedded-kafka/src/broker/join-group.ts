/**
 * JoinGroup v0-5. v4+: a member joining without an id gets MEMBER_ID_REQUIRED with its new id and must rejoin.
 * The response is parked until the rebalance completes (every member rejoined, or the rebalance timeout).
 */
import type { JoinGroupRequest, JoinGroupResponse } from '../protocol/apis/join-group.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';

export const handleJoinGroup: Handler<JoinGroupRequest, JoinGroupResponse> = async (ctx, req) => {
  const { config, groups } = ctx.broker;
  const fail = (errorCode: number): JoinGroupResponse => ({
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolName: '',
    leader: '',
    memberId: req.memberId,
    members: [],
  });
  if (req.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
  if (req.sessionTimeoutMs < config.minSessionTimeoutMs || req.sessionTimeoutMs > config.maxSessionTimeoutMs) {
    return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
  }
  const existing = groups.get(req.groupId);
  if (!existing && req.memberId !== '') return fail(ErrorCode.UNKNOWN_MEMBER_ID);
  const group = existing ?? groups.getOrCreate(req.groupId);
  const answer = await group.join({
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: ctx.header.clientId ?? '',
    clientHost: ctx.clientHost,
    sessionTimeoutMs: req.sessionTimeoutMs,
    // v0 has no rebalance timeout: Kafka uses the session timeout.
    rebalanceTimeoutMs: ctx.version === 0 || req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols,
    requireKnownMemberId: ctx.version >= 4,
  });
  return { throttleTimeMs: 0, ...answer };
};
