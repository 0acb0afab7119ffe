// A minimal gRPC unary client on node:http2 for bench:grpc's load generator.
//
// Why not grpc-js: on this 2-core machine the load generator shares the CPU with the server it measures, and a
// grpc-js client call costs about as much CPU as the server's handling of it (channel, call stack, filters, metadata
// objects, a deadline timer per call). This client speaks the same wire protocol (gRPC over HTTP/2: POST, the
// `application/grpc` content type, `te: trailers`, `grpc-timeout`, length-prefixed messages, status in trailers) with
// request frames built once up front, so the measured CPU and pauses are the server's, not the tool's. It is still an
// honest client: every response's HTTP status, content type and `grpc-status` are checked, the message framing is
// validated and every message is decoded by the generated code; deadlines are sent to the server and enforced here.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type IncomingHttpStatusHeader } from 'node:http2';

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
function decodeGrpcMessage(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The final status of a call from its trailers (or from its headers in a trailers-only response). */
export function statusFromMetadata(headers: IncomingHttpHeaders): { code: number; details: string } | undefined {
  const raw = headers['grpc-status'];
  if (raw === undefined) return undefined;
  const code = Number(Array.isArray(raw) ? raw[0] : raw);
  return { code: Number.isInteger(code) ? code : GRPC_STATUS.UNKNOWN, details: decodeGrpcMessage(headers['grpc-message']) };
}

/**
 * Unhooks this client's listeners from a finished stream. Node keeps an HTTP/2 stream's native handle alive through
 * young-generation GCs (it is a wrapper object with properties set), and with it the stream and everything its
 * listeners reach: left attached, our closures would keep the response buffers and, through the promise's resolve
 * function, the decoded response alive until the next full GC, so every scavenge would copy them. A no-op 'error'
 * listener stays so that a late stream error cannot crash the process.
 */
function detach(stream: ClientHttp2Stream): void {
  stream.removeAllListeners();
  stream.on('error', ignore);
}

const ignore = () => undefined;

interface PendingCall {
  stream: ClientHttp2Stream;
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
 * Unary gRPC calls over a few HTTP/2 sessions, cleartext (h2c, like grpc-js `createInsecure`). Not a general client:
 * no compression, no retries, no metadata beyond the protocol's own headers.
 */
export class RawGrpcClient {
  private readonly sessions: ClientHttp2Session[];
  private readonly pending = new Set<PendingCall>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly headersByPath = new Map<string, http2.OutgoingHttpHeaders>();
  private next = 0;

  constructor(
    private readonly address: string,
    private readonly options: RawGrpcClientOptions,
  ) {
    this.sessions = Array.from({ length: options.sessions }, () => this.connect());
    this.sweeper = setInterval(() => this.expireCalls(), options.deadlineCheckMs ?? 50);
    this.sweeper.unref();
  }

  /** Resolves once every session is connected (so the first measured calls do not pay for the handshake). */
  async ready(): Promise<void> {
    await Promise.all(
      this.sessions.map((session) =>
        session.connecting ? new Promise<void>((resolve, reject) => session.once('connect', () => resolve()).once('error', reject)) : Promise.resolve(),
      ),
    );
  }

  /** Sends `frame` (see grpcFrame) to `method` and decodes the single response message. */
  unary<Res>(method: UnaryMethod<Res>, frame: Buffer): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const session = this.session();
      const stream = session.request(this.headersFor(method.path), { endStream: false });
      const chunks: Buffer[] = [];
      let status: { code: number; details: string } | undefined;
      let httpProblem: string | undefined;
      let settled = false;
      const call: PendingCall = {
        stream,
        deadline: performance.now() + this.options.deadlineMs,
        fail: (error) => finish(error),
      };
      const finish = (error?: GrpcCallError) => {
        if (settled) return;
        settled = true;
        this.pending.delete(call);
        detach(stream);
        if (error) {
          if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
          reject(error);
          return;
        }
        try {
          if (httpProblem) throw new GrpcCallError(GRPC_STATUS.INTERNAL, httpProblem);
          if (!status) throw new GrpcCallError(GRPC_STATUS.INTERNAL, 'the stream ended without a grpc-status');
          if (status.code !== GRPC_STATUS.OK) throw new GrpcCallError(status.code, status.details);
          const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          chunks.length = 0;
          resolve(method.responseDeserialize(unaryResponseMessage(body)));
        } catch (failure) {
          reject(failure instanceof GrpcCallError ? failure : new GrpcCallError(GRPC_STATUS.INTERNAL, `response not decodable: ${(failure as Error).message}`));
        }
      };
      this.pending.add(call);
      stream.on('response', (headers: IncomingHttpHeaders & IncomingHttpStatusHeader) => {
        if (headers[':status'] !== 200) httpProblem = `HTTP status ${headers[':status']}`;
        else if (!String(headers['content-type']).startsWith('application/grpc')) httpProblem = `content-type ${headers['content-type']}`;
        // A trailers-only response (typically an error) carries the status in its headers.
        status = statusFromMetadata(headers) ?? status;
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('trailers', (trailers: IncomingHttpHeaders) => (status = statusFromMetadata(trailers) ?? status));
      stream.on('error', (error: Error) => finish(new GrpcCallError(GRPC_STATUS.UNAVAILABLE, `stream error: ${error.message}`)));
      stream.on('close', () => {
        // A stream reset by the server (RST_STREAM) closes without trailers.
        if (!status && !httpProblem && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) finish(new GrpcCallError(GRPC_STATUS.UNAVAILABLE, `stream reset (code ${stream.rstCode})`));
        else finish();
      });
      stream.end(frame);
    });
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const call of [...this.pending]) call.fail(new GrpcCallError(GRPC_STATUS.CANCELLED, 'client closed'));
    for (const session of this.sessions) session.close();
  }

  private connect(): ClientHttp2Session {
    const session = http2.connect(`http://${this.address}`, { settings: { initialWindowSize: WINDOW_BYTES } });
    session.on('connect', () => session.setLocalWindowSize(WINDOW_BYTES));
    // Errors surface on the streams; a session error without streams must not crash the process.
    session.on('error', () => undefined);
    return session;
  }

  private session(): ClientHttp2Session {
    let session = this.sessions[this.next];
    if (session.closed || session.destroyed) session = this.sessions[this.next] = this.connect();
    this.next = (this.next + 1) % this.sessions.length;
    return session;
  }

  /** Request headers per method, built once: every call has the same relative deadline. */
  private headersFor(path: string): http2.OutgoingHttpHeaders {
    let headers = this.headersByPath.get(path);
    if (!headers) {
      headers = {
        ':method': 'POST',
        ':path': path,
        ':authority': this.address,
        ':scheme': 'http',
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': grpcTimeoutHeader(this.options.deadlineMs),
        'user-agent': 'soulspot-bench-grpc-h2/1',
      };
      this.headersByPath.set(path, headers);
    }
    return headers;
  }

  private expireCalls(): void {
    const now = performance.now();
    for (const call of this.pending) {
      if (call.deadline <= now) call.fail(new GrpcCallError(GRPC_STATUS.DEADLINE_EXCEEDED, 'deadline exceeded (client side)'));
    }
  }
}
