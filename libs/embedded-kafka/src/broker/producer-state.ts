/**
 * Idempotent-producer sequence tracking for one partition (Kafka ProducerStateEntry semantics): per producer
 * id the current epoch and the last 5 appended batches, so a retried batch is recognised and answered with its
 * original offset instead of being stored twice.
 */
import { ErrorCode } from '../protocol/errors.js';

const CACHED_BATCHES = 5;
const INT32_MAX = 0x7fffffff;

interface CachedBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: bigint;
}

interface ProducerEntry {
  epoch: number;
  batches: CachedBatch[];
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: bigint }
  | { kind: 'error'; errorCode: number; message: string };

/** Last sequence of a batch; sequences wrap past INT32_MAX to 0. */
export function lastSequence(baseSequence: number, lastOffsetDelta: number): number {
  const last = baseSequence + lastOffsetDelta;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

function nextSequence(seq: number): number {
  return seq === INT32_MAX ? 0 : seq + 1;
}

export class PartitionProducerState {
  private readonly producers = new Map<bigint, ProducerEntry>();

  /** Decides what to do with an incoming idempotent batch (producerId >= 0). */
  check(producerId: bigint, epoch: number, baseSequence: number, lastOffsetDelta: number): SequenceCheck {
    const entry = this.producers.get(producerId);
    // No state for this producer on this partition: accept any sequence (current Kafka behaviour).
    if (!entry) return { kind: 'append' };
    if (epoch < entry.epoch) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: `epoch ${epoch} is older than ${entry.epoch}` };
    }
    if (epoch > entry.epoch) {
      return baseSequence === 0
        ? { kind: 'append' }
        : { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `new epoch ${epoch} must start at sequence 0` };
    }
    const last = lastSequence(baseSequence, lastOffsetDelta);
    const dup = entry.batches.find((b) => b.firstSeq === baseSequence && b.lastSeq === last);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset };
    const newest = entry.batches[entry.batches.length - 1];
    const expected = newest ? nextSequence(newest.lastSeq) : baseSequence;
    if (baseSequence !== expected) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `expected sequence ${expected}, got ${baseSequence}`,
      };
    }
    return { kind: 'append' };
  }

  /** Records an appended batch (also used to rebuild the state from stored batch headers after a restart). */
  record(producerId: bigint, epoch: number, baseSequence: number, lastOffsetDelta: number, baseOffset: bigint): void {
    let entry = this.producers.get(producerId);
    if (!entry || epoch > entry.epoch) {
      entry = { epoch, batches: [] };
      this.producers.set(producerId, entry);
    } else if (epoch < entry.epoch) {
      return;
    }
    entry.batches.push({ firstSeq: baseSequence, lastSeq: lastSequence(baseSequence, lastOffsetDelta), baseOffset });
    if (entry.batches.length > CACHED_BATCHES) entry.batches.shift();
  }
}
