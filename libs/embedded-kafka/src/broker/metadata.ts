/**
 * Metadata v0-6: this node is the only broker, the controller and every partition's leader. Named unknown
 * topics are created on the spot when auto-creation is enabled and the request allows it (always for v0-3),
 * and returned with a leader in the same response.
 */
import type { MetadataRequest, MetadataResponse, MetadataResponseTopic } from '../protocol/apis/metadata.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler, RequestContext } from './context.js';
import type { Topic } from './topics.js';

export const handleMetadata: Handler<MetadataRequest, MetadataResponse> = async (ctx, req) => {
  const { config } = ctx.broker;
  const allTopics = req.topics === null || (ctx.version === 0 && req.topics.length === 0);
  const topics = allTopics
    ? ctx.broker.topics.all().map((t) => describeTopic(t, config.nodeId))
    : await Promise.all((req.topics ?? []).map((t) => resolveTopic(ctx, t.name, req.allowAutoTopicCreation || ctx.version < 4)));
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: config.nodeId, host: config.host, port: config.port, rack: null }],
    clusterId: config.clusterId,
    controllerId: config.nodeId,
    topics,
  };
};

async function resolveTopic(ctx: RequestContext, name: string, allowAutoCreate: boolean): Promise<MetadataResponseTopic> {
  const { topics, config } = ctx.broker;
  const existing = topics.get(name);
  if (existing) return describeTopic(existing, config.nodeId);
  if (!allowAutoCreate || !config.autoCreateTopics) return topicError(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const created = await topics.getOrCreate(name, config.defaultPartitions);
  if ('topic' in created) {
    ctx.broker.logger.info({ topic: name, partitions: created.topic.partitions.length }, 'auto-created topic');
    return describeTopic(created.topic, config.nodeId);
  }
  return topicError(name, created.errorCode);
}

function describeTopic(topic: Topic, nodeId: number): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    isInternal: false,
    partitions: topic.partitions.map((p) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: p.index,
      leaderId: nodeId,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    })),
  };
}

function topicError(name: string, errorCode: number): MetadataResponseTopic {
  return { errorCode, name, isInternal: false, partitions: [] };
}
