/** Registry of every API this broker implements (and therefore advertises in ApiVersions). */
import type { ApiSchema } from '../schema.js';
import { ApiVersionsApi } from './api-versions.js';
import { CreateTopicsApi } from './create-topics.js';
import { DeleteTopicsApi } from './delete-topics.js';
import { DescribeGroupsApi } from './describe-groups.js';
import { FetchApi } from './fetch.js';
import { FindCoordinatorApi } from './find-coordinator.js';
import { HeartbeatApi } from './heartbeat.js';
import { InitProducerIdApi } from './init-producer-id.js';
import { JoinGroupApi } from './join-group.js';
import { LeaveGroupApi } from './leave-group.js';
import { ListGroupsApi } from './list-groups.js';
import { ListOffsetsApi } from './list-offsets.js';
import { MetadataApi } from './metadata.js';
import { OffsetCommitApi } from './offset-commit.js';
import { OffsetFetchApi } from './offset-fetch.js';
import { ProduceApi } from './produce.js';
import { SyncGroupApi } from './sync-group.js';

export const ALL_APIS: readonly ApiSchema[] = [
  ProduceApi,
  FetchApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  FindCoordinatorApi,
  JoinGroupApi,
  HeartbeatApi,
  LeaveGroupApi,
  SyncGroupApi,
  DescribeGroupsApi,
  ListGroupsApi,
  ApiVersionsApi,
  CreateTopicsApi,
  DeleteTopicsApi,
  InitProducerIdApi,
];

const byKey = new Map(ALL_APIS.map((api) => [api.key, api]));

export function apiByKey(key: number): ApiSchema | undefined {
  return byKey.get(key);
}

export {
  ApiVersionsApi,
  CreateTopicsApi,
  DeleteTopicsApi,
  DescribeGroupsApi,
  FetchApi,
  FindCoordinatorApi,
  HeartbeatApi,
  InitProducerIdApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListGroupsApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  ProduceApi,
  SyncGroupApi,
};
