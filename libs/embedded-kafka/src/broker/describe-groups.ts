/**
 * DescribeGroups v0-2. Unknown groups are "Dead" with no error (kafkajs admin setOffsets/resetOffsets require
 * Empty or Dead). Member metadata and assignments are only filled while Stable, as Kafka's group summary does.
 */
import type { DescribedGroup, DescribeGroupsRequest, DescribeGroupsResponse } from '../protocol/apis/describe-groups.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';

const EMPTY = Buffer.alloc(0);

export const handleDescribeGroups: Handler<DescribeGroupsRequest, DescribeGroupsResponse> = (ctx, req) => ({
  throttleTimeMs: 0,
  groups: req.groups.map((groupId): DescribedGroup => {
    const group = ctx.broker.groups.get(groupId);
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, groupId, groupState: '', protocolType: '', protocolData: '', members: [] };
    if (!group) return { errorCode: ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
    const stable = group.state === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadataFor(group.protocolName ?? '') : EMPTY,
        memberAssignment: stable ? m.assignment : EMPTY,
      })),
    };
  }),
});
