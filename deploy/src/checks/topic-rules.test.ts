import { describe, expect, it } from 'vitest';
import type { K8sObject } from './k8s-objects';
import { checkTopics } from './topic-rules';

const topic = (topicName: string, spec: Record<string, unknown>, labels: Record<string, string> = { 'strimzi.io/cluster': 'k' }): K8sObject => ({
  apiVersion: 'kafka.strimzi.io/v1beta2',
  kind: 'KafkaTopic',
  metadata: { name: topicName.replace(/\./g, '-'), labels },
  spec: { topicName, ...spec },
});
const expected = [{ topicName: 'events', partitions: 12, retentionMs: -1 }];

describe('checkTopics', () => {
  it('accepts a topic with the expected partitions and infinite retention', () => {
    expect(checkTopics([topic('events', { partitions: 12, replicas: 3, config: { 'retention.ms': -1, 'min.insync.replicas': 2 } })], expected)).toEqual([]);
  });

  it('reports a missing topic, wrong partitions or retention, a missing cluster label, impossible min ISR', () => {
    expect(checkTopics([], expected)).toEqual(['expected one KafkaTopic for events, found 0']);
    expect(
      checkTopics([topic('events', { partitions: 6, replicas: 1, config: { 'retention.ms': 604800000, 'min.insync.replicas': 2 } }, {})], expected),
    ).toEqual([
      'KafkaTopic/events has 6 partitions, expected 12',
      'KafkaTopic/events has retention.ms 604800000, expected -1',
      'KafkaTopic/events has no strimzi.io/cluster label',
      'KafkaTopic/events requires 2 in-sync replicas but has only 1',
    ]);
  });
});
