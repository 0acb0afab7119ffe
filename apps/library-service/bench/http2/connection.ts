// The client side of one cleartext HTTP/2 connection (RFC 9113, prior knowledge: what grpc-js calls an insecure
// channel), for bench:grpc's load generator. It implements what a client of a gRPC server meets: SETTINGS, PING,
// GOAWAY, RST_STREAM, flow control in both directions, HEADERS/CONTINUATION with HPACK, padding, and stream
// concurrency limits. No server push (disabled in SETTINGS), no priorities, no TLS.
//
// Why not node:http2: each of its streams is a JS object tree whose native handle keeps it alive through
// young-generation GCs, so at 2,000 calls/s every scavenge of the load generator copied the last few hundred streams
// and paused it for ~3 ms — delays the open-loop measurement charges to the server. Here a stream is one small record
// in a Map, and a request is a single pre-encoded write.
import { connect, type Socket } from 'node:net';
import { HpackDecoder, type HeaderFields } from './hpack';

/** Frame types (RFC 9113 §6). */
const FrameType = { DATA: 0x0, HEADERS: 0x1, PRIORITY: 0x2, RST_STREAM: 0x3, SETTINGS: 0x4, PUSH_PROMISE: 0x5, PING: 0x6, GOAWAY: 0x7, WINDOW_UPDATE: 0x8, CONTINUATION: 0x9 } as const;
const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;
const Setting = { HEADER_TABLE_SIZE: 0x1, ENABLE_PUSH: 0x2, MAX_CONCURRENT_STREAMS: 0x3, INITIAL_WINDOW_SIZE: 0x4, MAX_FRAME_SIZE: 0x5 } as const;
/** Error codes (§7) this client sends. */
export const Http2ErrorCode = { NO_ERROR: 0x0, PROTOCOL_ERROR: 0x1, CANCEL: 0x8 } as const;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const FRAME_HEADER_BYTES = 9;
/** Both ends start with these until SETTINGS say otherwise (§6.5.2, §6.9.2). */
const DEFAULT_WINDOW = 65_535;
const DEFAULT_MAX_FRAME_SIZE = 16_384;
const MAX_STREAM_ID = 2 ** 31 - 1;

/** What happens on one stream, as the connection learns it. Exactly one of `end`/`error` is the last call. */
export interface StreamHandlers {
  /** A decoded header block: the response headers, then (with `endStream`) trailers. */
  headers(fields: HeaderFields, endStream: boolean): void;
  data(chunk: Buffer, endStream: boolean): void;
  /** The stream is gone without a normal end: reset by the peer, refused by GOAWAY, or the connection failed. */
  error(message: string): void;
}

interface OpenRequest {
  headerBlock: Buffer;
  body: Buffer;
  handlers: StreamHandlers;
}

interface HeaderBlockInProgress {
  streamId: number;
  endStream: boolean;
  fragments: Buffer[];
}

export interface Http2ConnectionOptions {
  host: string;
  port: number;
  /** Receive window of the connection and of each stream (SETTINGS_INITIAL_WINDOW_SIZE and a WINDOW_UPDATE). */
  windowBytes: number;
}

export class Http2ClientConnection {
  /** Resolves when the server's first SETTINGS arrived (the connection is established); rejects if it fails first. */
  readonly ready: Promise<void>;
  private readonly socket: Socket;
  private readonly decoder = new HpackDecoder();
  private readonly streams = new Map<number, StreamHandlers>();
  /** Received DATA not yet returned to the peer with WINDOW_UPDATE, per stream and for the connection (key 0). */
  private readonly unacknowledged = new Map<number, number>();
  /** Requests waiting for a concurrency slot or for connection send window. */
  private readonly waiting: OpenRequest[] = [];
  private nextStreamId = 1;
  private sendWindow = DEFAULT_WINDOW;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  private peerMaxConcurrentStreams = Infinity;
  private pending: Buffer | undefined;
  private headerBlock: HeaderBlockInProgress | undefined;
  private corked = false;
  private goingAway = false;
  private failed: string | undefined;

  constructor(private readonly options: Http2ConnectionOptions) {
    this.socket = connect({ host: options.host, port: options.port, noDelay: true });
    this.ready = new Promise<void>((resolve, reject) => {
      this.onSettled = (error) => (error ? reject(new Error(error)) : resolve());
    });
    this.ready.catch(() => undefined);
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => this.fail(`connection error: ${error.message}`));
    this.socket.on('close', () => this.fail('connection closed'));
    const settings = this.frame(FrameType.SETTINGS, 0, 0, 12);
    settings.writeUInt16BE(Setting.ENABLE_PUSH, 9);
    settings.writeUInt32BE(0, 11);
    settings.writeUInt16BE(Setting.INITIAL_WINDOW_SIZE, 15);
    settings.writeUInt32BE(options.windowBytes, 17);
    this.write(Buffer.concat([PREFACE, settings, this.windowUpdate(0, options.windowBytes - DEFAULT_WINDOW)]));
  }

  /** False once the connection failed, the server sent GOAWAY, or stream ids ran out: open a new one. */
  get usable(): boolean {
    return !this.failed && !this.goingAway && this.nextStreamId < MAX_STREAM_ID;
  }

  /**
   * Opens a stream with `headerBlock` (an HPACK block that leaves the dynamic table alone, see
   * encodeLiteralHeaderBlock) and sends `body` as its only DATA, ending the client's side.
   * Returns the stream id, or 0 while the request waits for a concurrency slot or send window.
   */
  request(headerBlock: Buffer, body: Buffer, handlers: StreamHandlers): number {
    if (this.failed) {
      handlers.error(this.failed);
      return 0;
    }
    const open = { headerBlock, body, handlers };
    if (this.waiting.length > 0 || !this.canOpen(open)) {
      this.waiting.push(open);
      return 0;
    }
    return this.open(open);
  }

  /** Stops caring about a stream (a client-side deadline): RST_STREAM(CANCEL), and no more handler calls. */
  cancel(streamId: number, handlers: StreamHandlers): void {
    const queued = this.waiting.findIndex((open) => open.handlers === handlers);
    if (queued >= 0) this.waiting.splice(queued, 1);
    if (streamId === 0 || !this.streams.delete(streamId) || this.failed) return;
    const reset = this.frame(FrameType.RST_STREAM, 0, streamId, 4);
    reset.writeUInt32BE(Http2ErrorCode.CANCEL, FRAME_HEADER_BYTES);
    this.write(reset);
    this.closeIfDrained();
  }

  /** Sends GOAWAY and closes; streams still open end with an error. */
  close(): void {
    if (this.failed) return;
    const goAway = this.frame(FrameType.GOAWAY, 0, 0, 8);
    goAway.writeUInt32BE(0, FRAME_HEADER_BYTES);
    goAway.writeUInt32BE(Http2ErrorCode.NO_ERROR, FRAME_HEADER_BYTES + 4);
    this.socket.end(goAway);
    this.fail('connection closed by the client');
  }

  private onSettled: (error?: string) => void = () => undefined;

  private canOpen(open: OpenRequest): boolean {
    return this.streams.size < this.peerMaxConcurrentStreams && open.body.length <= this.sendWindow;
  }

  private open({ headerBlock, body, handlers }: OpenRequest): number {
    if (body.length > this.peerInitialWindow || body.length > this.peerMaxFrameSize || headerBlock.length > this.peerMaxFrameSize) {
      handlers.error(`request of ${body.length} body / ${headerBlock.length} header bytes exceeds what the server accepts in one frame`);
      return 0;
    }
    const streamId = this.nextStreamId;
    this.nextStreamId += 2;
    this.streams.set(streamId, handlers);
    this.sendWindow -= body.length;
    const out = Buffer.allocUnsafe(2 * FRAME_HEADER_BYTES + headerBlock.length + body.length);
    writeFrameHeader(out, 0, headerBlock.length, FrameType.HEADERS, Flag.END_HEADERS, streamId);
    headerBlock.copy(out, FRAME_HEADER_BYTES);
    const dataAt = FRAME_HEADER_BYTES + headerBlock.length;
    writeFrameHeader(out, dataAt, body.length, FrameType.DATA, Flag.END_STREAM, streamId);
    body.copy(out, dataAt + FRAME_HEADER_BYTES);
    this.write(out);
    return streamId;
  }

  private openWaiting(): void {
    while (this.waiting.length > 0 && !this.failed && this.canOpen(this.waiting[0])) this.open(this.waiting.shift()!);
  }

  /** Writes coalesce until the end of the current tick: the requests due in one timer tick leave in one segment. */
  private write(bytes: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(bytes);
  }

  private frame(type: number, flags: number, streamId: number, payloadBytes: number): Buffer {
    const frame = Buffer.alloc(FRAME_HEADER_BYTES + payloadBytes);
    writeFrameHeader(frame, 0, payloadBytes, type, flags, streamId);
    return frame;
  }

  private windowUpdate(streamId: number, increment: number): Buffer {
    const frame = this.frame(FrameType.WINDOW_UPDATE, 0, streamId, 4);
    frame.writeUInt32BE(increment, FRAME_HEADER_BYTES);
    return frame;
  }

  private receive(chunk: Buffer): void {
    let buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    try {
      while (buffer.length >= FRAME_HEADER_BYTES && !this.failed) {
        const length = buffer.readUIntBE(0, 3);
        if (length > DEFAULT_MAX_FRAME_SIZE) throw new ProtocolError(`frame of ${length} bytes exceeds SETTINGS_MAX_FRAME_SIZE`);
        if (buffer.length < FRAME_HEADER_BYTES + length) break;
        const type = buffer[3];
        const flags = buffer[4];
        const streamId = buffer.readUInt32BE(5) & MAX_STREAM_ID;
        this.dispatch(type, flags, streamId, buffer.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length));
        buffer = buffer.subarray(FRAME_HEADER_BYTES + length);
      }
    } catch (error) {
      this.protocolError((error as Error).message);
      return;
    }
    if (buffer.length > 0 && !this.failed) this.pending = Buffer.from(buffer);
  }

  private dispatch(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (this.headerBlock && type !== FrameType.CONTINUATION) throw new ProtocolError(`frame type ${type} inside a header block`);
    switch (type) {
      case FrameType.DATA:
        return this.onData(flags, streamId, payload);
      case FrameType.HEADERS: {
        if (streamId === 0) throw new ProtocolError('HEADERS on stream 0');
        let fragment = unpad(flags, payload);
        if (flags & Flag.PRIORITY) fragment = fragment.subarray(5);
        this.headerBlock = { streamId, endStream: (flags & Flag.END_STREAM) !== 0, fragments: [fragment] };
        if (flags & Flag.END_HEADERS) this.onHeaderBlock();
        return;
      }
      case FrameType.CONTINUATION:
        if (!this.headerBlock || this.headerBlock.streamId !== streamId) throw new ProtocolError('CONTINUATION without a header block');
        this.headerBlock.fragments.push(payload);
        if (flags & Flag.END_HEADERS) this.onHeaderBlock();
        return;
      case FrameType.RST_STREAM: {
        const handlers = this.streams.get(streamId);
        if (!handlers) return;
        this.streams.delete(streamId);
        handlers.error(`stream reset (code ${payload.readUInt32BE(0)})`);
        this.closeIfDrained();
        return this.openWaiting();
      }
      case FrameType.SETTINGS:
        if (flags & Flag.ACK) return;
        if (payload.length % 6 !== 0) throw new ProtocolError('SETTINGS payload is not a multiple of 6 bytes');
        for (let at = 0; at < payload.length; at += 6) this.applySetting(payload.readUInt16BE(at), payload.readUInt32BE(at + 2));
        this.write(this.frame(FrameType.SETTINGS, Flag.ACK, 0, 0));
        this.onSettled();
        return this.openWaiting();
      case FrameType.PING:
        if (flags & Flag.ACK) return;
        if (payload.length !== 8) throw new ProtocolError('PING payload is not 8 bytes');
        {
          const pong = this.frame(FrameType.PING, Flag.ACK, 0, 8);
          payload.copy(pong, FRAME_HEADER_BYTES);
          this.write(pong);
        }
        return;
      case FrameType.GOAWAY: {
        const lastStreamId = payload.readUInt32BE(0) & MAX_STREAM_ID;
        this.goingAway = true;
        for (const [id, handlers] of this.streams) {
          if (id > lastStreamId) {
            this.streams.delete(id);
            handlers.error(`stream refused by GOAWAY (code ${payload.readUInt32BE(4)})`);
          }
        }
        for (const open of this.waiting.splice(0)) open.handlers.error('connection going away');
        return this.closeIfDrained();
      }
      case FrameType.WINDOW_UPDATE:
        if (streamId === 0) {
          this.sendWindow += payload.readUInt32BE(0) & MAX_STREAM_ID;
          this.openWaiting();
        }
        return;
      case FrameType.PUSH_PROMISE:
        throw new ProtocolError('PUSH_PROMISE though push is disabled');
      default:
        // PRIORITY and unknown frame types are ignored (§5.5).
        return;
    }
  }

  private onData(flags: number, streamId: number, payload: Buffer): void {
    // Flow control counts the whole payload, padding included, and also for streams already cancelled.
    this.consumed(0, payload.length);
    const handlers = this.streams.get(streamId);
    if (!handlers) return;
    this.consumed(streamId, payload.length);
    const chunk = unpad(flags, payload);
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (endStream) this.endStream(streamId);
    handlers.data(chunk, endStream);
  }

  private onHeaderBlock(): void {
    const { streamId, endStream, fragments } = this.headerBlock!;
    this.headerBlock = undefined;
    // Decoded whatever the stream's state: the block may change the dynamic table later blocks refer to.
    const fields = this.decoder.decode(fragments.length === 1 ? fragments[0] : Buffer.concat(fragments));
    const handlers = this.streams.get(streamId);
    if (!handlers) return;
    if (endStream) this.endStream(streamId);
    handlers.headers(fields, endStream);
  }

  private endStream(streamId: number): void {
    this.streams.delete(streamId);
    this.unacknowledged.delete(streamId);
    this.closeIfDrained();
    this.openWaiting();
  }

  /** Returns received bytes to the peer's send window once half of ours is used. */
  private consumed(streamId: number, bytes: number): void {
    const total = (this.unacknowledged.get(streamId) ?? 0) + bytes;
    if (total >= this.options.windowBytes / 2) {
      this.unacknowledged.set(streamId, 0);
      this.write(this.windowUpdate(streamId, total));
    } else {
      this.unacknowledged.set(streamId, total);
    }
  }

  private applySetting(id: number, value: number): void {
    switch (id) {
      case Setting.MAX_CONCURRENT_STREAMS:
        this.peerMaxConcurrentStreams = value;
        return;
      case Setting.INITIAL_WINDOW_SIZE:
        if (value > MAX_STREAM_ID) throw new ProtocolError(`SETTINGS_INITIAL_WINDOW_SIZE ${value}`);
        this.peerInitialWindow = value;
        return;
      case Setting.MAX_FRAME_SIZE:
        this.peerMaxFrameSize = value;
        return;
      default:
        // HEADER_TABLE_SIZE only bounds an encoder's dynamic table, and this client's never uses one.
        return;
    }
  }

  private closeIfDrained(): void {
    if (this.goingAway && this.streams.size === 0 && !this.failed) this.close();
  }

  private protocolError(message: string): void {
    const goAway = this.frame(FrameType.GOAWAY, 0, 0, 8);
    goAway.writeUInt32BE(this.nextStreamId, FRAME_HEADER_BYTES);
    goAway.writeUInt32BE(Http2ErrorCode.PROTOCOL_ERROR, FRAME_HEADER_BYTES + 4);
    this.socket.end(goAway);
    this.fail(`protocol error: ${message}`);
  }

  private fail(message: string): void {
    if (this.failed) return;
    this.failed = message;
    this.onSettled(message);
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const handlers of streams) handlers.error(message);
    for (const open of this.waiting.splice(0)) open.handlers.error(message);
    // A FIN after whatever is still buffered (a GOAWAY); a peer that never closes its side is cut off shortly after.
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

class ProtocolError extends Error {}

function writeFrameHeader(out: Buffer, at: number, length: number, type: number, flags: number, streamId: number): void {
  out.writeUIntBE(length, at, 3);
  out[at + 3] = type;
  out[at + 4] = flags;
  out.writeUInt32BE(streamId, at + 5);
}

/** The payload of a DATA or HEADERS frame without its padding (§6.1). */
function unpad(flags: number, payload: Buffer): Buffer {
  if ((flags & Flag.PADDED) === 0) return payload;
  const padLength = payload[0];
  if (padLength >= payload.length) throw new ProtocolError('padding longer than the frame');
  return payload.subarray(1, payload.length - padLength);
}
