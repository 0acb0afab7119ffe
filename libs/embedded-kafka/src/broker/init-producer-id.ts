/**
 * InitProducerId v0-1 for idempotent (non-transactional) producers: a fresh producer id with epoch 0.
 * Transactions are not implemented (the transaction APIs are not advertised), so a transactional id is refused.
 */
import type { InitProducerIdRequest, InitProducerIdResponse } from '../protocol/apis/init-producer-id.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';

export const handleInitProducerId: Handler<InitProducerIdRequest, InitProducerIdResponse> = (ctx, req) => {
  if (req.transactionalId !== null) {
    ctx.broker.logger.warn({ transactionalId: req.transactionalId }, 'transactions are not supported');
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1n, producerEpoch: -1 };
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: ctx.broker.nextProducerId(), producerEpoch: 0 };
};
