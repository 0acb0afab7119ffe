/** In-memory LogStore: the default when no dataDir is given (tests, dev). Nothing survives stop(). */
import { assignBaseOffset } from '../protocol/record-batch.js';
import type { LogStore, PartitionLog, StoredOffset } from './partition-log.js';

export class MemoryPartitionLog implements PartitionLog {
  private readonly batches: Buffer[] = [];
  /** Base offset of batches[i]; ascending, for binary search. */
  private readonly baseOffsets: bigint[] = [];
  /** Running max of batch max timestamps up to batches[i], so time lookups can binary search too. */
  private readonly maxTimestamps: bigint[] = [];
  private next = 0n;

  get logStartOffset(): bigint {
    return 0n;
  }

  get highWatermark(): bigint {
    return this.next;
  }

  append(batch: Buffer, recordCount: number, maxTimestamp: bigint): bigint {
    const base = this.next;
    assignBaseOffset(batch, base);
    this.batches.push(batch);
    this.baseOffsets.push(base);
    const prevMax = this.maxTimestamps.length ? this.maxTimestamps[this.maxTimestamps.length - 1]! : -1n;
    this.maxTimestamps.push(maxTimestamp > prevMax ? maxTimestamp : prevMax);
    this.next = base + BigInt(recordCount);
    return base;
  }

  read(fetchOffset: bigint, maxBytes: number): Buffer[] {
    if (fetchOffset >= this.next || this.batches.length === 0) return [];
    // last batch whose base offset <= fetchOffset
    let lo = 0;
    let hi = this.baseOffsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.baseOffsets[mid]! <= fetchOffset) lo = mid;
      else hi = mid - 1;
    }
    const out: Buffer[] = [];
    let bytes = 0;
    for (let i = lo; i < this.batches.length; i++) {
      const b = this.batches[i]!;
      if (out.length > 0 && bytes + b.length > maxBytes) break;
      out.push(b);
      bytes += b.length;
    }
    return out;
  }

  offsetForTimestamp(ts: bigint): bigint | null {
    let lo = 0;
    let hi = this.maxTimestamps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.maxTimestamps[mid]! >= ts) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.baseOffsets.length ? this.baseOffsets[lo]! : null;
  }

  async close(): Promise<void> {
    // nothing to release: the batches are garbage-collected with the log
  }
}

export class MemoryLogStore implements LogStore {
  private readonly topics = new Map<string, Map<number, MemoryPartitionLog>>();
  private readonly offsets = new Map<string, StoredOffset>();

  async openPartition(topic: string, partition: number): Promise<PartitionLog> {
    let parts = this.topics.get(topic);
    if (!parts) this.topics.set(topic, (parts = new Map()));
    let log = parts.get(partition);
    if (!log) parts.set(partition, (log = new MemoryPartitionLog()));
    return log;
  }

  async deleteTopic(topic: string): Promise<void> {
    this.topics.delete(topic);
    for (const [k, v] of this.offsets) if (v.topic === topic) this.offsets.delete(k);
  }

  async listTopics(): Promise<Array<{ topic: string; partitions: number }>> {
    return [...this.topics].map(([topic, parts]) => ({ topic, partitions: parts.size }));
  }

  async loadOffsets(): Promise<StoredOffset[]> {
    return [...this.offsets.values()];
  }

  async saveOffset(group: string, topic: string, partition: number, offset: bigint, metadata: string | null): Promise<void> {
    this.offsets.set(JSON.stringify([group, topic, partition]), { group, topic, partition, offset, metadata });
  }

  async close(): Promise<void> {
    this.topics.clear();
  }
}
