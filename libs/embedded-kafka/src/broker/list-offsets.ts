/**
 * ListOffsets v0-3: -1 latest (high watermark; no transactions, so also the last stable offset), -2 earliest
 * (log start), t >= 0 the first offset whose timestamp is >= t. v0 answers an old-style offsets array.
 */
import type { ListOffsetsPartitionResponse, ListOffsetsRequest, ListOffsetsResponse } from '../protocol/apis/list-offsets.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';
import type { Partition } from './partition.js';
import { findRecordAtOrAfter } from './record-scan.js';

const LATEST = -1n;
const EARLIEST = -2n;

export const handleListOffsets: Handler<ListOffsetsRequest, ListOffsetsResponse> = (ctx, req) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): ListOffsetsPartitionResponse => {
      const partition = ctx.broker.topics.partition(t.name, p.partitionIndex);
      if (!partition) {
        return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, oldStyleOffsets: [], timestamp: -1n, offset: -1n };
      }
      const found = lookup(partition, p.timestamp);
      return {
        partitionIndex: p.partitionIndex,
        errorCode: ErrorCode.NONE,
        // v0 clients (librdkafka) read the last element; "no offset for that time" is an empty list.
        oldStyleOffsets: found.offset >= 0n ? [found.offset] : [],
        timestamp: found.timestamp,
        offset: found.offset,
      };
    }),
  })),
});

function lookup(partition: Partition, timestamp: bigint): { offset: bigint; timestamp: bigint } {
  const log = partition.log;
  if (timestamp === LATEST) return { offset: log.highWatermark, timestamp: -1n };
  if (timestamp === EARLIEST) return { offset: log.logStartOffset, timestamp: -1n };
  if (timestamp < 0n) return { offset: -1n, timestamp: -1n };
  const batchOffset = log.offsetForTimestamp(timestamp);
  if (batchOffset === null) return { offset: -1n, timestamp: -1n };
  const [batch] = log.read(batchOffset, 1);
  if (!batch) return { offset: -1n, timestamp: -1n };
  return findRecordAtOrAfter(batch, timestamp);
}
