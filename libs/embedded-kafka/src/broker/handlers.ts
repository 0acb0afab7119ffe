/** API key -> handler. Every API in protocol/apis has exactly one handler here (kfake style: one file per API). */
import { handleApiVersions } from './api-versions.js';
import type { Handler } from './context.js';
import { handleCreateTopics } from './create-topics.js';
import { handleDeleteTopics } from './delete-topics.js';
import { handleDescribeGroups } from './describe-groups.js';
import { handleFetch } from './fetch.js';
import { handleFindCoordinator } from './find-coordinator.js';
import { handleHeartbeat } from './heartbeat.js';
import { handleInitProducerId } from './init-producer-id.js';
import { handleJoinGroup } from './join-group.js';
import { handleLeaveGroup } from './leave-group.js';
import { handleListGroups } from './list-groups.js';
import { handleListOffsets } from './list-offsets.js';
import { handleMetadata } from './metadata.js';
import { handleOffsetCommit } from './offset-commit.js';
import { handleOffsetFetch } from './offset-fetch.js';
import { handleProduce } from './produce.js';
import { handleSyncGroup } from './sync-group.js';

export const HANDLERS: ReadonlyMap<number, Handler<any, object>> = new Map<number, Handler<any, object>>([
  [0, handleProduce],
  [1, handleFetch],
  [2, handleListOffsets],
  [3, handleMetadata],
  [8, handleOffsetCommit],
  [9, handleOffsetFetch],
  [10, handleFindCoordinator],
  [11, handleJoinGroup],
  [12, handleHeartbeat],
  [13, handleLeaveGroup],
  [14, handleSyncGroup],
  [15, handleDescribeGroups],
  [16, handleListGroups],
  [18, handleApiVersions],
  [19, handleCreateTopics],
  [20, handleDeleteTopics],
  [22, handleInitProducerId],
]);
