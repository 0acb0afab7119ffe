import { status as Status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ApiError, toServiceError } from './errors';

export interface CallContext {
  /** Aborts when the client cancels, the deadline passes or the server shuts down. */
  signal: AbortSignal;
}

/** Tracks in-flight calls so a graceful shutdown can end long-lived streams. */
export class CallRegistry {
  private readonly controllers = new Set<AbortController>();
  private readonly idleWaiters: Array<() => void> = [];
  private closing = false;

  open(): AbortController {
    const controller = new AbortController();
    if (this.closing) controller.abort();
    this.controllers.add(controller);
    return controller;
  }

  close(controller: AbortController): void {
    this.controllers.delete(controller);
    if (this.controllers.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves once no call is in flight. */
  idle(): Promise<void> {
    if (this.controllers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Marks the server as shutting down and aborts every open call. */
  abortAll(): void {
    this.closing = true;
    for (const controller of this.controllers) controller.abort();
  }

  get shuttingDown(): boolean {
    return this.closing;
  }
}

function watchCall(call: { on(event: 'cancelled', listener: () => void): unknown; getDeadline(): Date | number }, controller: AbortController): () => void {
  call.on('cancelled', () => controller.abort());
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(ms)) return () => undefined;
  const timer = setTimeout(() => controller.abort(), Math.max(0, ms - Date.now()));
  return () => clearTimeout(timer);
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
    const controller = registry.open();
    const stopTimer = watchCall(call, controller);
    // Promise.resolve().then: a handler that throws synchronously (validation) still maps to a proper status.
    Promise.resolve()
      .then(() => handler(call.request, { signal: controller.signal }))
      .then(
      (response) => callback(null, response),
      (error: unknown) => {
        const serviceError = toServiceError(error);
        logFailure(logger, method, error, serviceError.code);
        callback(serviceError);
      },
    ).finally(() => {
      stopTimer();
      registry.close(controller);
    });
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
    const controller = registry.open();
    const stopTimer = watchCall(call, controller);
    const signal = controller.signal;
    const write = (message: Res) =>
      new Promise<void>((resolve) => {
        if (signal.aborted || call.write(message)) return resolve();
        // Wait for the client to read (back-pressure), unless the call ends first.
        const done = () => {
          call.off('drain', done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        call.once('drain', done);
        signal.addEventListener('abort', done, { once: true });
      });
    Promise.resolve()
      .then(() => handler(call.request, { signal, write }))
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
        stopTimer();
        registry.close(controller);
      });
  };
}
