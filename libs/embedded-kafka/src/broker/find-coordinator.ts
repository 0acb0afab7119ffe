/** FindCoordinator v0-2: this node coordinates every group. Transaction coordinators (key type 1) do not exist here. */
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../protocol/apis/find-coordinator.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';

const KEY_TYPE_GROUP = 0;

export const handleFindCoordinator: Handler<FindCoordinatorRequest, FindCoordinatorResponse> = (ctx, req) => {
  const { config } = ctx.broker;
  if (req.keyType !== KEY_TYPE_GROUP) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'transactions are not supported', nodeId: -1, host: '', port: -1 };
  }
  if (req.key === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID, errorMessage: 'empty group id', nodeId: -1, host: '', port: -1 };
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: config.nodeId, host: config.host, port: config.port };
};
