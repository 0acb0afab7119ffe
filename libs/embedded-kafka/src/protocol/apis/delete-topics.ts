/** DeleteTopics (key 20), v0-3. v1 throttle; v2-3 same layout. */
import { array, defineApi, field } from '../schema.js';

export const DeleteTopicsApi = defineApi({
  key: 20,
  name: 'DeleteTopics',
  versions: '0-3',
  request: [array('topicNames', 'string'), field('timeoutMs', 'int32')],
  response: [field('throttleTimeMs', 'int32', '1+'), array('responses', [field('name', 'string'), field('errorCode', 'int16')])],
});

export interface DeleteTopicsRequest {
  topicNames: string[];
  timeoutMs: number;
}

export interface DeleteTopicsResponse {
  throttleTimeMs: number;
  responses: Array<{ name: string; errorCode: number }>;
}
