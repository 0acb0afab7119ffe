/**
 * OffsetCommit v2-5. Commits from a group member are checked against membership and generation; a commit with
 * generation -1 and no member id is a "simple" commit, allowed while the group has no members (admin tools,
 * manual assignment). Any int64 is stored verbatim (kafkajs commits -1/-2 sentinels on offset resets).
 */
import type { OffsetCommitRequest, OffsetCommitResponse } from '../protocol/apis/offset-commit.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';

export const handleOffsetCommit: Handler<OffsetCommitRequest, OffsetCommitResponse> = async (ctx, req) => {
  const { groups, topics } = ctx.broker;
  const respondAll = (errorCode: number): OffsetCommitResponse => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  });
  if (req.groupId === '') return respondAll(ErrorCode.INVALID_GROUP_ID);
  let group = groups.get(req.groupId);
  if (!group) {
    if (req.generationId >= 0 || req.memberId !== '') return respondAll(ErrorCode.ILLEGAL_GENERATION);
    group = groups.getOrCreate(req.groupId);
  }
  const check = group.validateCommit(req.memberId, req.generationId);
  if (check !== ErrorCode.NONE) return respondAll(check);
  const committed = group;
  const result = await Promise.all(
    req.topics.map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(
        t.partitions.map(async (p) => {
          if (!topics.partition(t.name, p.partitionIndex)) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          await groups.commit(committed, t.name, p.partitionIndex, p.committedOffset, p.committedMetadata);
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
        }),
      ),
    })),
  );
  return { throttleTimeMs: 0, topics: result };
};
