/** DeleteTopics v0-3: removes the topic, its stored log and its committed group offsets. */
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../protocol/apis/delete-topics.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';

export const handleDeleteTopics: Handler<DeleteTopicsRequest, DeleteTopicsResponse> = async (ctx, req) => {
  const { topics, groups, logger } = ctx.broker;
  const responses = [];
  for (const name of req.topicNames) {
    const deleted = await topics.delete(name);
    if (deleted) {
      groups.forgetTopic(name);
      logger.info({ topic: name }, 'deleted topic');
    }
    responses.push({ name, errorCode: deleted ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
  }
  return { throttleTimeMs: 0, responses };
};
