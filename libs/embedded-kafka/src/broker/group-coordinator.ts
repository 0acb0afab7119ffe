/** All consumer groups of the broker plus committed-offset persistence through the LogStore. */
import type { LogStore } from '../log/partition-log.js';
import { Group } from './group.js';

const offsetKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly store: LogStore) {}

  /** Restores committed offsets (restart on a dataDir); their groups start out Empty. */
  async load(): Promise<void> {
    for (const o of await this.store.loadOffsets()) {
      this.getOrCreate(o.group).offsets.set(offsetKey(o.topic, o.partition), {
        topic: o.topic,
        partition: o.partition,
        offset: o.offset,
        metadata: o.metadata,
      });
    }
  }

  get(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  getOrCreate(groupId: string): Group {
    let group = this.groups.get(groupId);
    if (!group) this.groups.set(groupId, (group = new Group(groupId)));
    return group;
  }

  all(): Group[] {
    return [...this.groups.values()];
  }

  committed(group: Group, topic: string, partition: number): { offset: bigint; metadata: string | null } | undefined {
    return group.offsets.get(offsetKey(topic, partition));
  }

  async commit(group: Group, topic: string, partition: number, offset: bigint, metadata: string | null): Promise<void> {
    group.offsets.set(offsetKey(topic, partition), { topic, partition, offset, metadata });
    await this.store.saveOffset(group.groupId, topic, partition, offset, metadata);
  }

  /** Committed offsets of a deleted topic disappear with it (as in Kafka). */
  forgetTopic(topic: string): void {
    for (const g of this.groups.values()) for (const [k, v] of g.offsets) if (v.topic === topic) g.offsets.delete(k);
  }

  shutdown(): void {
    for (const g of this.groups.values()) g.shutdown();
  }
}
