/**
 * Storage boundary of the embedded broker. The broker logic (src/broker) only talks to these interfaces;
 * `memory-log.ts` implements them in memory, `file-log.ts` (createFileLogStore) on disk.
 *
 * Idempotent-producer state is not stored separately: after a restart the broker re-derives it lazily by
 * scanning stored batch headers (producerId / epoch / baseSequence / lastOffsetDelta) with `read()` in
 * bounded chunks, so implementations only have to return batches exactly as appended.
 */

/** One partition's log of record batches (v2). Batches are stored exactly as produced, with baseOffset rewritten. */
export interface PartitionLog {
  readonly logStartOffset: bigint;
  /** Next offset to assign; single node: HW == LEO. */
  readonly highWatermark: bigint;
  /**
   * Appends a validated batch whose baseOffset field (bytes 0..8) this call rewrites; returns the assigned base offset.
   * maxTimestamp is the batch's max timestamp (for ListOffsets by time). Durable before resolve when the log is file-backed.
   */
  append(batch: Buffer, recordCount: number, maxTimestamp: bigint): Promise<bigint> | bigint;
  /**
   * Whole batches from the one containing fetchOffset on, in order: the first always (if any), then each one while
   * the total stays <= maxBytes, stopping at the first that does not fit or at the high watermark.
   */
  read(fetchOffset: bigint, maxBytes: number): Buffer[];
  /** First offset whose batch max timestamp >= ts, or null. */
  offsetForTimestamp(ts: bigint): bigint | null;
  close(): Promise<void>;
}

/** Committed consumer-group offset as persisted by a LogStore. */
export interface StoredOffset {
  group: string;
  topic: string;
  partition: number;
  offset: bigint;
  metadata: string | null;
}

/** One per broker. */
export interface LogStore {
  openPartition(topic: string, partition: number): Promise<PartitionLog>;
  deleteTopic(topic: string): Promise<void>;
  /** What exists in the store, for restart. */
  listTopics(): Promise<Array<{ topic: string; partitions: number }>>;
  /** Committed group offsets must survive restart too. */
  loadOffsets(): Promise<StoredOffset[]>;
  saveOffset(group: string, topic: string, partition: number, offset: bigint, metadata: string | null): Promise<void>;
  close(): Promise<void>;
}
