/**
 * One partition as the broker sees it: the storage log, the idempotent-producer state, a queue that
 * serialises appends (sequence checks and offset assignment must happen in request order even when the
 * log's append is asynchronous), and the long-polling fetches waiting for new data.
 */
import type { PartitionLog } from '../log/partition-log.js';
import { readBatchInfo } from '../protocol/record-batch.js';
import { PartitionProducerState } from './producer-state.js';

/** A batch just appended: its size as stored (what a fetch of it returns). */
export interface AppendedBatch {
  bytes: number;
}

/** Told about each append (with the batch) and about the partition's removal (null). */
export type PartitionWatcher = (appended: AppendedBatch | null) => void;

/** How much log a restart scan reads per step while rebuilding producer state. */
const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;

export class Partition {
  readonly producers = new PartitionProducerState();
  private producersLoaded = false;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly watchers = new Set<PartitionWatcher>();

  constructor(
    readonly topic: string,
    readonly index: number,
    readonly log: PartitionLog,
  ) {}

  /** Runs `task` after every previously queued task of this partition has finished. */
  serialize<T>(task: () => Promise<T> | T): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Idempotence state is not persisted on its own; it is derived from the producer fields of stored batch
   * headers the first time an idempotent batch reaches this partition (e.g. after a restart on a dataDir).
   */
  ensureProducerStateLoaded(): void {
    if (this.producersLoaded) return;
    this.producersLoaded = true;
    let offset = this.log.logStartOffset;
    const end = this.log.highWatermark;
    while (offset < end) {
      const batches = this.log.read(offset, SCAN_CHUNK_BYTES);
      if (batches.length === 0) break;
      for (const batch of batches) {
        const info = readBatchInfo(batch);
        const base = batch.readBigInt64BE(0);
        if (info.producerId >= 0n) {
          this.producers.record(info.producerId, info.producerEpoch, info.baseSequence, info.lastOffsetDelta, base);
        }
        offset = base + BigInt(info.lastOffsetDelta) + 1n;
      }
    }
  }

  /** Registers a callback for the next appends and the removal; returns the unsubscribe function. */
  watch(watcher: PartitionWatcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Called once the batch is readable (highWatermark past it). */
  notifyAppended(batch: AppendedBatch): void {
    for (const w of [...this.watchers]) w(batch);
  }

  /** The partition's topic was deleted. */
  notifyRemoved(): void {
    for (const w of [...this.watchers]) w(null);
  }
}
