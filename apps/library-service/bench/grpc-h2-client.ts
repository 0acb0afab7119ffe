// A minimal gRPC unary client for bench:grpc's load generator, on its own HTTP/2 implementation (./http2).
//
// Why not grpc-js: on this 2-core machine the load generator shares the CPU with the server it measures, and a
// grpc-js client call costs about as much CPU as the server's handling of it (channel, call stack, filters, metadata
// objects, a deadline timer per call). Why not node:http2 either: see ./http2/connection.ts (its streams outlive
// young-generation GCs, so the tool's own GC pauses grew with the call rate). This client speaks the same wire
// protocol (gRPC over HTTP/2: POST, the `application/grpc` content type, `te: trailers`, `grpc-timeout`,
// length-prefixed messages, status in trailers) with request frames and header blocks built once up front, so the
// measured CPU and pauses are the server's, not the tool's. It is still an honest client: every response's HTTP
// status, content type and `grpc-status` are checked, the message framing is validated and every message is decoded
// by the generated code; deadlines are sent to the server and enforced here.
import { Http2ClientConnection, type StreamHandlers } from './http2/connection';
import { encodeLiteralHeaderBlock, type HeaderFields } from './http2/hpack';

/** The parts of a generated grpc-js method definition this client needs. */
export interface UnaryMethod<Res> {
  path: string;
  responseDeserialize(bytes: Buffer): Res;
}

/** A call that ended with a non-OK gRPC status (or a transport failure mapped to one, as grpc-js does). */
export class GrpcCallError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`gRPC status ${code}: ${details}`);
    this.name = 'GrpcCallError';
  }
}

/** gRPC status codes this client produces itself. */
export const GRPC_STATUS = { OK: 0, CANCELLED: 1, UNKNOWN: 2, DEADLINE_EXCEEDED: 4, INTERNAL: 13, UNAVAILABLE: 14 } as const;

const MESSAGE_PREFIX_BYTES = 5;

/** One uncompressed gRPC message with its 5-byte prefix (compressed flag 0, big-endian length). */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(MESSAGE_PREFIX_BYTES + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, MESSAGE_PREFIX_BYTES);
  return frame;
}

/**
 * The single message of a unary response body (the concatenated DATA frames). Throws on anything but exactly one
 * complete, uncompressed message: this client never offers compression, so a compressed flag is a protocol error.
 */
export function unaryResponseMessage(body: Buffer): Buffer {
  if (body.length < MESSAGE_PREFIX_BYTES) throw new GrpcCallError(GRPC_STATUS.INTERNAL, `response body of ${body.length} bytes holds no message`);
  if (body[0] !== 0) throw new GrpcCallError(GRPC_STATUS.INTERNAL, `compressed response message (flag ${body[0]}) though none was offered`);
  const length = body.readUInt32BE(1);
  if (body.length !== MESSAGE_PREFIX_BYTES + length) {
    throw new GrpcCallError(GRPC_STATUS.INTERNAL, `response body is ${body.length} bytes, its message prefix says ${MESSAGE_PREFIX_BYTES + length}`);
  }
  return body.subarray(MESSAGE_PREFIX_BYTES);
}

/** The `grpc-timeout` header for a deadline `ms` from now (at most 8 digits, as the protocol requires). */
export function grpcTimeoutHeader(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  return whole < 1e8 ? `${whole}m` : `${Math.ceil(whole / 1000)}S`;
}

/** `grpc-message` is percent-encoded on the wire. */
function decodeGrpcMessage(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The final status of a call from its trailers (or from its headers in a trailers-only response). */
export function statusFromMetadata(fields: Readonly<HeaderFields>): { code: number; details: string } | undefined {
  const raw = fields['grpc-status'];
  if (raw === undefined) return undefined;
  const code = Number(raw);
  return { code: Number.isInteger(code) ? code : GRPC_STATUS.UNKNOWN, details: decodeGrpcMessage(fields['grpc-message'] ?? '') };
}

interface PendingCall {
  connection: Http2ClientConnection;
  /** 0 until the connection opened the stream (it may wait for a concurrency slot or send window). */
  streamId: number;
  deadline: number;
  fail(error: GrpcCallError): void;
}

export interface RawGrpcClientOptions {
  /** HTTP/2 connections the calls are spread over (round robin), like grpc-js channels. */
  sessions: number;
  /** Deadline of every call, sent as `grpc-timeout` and enforced by this client. */
  deadlineMs: number;
  /** How often expired calls are looked for (one timer for all calls instead of one per call). */
  deadlineCheckMs?: number;
}

/** Flow-control window: a ListArtists page is tens of kilobytes and many are in flight on one connection. */
const WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * Unary gRPC calls over a few HTTP/2 connections, cleartext (h2c, like grpc-js `createInsecure`). Not a general
 * client: no compression, no retries, no metadata beyond the protocol's own headers.
 */
export class RawGrpcClient {
  private readonly connections: Http2ClientConnection[];
  private readonly pending = new Set<PendingCall>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly headerBlocks = new Map<string, Buffer>();
  private readonly host: string;
  private readonly port: number;
  private next = 0;

  constructor(
    private readonly address: string,
    private readonly options: RawGrpcClientOptions,
  ) {
    const separator = address.lastIndexOf(':');
    this.host = address.slice(0, separator);
    this.port = Number(address.slice(separator + 1));
    this.connections = Array.from({ length: options.sessions }, () => this.connect());
    this.sweeper = setInterval(() => this.expireCalls(), options.deadlineCheckMs ?? 50);
    this.sweeper.unref();
  }

  /** Resolves once every connection is established (so the first measured calls do not pay for the handshake). */
  async ready(): Promise<void> {
    await Promise.all(this.connections.map((connection) => connection.ready));
  }

  /** Sends `frame` (see grpcFrame) to `method` and decodes the single response message. */
  unary<Res>(method: UnaryMethod<Res>, frame: Buffer): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status: { code: number; details: string } | undefined;
      let httpProblem: string | undefined;
      let headersSeen = false;
      let settled = false;
      const finish = (error?: GrpcCallError) => {
        if (settled) return;
        settled = true;
        this.pending.delete(call);
        if (error) {
          call.connection.cancel(call.streamId, handlers);
          reject(error);
          return;
        }
        try {
          if (httpProblem) throw new GrpcCallError(GRPC_STATUS.INTERNAL, httpProblem);
          if (!status) throw new GrpcCallError(GRPC_STATUS.INTERNAL, 'the stream ended without a grpc-status');
          if (status.code !== GRPC_STATUS.OK) throw new GrpcCallError(status.code, status.details);
          const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          resolve(method.responseDeserialize(unaryResponseMessage(body)));
        } catch (failure) {
          reject(failure instanceof GrpcCallError ? failure : new GrpcCallError(GRPC_STATUS.INTERNAL, `response not decodable: ${(failure as Error).message}`));
        }
      };
      const handlers: StreamHandlers = {
        headers: (fields: HeaderFields, endStream: boolean) => {
          if (!headersSeen) {
            headersSeen = true;
            if (fields[':status'] !== '200') httpProblem = `HTTP status ${fields[':status']}`;
            else if (!String(fields['content-type']).startsWith('application/grpc')) httpProblem = `content-type ${fields['content-type']}`;
          }
          // Trailers carry the status; so do the headers of a trailers-only response (typically an error).
          status = statusFromMetadata(fields) ?? status;
          if (endStream) finish();
        },
        data: (chunk: Buffer, endStream: boolean) => {
          chunks.push(chunk);
          if (endStream) finish();
        },
        error: (message: string) => finish(new GrpcCallError(GRPC_STATUS.UNAVAILABLE, message)),
      };
      const call: PendingCall = {
        connection: this.connection(),
        streamId: 0,
        deadline: performance.now() + this.options.deadlineMs,
        fail: (error) => finish(error),
      };
      this.pending.add(call);
      const streamId = call.connection.request(this.headerBlockFor(method.path), frame, handlers);
      if (!settled) call.streamId = streamId;
    });
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const call of [...this.pending]) call.fail(new GrpcCallError(GRPC_STATUS.CANCELLED, 'client closed'));
    for (const connection of this.connections) connection.close();
  }

  private connect(): Http2ClientConnection {
    return new Http2ClientConnection({ host: this.host, port: this.port, windowBytes: WINDOW_BYTES });
  }

  private connection(): Http2ClientConnection {
    let connection = this.connections[this.next];
    if (!connection.usable) connection = this.connections[this.next] = this.connect();
    this.next = (this.next + 1) % this.connections.length;
    return connection;
  }

  /** The request header block per method, encoded once: every call has the same relative deadline. */
  private headerBlockFor(path: string): Buffer {
    let block = this.headerBlocks.get(path);
    if (!block) {
      block = encodeLiteralHeaderBlock([
        [':method', 'POST'],
        [':scheme', 'http'],
        [':path', path],
        [':authority', this.address],
        ['content-type', 'application/grpc'],
        ['te', 'trailers'],
        ['grpc-timeout', grpcTimeoutHeader(this.options.deadlineMs)],
        ['user-agent', 'soulspot-bench-grpc-h2/2'],
      ]);
      this.headerBlocks.set(path, block);
    }
    return block;
  }

  private expireCalls(): void {
    const now = performance.now();
    for (const call of this.pending) {
      if (call.deadline <= now) call.fail(new GrpcCallError(GRPC_STATUS.DEADLINE_EXCEEDED, 'deadline exceeded (client side)'));
    }
  }
}
