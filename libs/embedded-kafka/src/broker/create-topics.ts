/**
 * CreateTopics v0-4. -1 partitions / replication factor mean "broker default" in every version (kafkajs sends
 * -1 even at v3). Replication factors above 1 are accepted: there is one node, and services configured for a
 * real cluster must run unchanged against this broker. Manual assignments define the partition count.
 */
import type { CreateTopicsRequest, CreateTopicsResponse } from '../protocol/apis/create-topics.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';
import { isValidTopicName } from './topic-name.js';
import { MAX_PARTITIONS } from './topics.js';

export const handleCreateTopics: Handler<CreateTopicsRequest, CreateTopicsResponse> = async (ctx, req) => {
  const { topics, config, logger } = ctx.broker;
  const seen = new Map<string, number>();
  for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  const results = await Promise.all(
    req.topics.map(async (t) => {
      const fail = (errorCode: number, errorMessage: string) => ({ name: t.name, errorCode, errorMessage });
      if ((seen.get(t.name) ?? 0) > 1) return fail(ErrorCode.INVALID_REQUEST, `topic ${t.name} appears more than once`);
      if (!isValidTopicName(t.name)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `illegal topic name "${t.name}"`);
      if (topics.get(t.name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${t.name} already exists`);
      if (t.assignments.length > 0 && (t.numPartitions !== -1 || t.replicationFactor !== -1)) {
        return fail(ErrorCode.INVALID_REQUEST, 'both assignments and partitions/replication factor given');
      }
      const partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? config.defaultPartitions : t.numPartitions;
      if (partitions < 1 || partitions > MAX_PARTITIONS) return fail(ErrorCode.INVALID_PARTITIONS, `invalid partition count ${t.numPartitions}`);
      if (t.replicationFactor === 0 || t.replicationFactor < -1) {
        return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `invalid replication factor ${t.replicationFactor}`);
      }
      if (req.validateOnly) return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
      const created = await topics.create(t.name, partitions);
      if (!('topic' in created)) return fail(created.errorCode, created.message);
      logger.info({ topic: t.name, partitions }, 'created topic');
      return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
    }),
  );
  return { throttleTimeMs: 0, topics: results };
};
