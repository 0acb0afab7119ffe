/**
 * TCP side of the broker: size-prefixed framing, per-connection in-order responses for pipelined requests,
 * and Kafka's reaction to bad input (close that connection, keep serving the others).
 */
import net from 'node:net';
import { CLOSE_CONNECTION, type BrokerState, type HandlerResult } from './broker/context.js';
import { supportedApiVersions } from './broker/api-versions.js';
import { HANDLERS } from './broker/handlers.js';
import { ApiVersionsApi } from './protocol/apis/api-versions.js';
import { ErrorCode } from './protocol/errors.js';
import { decodeRequest, encodeResponse, type DecodedRequest } from './protocol/frame.js';
import type { ApiSchema } from './protocol/schema.js';

/** socket.request.max.bytes default: larger frames close the connection before being buffered. */
export const DEFAULT_MAX_REQUEST_BYTES = 100 * 1024 * 1024;

/**
 * Back-pressure: a client that pipelines requests faster than it reads responses stops being read once this
 * many response bytes are queued in the socket, until they drain (Kafka mutes such channels similarly).
 */
const MAX_QUEUED_RESPONSE_BYTES = 64 * 1024 * 1024;
/**
 * Likewise, reading pauses while this many requests of one connection are still unanswered — counting acks=0
 * produces until their handler is done (batches stored): they are never answered, but hold memory until then.
 */
export const MAX_PENDING_REQUESTS = 1024;

interface ResponseSlot {
  chunks: Buffer[] | null;
  close: boolean;
}

const PRODUCE_KEY = 0;

export class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private frameSize = -1;
  private readonly slots: ResponseSlot[] = [];
  /** Requests without a response slot (acks=0 produce) whose handler has not finished yet. */
  private unslotted = 0;
  private closed = false;
  private readonly clientHost: string;

  constructor(
    private readonly socket: net.Socket,
    private readonly broker: BrokerState,
    private readonly maxRequestBytes: number,
  ) {
    this.clientHost = socket.remoteAddress ?? '';
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('drain', () => this.maybeResume());
    socket.on('close', () => {
      this.closed = true;
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.closed && this.buffered >= 4) {
      if (this.frameSize < 0) {
        const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
        const size = head.readInt32BE(0);
        if (size < 0 || size > this.maxRequestBytes) {
          this.broker.logger.warn({ client: this.clientHost, size }, 'frame size out of range: closing connection');
          this.close();
          return;
        }
        this.frameSize = size;
      }
      if (this.buffered < 4 + this.frameSize) return;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      const frame = all.subarray(4, 4 + this.frameSize);
      const rest = all.subarray(4 + this.frameSize);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.frameSize = -1;
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Buffer): void {
    let decoded: DecodedRequest;
    try {
      decoded = decodeRequest(frame);
    } catch (err) {
      this.broker.logger.warn({ client: this.clientHost, err: (err as Error).message }, 'malformed request: closing connection');
      this.close();
      return;
    }
    const { header } = decoded;
    if (decoded.kind === 'unsupported') {
      this.broker.logger.warn(
        { client: this.clientHost, apiKey: header.apiKey, apiVersion: header.apiVersion },
        'unsupported API key or version: closing connection',
      );
      this.close();
      return;
    }
    if (decoded.kind === 'unsupported-api-versions') {
      // Kafka answers with a v0 body (error 35 + the supported ranges) so the client can retry lower.
      this.slots.push({ chunks: encodeResponse(ApiVersionsApi, 0, header.correlationId, supportedApiVersions(ErrorCode.UNSUPPORTED_VERSION)), close: false });
      this.flush();
      return;
    }
    const { api, body } = decoded;
    const expectsResponse = !(api.key === PRODUCE_KEY && (body as { acks: number }).acks === 0);
    const slot: ResponseSlot | null = expectsResponse ? { chunks: null, close: false } : null;
    if (slot) this.slots.push(slot);
    else this.unslotted++;
    if (this.pending >= MAX_PENDING_REQUESTS) this.socket.pause();
    const handler = HANDLERS.get(api.key)!;
    let result: Promise<HandlerResult<object>> | HandlerResult<object>;
    try {
      result = handler({ broker: this.broker, header, version: header.apiVersion, clientHost: this.clientHost }, body);
    } catch (err) {
      this.fail(api, err);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (res) => this.complete(api, header.apiVersion, header.correlationId, slot, res),
        (err) => this.fail(api, err),
      );
    } else {
      this.complete(api, header.apiVersion, header.correlationId, slot, result);
    }
  }

  private complete(api: ApiSchema, version: number, correlationId: number, slot: ResponseSlot | null, result: HandlerResult<object>): void {
    if (!slot) this.unslotted--;
    if (this.closed) return;
    if (result === CLOSE_CONNECTION) {
      if (slot) slot.close = true;
      else this.close();
      this.flush();
      return;
    }
    if (!slot) {
      // stored: its share of the pending limit is free again
      this.maybeResume();
      return;
    }
    try {
      slot.chunks = result === null ? [] : encodeResponse(api, version, correlationId, result);
    } catch (err) {
      // a response that cannot be encoded (e.g. a name echoed back longer than a Kafka string may be) ends this
      // connection only: thrown from here it would reach the socket's data handler or an unhandled rejection and
      // take the whole broker down
      this.fail(api, err);
      return;
    }
    this.flush();
  }

  private fail(api: ApiSchema, err: unknown): void {
    this.broker.logger.error({ client: this.clientHost, api: api.name, err: (err as Error)?.stack ?? String(err) }, 'request handler failed: closing connection');
    this.close();
  }

  /** Writes every finished response at the head of the queue, preserving request order. */
  private flush(): void {
    let corked = false;
    while (!this.closed && this.slots.length > 0) {
      const head = this.slots[0]!;
      if (head.close) {
        this.close();
        return;
      }
      if (head.chunks === null) break;
      this.slots.shift();
      if (!corked) {
        this.socket.cork();
        corked = true;
      }
      for (const c of head.chunks) this.socket.write(c);
    }
    if (corked) this.socket.uncork();
    if (this.socket.writableLength > MAX_QUEUED_RESPONSE_BYTES) this.socket.pause();
    else this.maybeResume();
  }

  private maybeResume(): void {
    if (this.closed || !this.socket.isPaused()) return;
    if (this.pending < MAX_PENDING_REQUESTS && this.socket.writableLength <= MAX_QUEUED_RESPONSE_BYTES) this.socket.resume();
  }

  /** Requests read but not finished: awaiting or holding a response, or (acks=0) not yet stored. */
  private get pending(): number {
    return this.slots.length + this.unslotted;
  }
}

export interface TcpServer {
  port: number;
  close(): Promise<void>;
}

export async function listen(host: string, port: number, broker: BrokerState, maxRequestBytes: number): Promise<TcpServer & { server: net.Server }> {
  const connections = new Set<Connection>();
  const server = net.createServer((socket) => {
    const conn = new Connection(socket, broker, maxRequestBytes);
    connections.add(conn);
    socket.on('close', () => connections.delete(conn));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After a successful listen, errors (e.g. EMFILE on accept) are logged instead of crashing the process.
  server.on('error', (err) => broker.logger.error({ err: err.message }, 'kafka listener error'));
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of connections) c.close();
      }),
  };
}
