/** Shared test plumbing: a broker per suite, quiet kafkajs clients, and a raw Kafka-protocol socket client. */
import net from 'node:net';
import { Kafka, logLevel, Partitioners, type KafkaConfig } from 'kafkajs';
import { startBroker, type BrokerOptions, type RunningBroker } from '../src/index.js';
import { encodeRequest, decodeResponse } from '../src/protocol/frame.js';
import type { ApiSchema } from '../src/protocol/schema.js';
import { crc32c } from '../src/protocol/crc32c.js';
import { Writer } from '../src/protocol/primitives.js';

export async function startTestBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  return startBroker({ port: 0, ...options });
}

export function kafkaClient(broker: RunningBroker, config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ brokers: broker.brokers, clientId: 'embedded-kafka-test', logLevel: logLevel.NOTHING, retry: { retries: 3 }, ...config });
}

export const partitioner = Partitioners.DefaultPartitioner;

/** Polls `predicate` until it holds or `timeoutMs` passes. */
export async function waitFor(predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A minimal Kafka client over one TCP connection: sends encoded frames, reads size-prefixed responses in order. */
export class RawClient {
  private buffered = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private waiter: (() => void) | null = null;
  closed = false;
  private correlation = 1;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        this.frames.push(this.buffered.subarray(4, 4 + size));
        this.buffered = this.buffered.subarray(4 + size);
      }
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  static connect(broker: RunningBroker): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(broker.port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Encodes a request with the next correlation id and writes it; returns the bytes sent. */
  send(api: ApiSchema, version: number, body: object): { correlationId: number; bytes: Buffer } {
    const correlationId = this.correlation++;
    const bytes = encodeRequest(api, version, correlationId, 'raw-test', body);
    this.write(bytes);
    return { correlationId, bytes };
  }

  /** Response frames received and not yet taken by nextFrame / receive. */
  get queuedFrames(): number {
    return this.frames.length;
  }

  /** Next response frame, or null if the broker closed the connection first. */
  async nextFrame(timeoutMs = 5000): Promise<Buffer | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0 && !this.closed) {
      if (Date.now() > deadline) throw new Error('no response frame');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
      this.waiter = null;
    }
    return this.frames.shift() ?? null;
  }

  async receive<T>(api: ApiSchema, version: number): Promise<{ correlationId: number; body: T }> {
    const frame = await this.nextFrame();
    if (!frame) throw new Error('connection closed by broker');
    return decodeResponse<T>(api, version, frame);
  }

  /** Resolves true once the broker has closed the connection. */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    await waitFor(() => this.closed, timeoutMs, 'connection close');
    return true;
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface TestRecord {
  key: string | null;
  value: string | null;
  timestampDelta?: number;
}

/** Builds an uncompressed record batch v2 with a valid CRC-32C (the bytes a producer would send). */
export function buildBatch(
  records: TestRecord[],
  options: { producerId?: bigint; producerEpoch?: number; baseSequence?: number; baseTimestamp?: bigint } = {},
): Buffer {
  const body = new Writer(256);
  records.forEach((r, i) => {
    const rec = new Writer(64);
    rec.int8(0).varint(r.timestampDelta ?? 0).varint(i);
    const key = r.key === null ? null : Buffer.from(r.key);
    const value = r.value === null ? null : Buffer.from(r.value);
    rec.varint(key ? key.length : -1);
    if (key) rec.raw(key);
    rec.varint(value ? value.length : -1);
    if (value) rec.raw(value);
    rec.varint(0);
    const bytes = rec.toBuffer();
    body.varint(bytes.length).raw(bytes);
  });
  const recordBytes = body.toBuffer();
  const baseTimestamp = options.baseTimestamp ?? BigInt(Date.now());
  const maxDelta = Math.max(0, ...records.map((r) => r.timestampDelta ?? 0));
  const w = new Writer(128);
  w.int64(0n).int32(0).int32(-1).int8(2).uint32(0).int16(0).int32(records.length - 1);
  w.int64(baseTimestamp).int64(baseTimestamp + BigInt(maxDelta));
  w.int64(options.producerId ?? -1n).int16(options.producerEpoch ?? -1).int32(options.baseSequence ?? -1).int32(records.length);
  w.raw(recordBytes);
  const batch = w.toBuffer();
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeUInt32BE(crc32c(batch, 21), 17);
  return batch;
}
