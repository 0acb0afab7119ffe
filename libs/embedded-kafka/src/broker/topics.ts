/** The broker's topic table: creation (explicit or automatic), lookup and deletion, backed by a LogStore. */
import type { LogStore } from '../log/partition-log.js';
import { ErrorCode } from '../protocol/errors.js';
import { Partition } from './partition.js';
import { isValidTopicName } from './topic-name.js';

export interface Topic {
  readonly name: string;
  readonly partitions: Partition[];
}

export type CreateTopicResult = { errorCode: 0; topic: Topic } | { errorCode: number; message: string };

/** Kafka caps partitions per topic far higher; this keeps a typo from creating a million file handles. */
export const MAX_PARTITIONS = 10_000;

export class TopicTable {
  private readonly topics = new Map<string, Topic>();
  private readonly creating = new Map<string, Promise<CreateTopicResult>>();
  /**
   * Deletions whose store work is still running. The name is free as soon as a deletion starts, but the store may
   * still be closing and removing the old files: a creation of the same name waits for that, or it would reopen
   * the old files (old records visible) that the deletion then removes (new records lost).
   */
  private readonly deleting = new Map<string, Promise<void>>();

  constructor(private readonly store: LogStore) {}

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  all(): Topic[] {
    return [...this.topics.values()];
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.topics.get(topic)?.partitions[index];
  }

  /** Re-opens every topic the store already holds (restart on a dataDir). */
  async loadExisting(): Promise<void> {
    for (const { topic, partitions } of await this.store.listTopics()) {
      if (partitions > 0) await this.create(topic, partitions);
    }
  }

  /** Creates a topic; concurrent calls for the same name share one creation. */
  create(name: string, partitions: number): Promise<CreateTopicResult> {
    const existing = this.topics.get(name);
    if (existing) return Promise.resolve({ errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, message: `topic ${name} already exists` });
    const pending = this.creating.get(name);
    if (pending) return pending.then(() => ({ errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, message: `topic ${name} already exists` }));
    if (!isValidTopicName(name)) return Promise.resolve({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: `illegal topic name "${name}"` });
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      return Promise.resolve({ errorCode: ErrorCode.INVALID_PARTITIONS, message: `invalid partition count ${partitions}` });
    }
    const pendingDeletion = this.deleting.get(name);
    const creation = (async (): Promise<CreateTopicResult> => {
      // a failed deletion was reported to its requester; what it left behind is what a restart would load too
      await pendingDeletion?.catch(() => undefined);
      const parts: Partition[] = [];
      for (let i = 0; i < partitions; i++) parts.push(new Partition(name, i, await this.store.openPartition(name, i)));
      const topic = { name, partitions: parts };
      this.topics.set(name, topic);
      return { errorCode: 0, topic };
    })();
    this.creating.set(name, creation);
    return creation.finally(() => this.creating.delete(name));
  }

  /** Gets a topic, creating it with `partitions` when it does not exist (auto-creation). */
  async getOrCreate(name: string, partitions: number): Promise<CreateTopicResult> {
    const existing = this.topics.get(name);
    if (existing) return { errorCode: 0, topic: existing };
    const result = await this.create(name, partitions);
    const raced = this.topics.get(name);
    if (!('topic' in result) && result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && raced) return { errorCode: 0, topic: raced };
    return result;
  }

  async delete(name: string): Promise<boolean> {
    const topic = this.topics.get(name);
    if (!topic) return false;
    this.topics.delete(name);
    const deletion = this.store.deleteTopic(name);
    this.deleting.set(name, deletion);
    try {
      await deletion;
    } finally {
      if (this.deleting.get(name) === deletion) this.deleting.delete(name);
    }
    // Parked fetches re-evaluate and report the partition as unknown.
    for (const p of topic.partitions) p.notifyRemoved();
    return true;
  }
}
