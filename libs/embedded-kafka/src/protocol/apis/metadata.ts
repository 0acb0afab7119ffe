/**
 * Metadata (key 3), v0-6. v1 controller/rack/internal + nullable topic list (null = all; v0: empty = all),
 * v2 cluster id, v3 throttle, v4 allowAutoTopicCreation, v5 offline replicas.
 */
import { array, defineApi, field } from '../schema.js';

export const MetadataApi = defineApi({
  key: 3,
  name: 'Metadata',
  versions: '0-6',
  request: [
    array('topics', [field('name', 'string')], '0+', { nullable: '1+' }),
    field('allowAutoTopicCreation', 'bool', '4+', { default: true }),
  ],
  response: [
    field('throttleTimeMs', 'int32', '3+'),
    array('brokers', [
      field('nodeId', 'int32'),
      field('host', 'string'),
      field('port', 'int32'),
      field('rack', 'string', '1+', { nullable: '1+' }),
    ]),
    field('clusterId', 'string', '2+', { nullable: '2+' }),
    field('controllerId', 'int32', '1+', { default: -1 }),
    array('topics', [
      field('errorCode', 'int16'),
      field('name', 'string'),
      field('isInternal', 'bool', '1+'),
      array('partitions', [
        field('errorCode', 'int16'),
        field('partitionIndex', 'int32'),
        field('leaderId', 'int32'),
        array('replicaNodes', 'int32'),
        array('isrNodes', 'int32'),
        array('offlineReplicas', 'int32', '5+'),
      ]),
    ]),
  ],
});

export interface MetadataRequest {
  topics: Array<{ name: string }> | null;
  allowAutoTopicCreation: boolean;
}

export interface MetadataResponsePartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

export interface MetadataResponseTopic {
  errorCode: number;
  name: string;
  isInternal: boolean;
  partitions: MetadataResponsePartition[];
}

export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
  clusterId: string | null;
  controllerId: number;
  topics: MetadataResponseTopic[];
}
