/**
 * OffsetFetch v1-4: committed offset per partition, -1 (metadata "") when nothing is committed — never 0,
 * which would make clients skip their auto-offset-reset. v2+: topics = null returns all committed offsets.
 */
import type { OffsetFetchRequest, OffsetFetchResponse } from '../protocol/apis/offset-fetch.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';

export const handleOffsetFetch: Handler<OffsetFetchRequest, OffsetFetchResponse> = (ctx, req) => {
  const { groups } = ctx.broker;
  const group = groups.get(req.groupId);
  if (req.topics === null) {
    const byTopic = new Map<string, OffsetFetchResponse['topics'][number]>();
    for (const o of group?.offsets.values() ?? []) {
      let t = byTopic.get(o.topic);
      if (!t) byTopic.set(o.topic, (t = { name: o.topic, partitions: [] }));
      t.partitions.push({ partitionIndex: o.partition, committedOffset: o.offset, metadata: o.metadata, errorCode: ErrorCode.NONE });
    }
    return { throttleTimeMs: 0, topics: [...byTopic.values()], errorCode: ErrorCode.NONE };
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => {
        const c = group ? groups.committed(group, t.name, partitionIndex) : undefined;
        return { partitionIndex, committedOffset: c?.offset ?? -1n, metadata: c ? c.metadata : '', errorCode: ErrorCode.NONE };
      }),
    })),
  };
};
