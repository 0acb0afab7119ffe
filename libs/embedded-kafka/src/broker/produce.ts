/**
 * Produce v3-7. Per partition: validate the single v2 batch (header + CRC, no record decoding), check the
 * idempotent-producer sequence, append with a broker-assigned base offset, wake parked fetches.
 * acks=0: no response at all; if anything failed, the connection is closed instead (as Kafka does).
 */
import type { ProducePartitionResponse, ProduceRequest, ProduceResponse } from '../protocol/apis/produce.js';
import { ErrorCode } from '../protocol/errors.js';
import { validateProducedBatch, type BatchInfo } from '../protocol/record-batch.js';
import { CLOSE_CONNECTION, type Handler, type RequestContext } from './context.js';
import type { Partition } from './partition.js';

export const handleProduce: Handler<ProduceRequest, ProduceResponse> = async (ctx, req) => {
  const acksValid = req.acks === -1 || req.acks === 0 || req.acks === 1;
  if (req.transactionalId !== null) ctx.broker.logger.warn({ transactionalId: req.transactionalId }, 'transactional produce rejected');
  const responses = await Promise.all(
    req.topicData.map(async (topicData) => ({
      name: topicData.name,
      partitionResponses: await Promise.all(
        topicData.partitionData.map((pd) =>
          acksValid
            ? producePartition(ctx, topicData.name, pd.index, pd.records)
            : partitionError(pd.index, ErrorCode.INVALID_REQUIRED_ACKS),
        ),
      ),
    })),
  );
  if (req.acks === 0) {
    const failed = responses.some((t) => t.partitionResponses.some((p) => p.errorCode !== ErrorCode.NONE));
    return failed ? CLOSE_CONNECTION : null;
  }
  return { responses, throttleTimeMs: 0 };
};

function partitionError(index: number, errorCode: number): ProducePartitionResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}

async function producePartition(ctx: RequestContext, topicName: string, index: number, records: Buffer | null): Promise<ProducePartitionResponse> {
  const { broker } = ctx;
  let topic = broker.topics.get(topicName);
  if (!topic && broker.config.autoCreateTopics) {
    const created = await broker.topics.getOrCreate(topicName, broker.config.defaultPartitions);
    if ('topic' in created) topic = created.topic;
  }
  const partition = topic?.partitions[index];
  if (!partition) return partitionError(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (records === null || records.length === 0) return partitionError(index, ErrorCode.INVALID_RECORD);
  if (records.length > broker.config.maxMessageBytes) return partitionError(index, ErrorCode.MESSAGE_TOO_LARGE);
  const validation = validateProducedBatch(records);
  if (!validation.ok) {
    broker.logger.warn({ topic: topicName, partition: index, reason: validation.message }, 'rejected produced batch');
    return partitionError(index, validation.errorCode);
  }
  return partition.serialize(() => appendBatch(partition, records, validation.info));
}

async function appendBatch(partition: Partition, batch: Buffer, info: BatchInfo): Promise<ProducePartitionResponse> {
  const idempotent = info.producerId >= 0n;
  if (idempotent) {
    partition.ensureProducerStateLoaded();
    const check = partition.producers.check(info.producerId, info.producerEpoch, info.baseSequence, info.lastOffsetDelta);
    if (check.kind === 'error') return partitionError(partition.index, check.errorCode);
    if (check.kind === 'duplicate') return success(partition, check.baseOffset);
  }
  const baseOffset = await partition.log.append(batch, info.recordCount, info.maxTimestamp);
  if (idempotent) partition.producers.record(info.producerId, info.producerEpoch, info.baseSequence, info.lastOffsetDelta, baseOffset);
  partition.notifyAppended({ bytes: batch.length });
  return success(partition, baseOffset);
}

function success(partition: Partition, baseOffset: bigint): ProducePartitionResponse {
  return {
    index: partition.index,
    errorCode: ErrorCode.NONE,
    baseOffset,
    logAppendTimeMs: -1n,
    logStartOffset: partition.log.logStartOffset,
  };
}
