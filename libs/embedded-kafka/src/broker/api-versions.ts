/**
 * ApiVersions v0-3: advertises exactly the APIs implemented here. The server answers unsupported ApiVersions
 * versions itself (UNSUPPORTED_VERSION with this same list in a v0 body) without parsing the request body.
 */
import { ALL_APIS } from '../protocol/apis/index.js';
import type { ApiVersionsResponse } from '../protocol/apis/api-versions.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Handler } from './context.js';

export function supportedApiVersions(errorCode: number = ErrorCode.NONE): ApiVersionsResponse {
  return {
    errorCode,
    apiKeys: ALL_APIS.map((api) => ({ apiKey: api.key, minVersion: api.minVersion, maxVersion: api.maxVersion })).sort(
      (a, b) => a.apiKey - b.apiKey,
    ),
    throttleTimeMs: 0,
  };
}

export const handleApiVersions: Handler<unknown, ApiVersionsResponse> = () => supportedApiVersions();
