/**
 * Fetch v4-11 with long polling: answer at once when min_bytes are available, an error occurred or
 * max_wait_ms <= 0; otherwise park the request until an append or a topic deletion makes it answerable,
 * answering no later than max_wait_ms after arrival. Stored batches are sent back as-is (no copy), whole, within
 * partition_max_bytes and max_bytes (itself capped at the broker's fetchMaxBytes), except that the first batch is
 * always sent.
 *
 * A parked fetch is woken by every append to a partition it asked for. Re-reading its whole byte budget from the
 * log each time costs appends x budget when a producer writes small batches to long-polling consumers, so it keeps
 * the sizes of the batches past each fetch offset (from its own reads, then from each append: KnownBatches) and
 * runs the same response assembly on those sizes. It reads the log only when that assembly says min_bytes are
 * reached or a partition is in error (and then answers with what it reads, so the answer is exactly what the fetch
 * would get at that moment without waiting), when a size it needs is not known, at max_wait and when the broker stops.
 * Fetch sessions are not implemented: every response is a full response with session id 0.
 */
import type { FetchRequest, FetchResponse, FetchResponsePartition } from '../protocol/apis/fetch.js';
import { ErrorCode } from '../protocol/errors.js';
import { batchBaseOffset, readBatchInfo } from '../protocol/record-batch.js';
import type { Handler, RequestContext } from './context.js';
import type { AppendedBatch, Partition } from './partition.js';

interface Evaluation {
  response: FetchResponse;
  bytes: number;
  hasError: boolean;
  /** False when some partition's share could not be told without reading the log (the rest is then meaningless). */
  determined: boolean;
}

/**
 * The records one requested partition (`slot`: its position in the request) contributes: what
 * `log.read(fetchOffset, maxBytes)` returns, trimmed to `trimTo` bytes when given. Undefined: unknown.
 */
type Take = (slot: number, partition: Partition, fetchOffset: bigint, maxBytes: number, trimTo: number | null) => { bytes: number; records: Buffer[] } | undefined;

export const handleFetch: Handler<FetchRequest, FetchResponse> = (ctx, req) => {
  const known = req.maxWaitMs > 0 ? knownBatchesFor(ctx, req) : null;
  const first = evaluate(ctx, req, readLog(known));
  // As Kafka's ReplicaManager: answer at once when nothing can change the outcome by waiting.
  const nothingRequested = req.topics.every((t) => t.partitions.length === 0);
  // known is null exactly when max_wait_ms <= 0
  if (known === null || nothingRequested || first.bytes >= req.minBytes || first.hasError || ctx.broker.stopping) {
    return first.response;
  }
  return new Promise<FetchResponse>((resolve) => {
    const unsubscribers: Array<() => void> = [];
    let done = false;
    const finish = (response: FetchResponse): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const u of unsubscribers) u();
      resolve(response);
    };
    const answerNow = (): void => finish(evaluate(ctx, req, readLog(null)).response);
    const onChange = (slot: number, appended: AppendedBatch | null): void => {
      if (done) return;
      if (appended) known[slot]!.appended(appended);
      const predicted = evaluate(ctx, req, predictFrom(known));
      if (predicted.determined && predicted.bytes < req.minBytes && !predicted.hasError) return;
      const ev = evaluate(ctx, req, readLog(known));
      if (ev.bytes >= req.minBytes || ev.hasError) finish(ev.response);
    };
    // The deadline is measured from arrival; clients give up shortly after max_wait (kafkajs: +100 ms).
    const timer = setTimeout(answerNow, req.maxWaitMs);
    known.forEach((k, slot) => {
      if (k.partition) unsubscribers.push(k.partition.watch((appended) => onChange(slot, appended)));
    });
    unsubscribers.push(ctx.broker.onStop(answerNow));
  });
};

/** As Kafka: the client's max_bytes, never more than fetch.max.bytes. */
function responseBudget(ctx: RequestContext, req: FetchRequest): number {
  // A client asking for 2 GiB (or sending 0, once read here as "no limit") would otherwise make the file store
  // read that much of the log into memory.
  return Math.min(Math.max(req.maxBytes, 0), ctx.broker.config.fetchMaxBytes);
}

/** Builds the full response, taking each partition's records from `take`. */
function evaluate(ctx: RequestContext, req: FetchRequest, take: Take): Evaluation {
  let budget = responseBudget(ctx, req);
  let bytes = 0;
  let hasError = false;
  let determined = true;
  let slot = 0;
  const responses = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p): FetchResponsePartition => {
      const index = slot++;
      const partition = ctx.broker.topics.partition(t.topic, p.partition);
      if (!partition) {
        hasError = true;
        return emptyPartition(p.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      }
      const log = partition.log;
      const hw = log.highWatermark;
      const start = log.logStartOffset;
      if (p.fetchOffset < start || p.fetchOffset > hw) {
        hasError = true;
        return emptyPartition(p.partition, ErrorCode.OFFSET_OUT_OF_RANGE);
      }
      // KIP-74: the first batch is returned even when larger than the limits, so consumers never get stuck.
      const limit = Math.min(p.partitionMaxBytes, budget);
      let records: Buffer[] = [];
      let size = 0;
      if (p.fetchOffset < hw && (limit > 0 || bytes === 0)) {
        // Once some data is in the response, later partitions only get whole batches that fit the remaining budget.
        const taken = take(index, partition, p.fetchOffset, Math.max(limit, 0), bytes > 0 ? budget : null);
        if (taken) ({ records, bytes: size } = taken);
        else determined = false;
      }
      bytes += size;
      budget -= size;
      return {
        partitionIndex: p.partition,
        errorCode: ErrorCode.NONE,
        highWatermark: hw,
        lastStableOffset: hw,
        logStartOffset: start,
        abortedTransactions: null,
        preferredReadReplica: -1,
        records,
      };
    }),
  }));
  return { response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses }, bytes, hasError, determined };
}

/** Reads the log; what each read returned is remembered in `known` (when given) for later predictions. */
function readLog(known: KnownBatches[] | null): Take {
  return (slot, partition, fetchOffset, maxBytes, trimTo) => {
    const batches = partition.log.read(fetchOffset, maxBytes);
    known?.[slot]?.learn(partition, batches, maxBytes);
    const records = trimTo === null ? batches : trimToBudget(batches, trimTo);
    let bytes = 0;
    for (const b of records) bytes += b.length;
    return { bytes, records };
  };
}

/** Sizes only, from what the parked fetch knows; the records of the resulting response are left empty. */
function predictFrom(known: KnownBatches[]): Take {
  return (slot, partition, _fetchOffset, maxBytes, trimTo) => {
    const k = known[slot]!;
    if (partition !== k.partition) return undefined;
    const bytes = k.bytesRead(maxBytes, trimTo, partition.log.highWatermark);
    return bytes === undefined ? undefined : { bytes, records: [] };
  };
}

function knownBatchesFor(ctx: RequestContext, req: FetchRequest): KnownBatches[] {
  const budget = responseBudget(ctx, req);
  return req.topics.flatMap((t) =>
    t.partitions.map((p) => new KnownBatches(ctx.broker.topics.partition(t.topic, p.partition), p.fetchOffset, Math.max(Math.min(p.partitionMaxBytes, budget), 0))),
  );
}

/**
 * The sizes of one requested partition's batches from the fetch offset on (the batch holding it first), enough to
 * tell what `log.read(fetchOffset, maxBytes)` returns for any maxBytes this fetch can ask without calling it.
 * Learnt from the fetch's own reads and extended by each append that starts where the known batches end (appends
 * past `reach` bytes are not kept: no read of this fetch gets that far). A size is missing only when a read of the
 * partition stopped short at its limit and the limit has grown since. That takes a response budget (max_bytes)
 * already nearly used while min_bytes is not reached, and a partition earlier in the request giving up room (its
 * oversized first batch, or whole batches, no longer fitting once a partition before it grew); the fetch then
 * reads, and learns what it read.
 */
class KnownBatches {
  /** ends[k]: bytes of the first k + 1 batches. */
  private ends: number[] = [];
  /** Offset after the last known batch (the fetch offset while none is known). */
  private next: bigint;
  /** A read of this many bytes stopped before the log end, so the batch after the known ones does not fit it (-1: none). */
  private stoppedAt = -1;

  constructor(
    readonly partition: Partition | undefined,
    private readonly fetchOffset: bigint,
    /** The most bytes this fetch can ask of this partition; sizes past that never matter. */
    private readonly reach: number,
  ) {
    this.next = fetchOffset;
  }

  /** `batches`: what a read of `maxBytes` returned, before any trimming to the response budget. */
  learn(partition: Partition, batches: Buffer[], maxBytes: number): void {
    if (partition !== this.partition || batches.length < this.ends.length) return;
    const sameBatches = batches.length === this.ends.length;
    const ends: number[] = [];
    let total = 0;
    for (const b of batches) ends.push((total += b.length));
    const last = batches.at(-1);
    this.ends = ends;
    this.next = last ? batchBaseOffset(last) + BigInt(readBatchInfo(last).lastOffsetDelta) + 1n : this.fetchOffset;
    const stoppedAt = this.next < partition.log.highWatermark ? maxBytes : -1;
    this.stoppedAt = sameBatches ? Math.max(this.stoppedAt, stoppedAt) : stoppedAt;
  }

  appended(batch: AppendedBatch): void {
    const knownBytes = this.ends.at(-1) ?? 0;
    // the first batch is always read, even with a reach of 0
    if (batch.baseOffset !== this.next || (this.ends.length > 0 && knownBytes >= this.reach)) return;
    this.ends.push(knownBytes + batch.bytes);
    this.next = batch.nextOffset;
  }

  /** Bytes `log.read(fetchOffset, maxBytes)` returns, trimmed to `trimTo` bytes when given; undefined: unknown. */
  bytesRead(maxBytes: number, trimTo: number | null, highWatermark: bigint): number | undefined {
    const m = this.ends.length;
    if (m === 0) return undefined;
    // whole batches while they fit, the first one always
    let n = Math.max(1, countAtMost(this.ends, maxBytes));
    const roomForMore = n === m && this.ends[m - 1]! < maxBytes;
    if (roomForMore && this.next !== highWatermark && maxBytes > this.stoppedAt) return undefined;
    if (trimTo !== null) n = Math.min(n, countAtMost(this.ends, trimTo));
    return n === 0 ? 0 : this.ends[n - 1]!;
  }
}

/** How many of the ascending `ends` are <= limit. */
function countAtMost(ends: number[], limit: number): number {
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid]! <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whole batches from the start that fit `budget`. */
function trimToBudget(batches: Buffer[], budget: number): Buffer[] {
  const out: Buffer[] = [];
  let used = 0;
  for (const b of batches) {
    if (used + b.length > budget) break;
    out.push(b);
    used += b.length;
  }
  return out;
}

function emptyPartition(index: number, errorCode: number): FetchResponsePartition {
  return {
    partitionIndex: index,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: [],
  };
}
