/**
 * Request/response framing on top of the field tables: request header v1/v2, response header v0/v1
 * (ApiVersions always answers with header v0), and the int32 size prefix.
 */
import { ApiVersionsApi } from './apis/api-versions.js';
import { apiByKey } from './apis/index.js';
import { ProtocolError, Reader, Writer } from './primitives.js';
import { decodeBody, encodeBody, type ApiSchema } from './schema.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export type DecodedRequest =
  | { kind: 'ok'; header: RequestHeader; api: ApiSchema; body: unknown }
  /** ApiVersions with a version we do not know: answered UNSUPPORTED_VERSION with a v0 body, body not parsed. */
  | { kind: 'unsupported-api-versions'; header: RequestHeader }
  /** Unknown key or unsupported version of another API: Kafka closes the connection. */
  | { kind: 'unsupported'; header: RequestHeader };

export function isFlexible(api: ApiSchema, version: number): boolean {
  return version >= api.firstFlexible;
}

/** Decodes one frame (without its size prefix). Throws ProtocolError on malformed bytes. */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const r = new Reader(frame);
  const header: RequestHeader = { apiKey: r.int16(), apiVersion: r.int16(), correlationId: r.int32(), clientId: r.nullableString() };
  const api = apiByKey(header.apiKey);
  if (!api || header.apiVersion < api.minVersion || header.apiVersion > api.maxVersion) {
    if (header.apiKey === ApiVersionsApi.key) return { kind: 'unsupported-api-versions', header };
    return { kind: 'unsupported', header };
  }
  const flexible = isFlexible(api, header.apiVersion);
  if (flexible) r.skipTags();
  const body = decodeBody(r, api.request, header.apiVersion, flexible);
  if (r.remaining !== 0) throw new ProtocolError(`${r.remaining} trailing bytes after ${api.name} v${header.apiVersion}`);
  return { kind: 'ok', header, api, body };
}

/** Encodes a response frame (size prefix included) as chunks ready for socket writes. */
export function encodeResponse(api: ApiSchema, version: number, correlationId: number, body: object): Buffer[] {
  const w = new Writer(256);
  w.int32(0); // size, patched below
  w.int32(correlationId);
  const flexible = isFlexible(api, version);
  if (flexible && api.key !== ApiVersionsApi.key) w.uvarint(0);
  encodeBody(w, api.response, body, version, flexible);
  const size = w.length - 4;
  const chunks = w.chunksOut();
  chunks[0]!.writeInt32BE(size, 0);
  return chunks;
}

/** Encodes a request frame (size prefix included); used by tests and tooling that speak to the broker. */
export function encodeRequest(api: ApiSchema, version: number, correlationId: number, clientId: string | null, body: object): Buffer {
  const w = new Writer(256);
  w.int32(0);
  w.int16(api.key).int16(version).int32(correlationId).nullableString(clientId);
  const flexible = isFlexible(api, version);
  if (flexible) w.uvarint(0);
  encodeBody(w, api.request, body, version, flexible);
  const out = w.toBuffer();
  out.writeInt32BE(out.length - 4, 0);
  return out;
}

/** Decodes a response frame (without size prefix); for tests and tooling. */
export function decodeResponse<T>(api: ApiSchema, version: number, frame: Buffer): { correlationId: number; body: T } {
  const r = new Reader(frame);
  const correlationId = r.int32();
  const flexible = isFlexible(api, version);
  if (flexible && api.key !== ApiVersionsApi.key) r.skipTags();
  const body = decodeBody<T>(r, api.response, version, flexible);
  return { correlationId, body };
}
