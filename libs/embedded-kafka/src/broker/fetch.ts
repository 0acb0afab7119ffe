/**
 * Fetch v4-11 with long polling: answer at once when min_bytes are available, an error occurred or
 * max_wait_ms <= 0; otherwise park the request until an append or a topic deletion makes it answerable,
 * answering no later than max_wait_ms after arrival. Stored batches are sent back as-is (no copy), whole, within
 * partition_max_bytes and max_bytes (itself capped at the broker's fetchMaxBytes), except that the first batch is
 * always sent.
 *
 * A parked fetch is woken by every append to a partition it asked for, and reading its whole byte budget from the
 * log each time would cost appends x budget while a producer writes small batches to long-polling consumers. An
 * append adds at most its own size to what the fetch returns (earlier partitions taking more only leaves less for
 * later ones), so the log is read again only once the bytes appended since the last read could take the answer to
 * min_bytes.
 * Fetch sessions are not implemented: every response is a full response with session id 0.
 */
import type { FetchRequest, FetchResponse, FetchResponsePartition } from '../protocol/apis/fetch.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler, RequestContext } from './context.js';
import type { AppendedBatch } from './partition.js';

interface Evaluation {
  response: FetchResponse;
  bytes: number;
  hasError: boolean;
}

export const handleFetch: Handler<FetchRequest, FetchResponse> = (ctx, req) => {
  const first = evaluate(ctx, req);
  // As Kafka's ReplicaManager: answer at once when nothing can change the outcome by waiting.
  const nothingRequested = req.topics.every((t) => t.partitions.length === 0);
  if (req.maxWaitMs <= 0 || nothingRequested || first.bytes >= req.minBytes || first.hasError || ctx.broker.stopping) {
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
    let bytesAtLastRead = first.bytes;
    let appendedSince = 0;
    const recheck = (appended: AppendedBatch | null): void => {
      if (done) return;
      if (appended) {
        appendedSince += appended.bytes;
        if (bytesAtLastRead + appendedSince < req.minBytes) return;
      }
      const ev = evaluate(ctx, req);
      if (ev.bytes >= req.minBytes || ev.hasError) return finish(ev.response);
      bytesAtLastRead = ev.bytes;
      appendedSince = 0;
    };
    // The deadline is measured from arrival; clients give up shortly after max_wait (kafkajs: +100 ms).
    const timer = setTimeout(() => finish(evaluate(ctx, req).response), req.maxWaitMs);
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const partition = ctx.broker.topics.partition(t.topic, p.partition);
        if (partition) unsubscribers.push(partition.watch(recheck));
      }
    }
    unsubscribers.push(ctx.broker.onStop(() => finish(evaluate(ctx, req).response)));
  });
};

/** Builds the full response from the current log state. */
function evaluate(ctx: RequestContext, req: FetchRequest): Evaluation {
  // As Kafka: the client's max_bytes, never more than fetch.max.bytes; a client asking for 2 GiB (or sending 0,
  // once read here as "no limit") would otherwise make the file store read that much of the log into memory.
  let budget = Math.min(Math.max(req.maxBytes, 0), ctx.broker.config.fetchMaxBytes);
  let bytes = 0;
  let hasError = false;
  const responses = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p): FetchResponsePartition => {
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
      let batches: Buffer[] = [];
      if (p.fetchOffset < hw && (limit > 0 || bytes === 0)) {
        batches = log.read(p.fetchOffset, Math.max(limit, 0));
        if (bytes > 0) batches = trimToBudget(batches, budget);
      }
      let size = 0;
      for (const b of batches) size += b.length;
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
        records: batches,
      };
    }),
  }));
  return { response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses }, bytes, hasError };
}

/** Once some data is in the response, later partitions only get whole batches that fit the remaining budget. */
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
