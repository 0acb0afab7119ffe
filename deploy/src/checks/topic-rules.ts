import { type K8sObject, byKind, ref } from './k8s-objects';

export interface TopicExpectation {
  topicName: string;
  partitions: number;
  /** retention.ms the topic must have; -1 = keep forever. */
  retentionMs: number;
}

/** Strimzi KafkaTopic resources: each expected topic exists once, with its partitions and retention. */
export function checkTopics(objects: K8sObject[], expected: TopicExpectation[]): string[] {
  const topics = byKind(objects, 'KafkaTopic');
  return expected.flatMap(({ topicName, partitions, retentionMs }) => {
    const matches = topics.filter((t) => ((t.spec as any)?.topicName ?? t.metadata.name) === topicName);
    if (matches.length !== 1) return [`expected one KafkaTopic for ${topicName}, found ${matches.length}`];
    const [topic] = matches;
    const spec = topic.spec as { partitions?: number; replicas?: number; config?: Record<string, unknown> };
    const problems: string[] = [];
    if (spec.partitions !== partitions) problems.push(`${ref(topic)} has ${spec.partitions} partitions, expected ${partitions}`);
    if (Number(spec.config?.['retention.ms']) !== retentionMs) {
      problems.push(`${ref(topic)} has retention.ms ${String(spec.config?.['retention.ms'])}, expected ${retentionMs}`);
    }
    if (!topic.metadata.labels?.['strimzi.io/cluster']) problems.push(`${ref(topic)} has no strimzi.io/cluster label`);
    const minIsr = Number(spec.config?.['min.insync.replicas'] ?? 1);
    if (spec.replicas !== undefined && minIsr > spec.replicas) {
      problems.push(`${ref(topic)} requires ${minIsr} in-sync replicas but has only ${spec.replicas}`);
    }
    return problems;
  });
}
