import { status as Status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ApiError, toServiceError } from './errors';
import { undecodableRequest } from './request-decoding';

/**
 * A call's cancellation as the handlers see it. Deliberately not an AbortSignal: one is made per request, and an
 * EventTarget-based AbortSignal costs several microseconds to create, listen to and unlisten from, which showed up
 * in the read API's CPU profile at thousands of calls a second.
 */
export interface CallSignal {
  readonly aborted: boolean;
  /** Runs `listener` once when the call is cancelled (right away if it already is); returns an unsubscribe function. */
  onAbort(listener: () => void): () => void;
}

/** The owning side of a CallSignal. */
export class CallCancellation implements CallSignal {
  aborted = false;
  private listeners: Array<() => void> | undefined;

  onAbort(listener: () => void): () => void {
    if (this.aborted) {
      listener();
      return () => undefined;
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index !== -1) this.listeners!.splice(index, 1);
    };
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners;
    this.listeners = undefined;
    for (const listener of listeners ?? []) listener();
  }
}

export interface CallContext {
  /** Aborts when the client cancels, the deadline passes or the server shuts down. */
  signal: CallSignal;
}

/**
 * Tracks in-flight calls for a graceful shutdown: streams never finish on their own and are ended at once (clients
 * resume from their cursor), unary calls are left to finish (drain) and only aborted when the drain gives up.
 */
export class CallRegistry {
  private readonly controllers = new Set<CallCancellation>();
  private readonly streams = new Set<CallCancellation>();
  private readonly idleWaiters: Array<() => void> = [];
  private closing = false;

  open(kind: 'unary' | 'stream'): CallCancellation {
    const controller = new CallCancellation();
    this.controllers.add(controller);
    if (kind === 'stream') {
      this.streams.add(controller);
      if (this.closing) controller.abort();
    }
    return controller;
  }

  close(controller: CallCancellation): void {
    this.controllers.delete(controller);
    this.streams.delete(controller);
    if (this.controllers.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves once no call is in flight. */
  idle(): Promise<void> {
    if (this.controllers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Marks the server as shutting down and ends every stream (open or opened later); unary calls go on. */
  beginShutdown(): void {
    this.closing = true;
    for (const controller of this.streams) controller.abort();
  }

  /** Shutting down without (further) draining: aborts every open call, unary ones too. */
  abortAll(): void {
    this.beginShutdown();
    for (const controller of this.controllers) controller.abort();
  }

  get shuttingDown(): boolean {
    return this.closing;
  }
}

/**
 * Aborts `controller` when grpc-js reports the call cancelled: the client cancelled, its deadline passed (grpc-js
 * runs the deadline timer itself, answers DEADLINE_EXCEEDED and closes the stream) or the connection dropped.
 * grpc-js also emits 'cancelled' when a finished call's stream closes; the returned `finish` stops that from
 * aborting a call that is already over. It also detaches the listener: grpc-js keeps a finished call (its HTTP/2
 * stream) reachable until the next full GC, and a listener left on it would keep the controller, and whatever still
 * listens to it, alive as long.
 */
function watchCancellation(
  call: { once(event: 'cancelled', listener: () => void): unknown; removeListener(event: 'cancelled', listener: () => void): unknown },
  controller: CallCancellation,
): () => void {
  const onCancelled = () => controller.abort();
  call.once('cancelled', onCancelled);
  return () => {
    call.removeListener('cancelled', onCancelled);
  };
}

/** Last time an "unavailable" warning was logged per method: an outage or overload must not flood the log. */
const lastUnavailableLog = new Map<string, number>();

function logFailure(logger: Logger, method: string, error: unknown, code: Status): void {
  // ApiErrors are answers the client caused or must handle (validation, not found, overload); nothing to log.
  if (error instanceof ApiError) return;
  if (code === Status.INTERNAL) {
    logger.error({ err: error, method }, 'rpc failed');
  } else if (code === Status.UNAVAILABLE) {
    const now = Date.now();
    if (now - (lastUnavailableLog.get(method) ?? 0) < 1000) return;
    lastUnavailableLog.set(method, now);
    logger.warn({ err: error instanceof Error ? error.message : String(error), method }, 'rpc unavailable (logged at most once a second)');
  } else {
    logger.debug({ method, code }, 'rpc ended');
  }
}

/** Adapts an async handler to grpc-js: cancellation signal in, status mapping out, no stack traces to clients. */
export function unary<Req, Res>(
  method: string,
  logger: Logger,
  registry: CallRegistry,
  handler: (request: Req, context: CallContext) => Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    const controller = registry.open('unary');
    const finish = watchCancellation(call, controller);
    void run(call.request, controller, callback);
    async function run(request: Req, signal: CallSignal, respond: sendUnaryData<Res>): Promise<void> {
      try {
        let response: Res;
        try {
          const undecodable = undecodableRequest(request);
          if (undecodable) throw undecodable;
          // Called inside try: a handler that throws synchronously (validation) still maps to a proper status.
          response = await handler(request, { signal });
        } catch (error) {
          const serviceError = toServiceError(error);
          logFailure(logger, method, error, serviceError.code);
          respond(serviceError);
          return;
        }
        respond(null, response);
      } finally {
        finish();
        registry.close(controller);
      }
    }
  };
}

/**
 * Adapts an async streaming handler. The handler writes through `write` (which respects back-pressure) until the
 * signal aborts; a server shutdown ends the stream with UNAVAILABLE so clients reconnect and resume.
 */
export function serverStream<Req, Res>(
  method: string,
  logger: Logger,
  registry: CallRegistry,
  handler: (request: Req, context: CallContext & { write(message: Res): Promise<void> }) => Promise<void>,
): (call: ServerWritableStream<Req, Res>) => void {
  return (call) => {
    const controller = registry.open('stream');
    const finish = watchCancellation(call, controller);
    const signal: CallSignal = controller;
    const write = (message: Res) =>
      new Promise<void>((resolve) => {
        if (signal.aborted || call.write(message)) return resolve();
        // Wait for the client to read (back-pressure), unless the call ends first.
        const done = () => {
          call.off('drain', done);
          unsubscribe();
          resolve();
        };
        call.once('drain', done);
        const unsubscribe = signal.onAbort(done);
      });
    Promise.resolve()
      .then(() => {
        const undecodable = undecodableRequest(call.request);
        if (undecodable) throw undecodable;
        return handler(call.request, { signal, write });
      })
      .then(
        () => {
          if (registry.shuttingDown) call.emit('error', { code: Status.UNAVAILABLE, details: 'the server is shutting down; resume from your last cursor' });
          else call.end();
        },
        (error: unknown) => {
          const serviceError = toServiceError(error);
          logFailure(logger, method, error, serviceError.code);
          call.emit('error', registry.shuttingDown ? { code: Status.UNAVAILABLE, details: 'the server is shutting down; resume from your last cursor' } : serviceError);
        },
      )
      .finally(() => {
        finish();
        registry.close(controller);
      });
  };
}
