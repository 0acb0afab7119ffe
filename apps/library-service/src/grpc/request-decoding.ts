import { status as Status, type ServiceDefinition } from '@grpc/grpc-js';
import { ApiError } from './errors';

const UNDECODABLE = Symbol('undecodable request');

/**
 * The service definition with request decoders that never throw. grpc-js answers a request it cannot decode with
 * INTERNAL ("Error deserializing request") before any handler runs, which tells a client with a wrong message (JSON
 * sent to a gRPC port, another proto, a truncated frame) that the server is broken; the handlers answer such a
 * request INVALID_ARGUMENT instead (see undecodableRequest).
 */
export function decodeRequestsLeniently<S extends ServiceDefinition>(definition: S): S {
  const lenient: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    const decode = method.requestDeserialize;
    lenient[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return decode(bytes);
        } catch {
          return { [UNDECODABLE]: true };
        }
      },
    };
  }
  return lenient as S;
}

/** The error for a request decodeRequestsLeniently could not decode, or undefined for a decoded one. */
export function undecodableRequest(request: unknown): ApiError | undefined {
  if (typeof request !== 'object' || request === null || !(UNDECODABLE in request)) return undefined;
  return new ApiError(Status.INVALID_ARGUMENT, 'the request message could not be decoded (is it the protobuf message this method takes?)');
}
