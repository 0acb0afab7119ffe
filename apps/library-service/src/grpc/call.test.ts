import { EventEmitter } from 'node:events';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CallCancellation, CallRegistry, unary, type CallSignal } from './call';

describe('CallCancellation', () => {
  it('runs each listener once on abort, not after it unsubscribed, and right away once aborted', () => {
    const cancellation = new CallCancellation();
    const calls: string[] = [];
    cancellation.onAbort(() => calls.push('a'));
    const unsubscribe = cancellation.onAbort(() => calls.push('b'));
    cancellation.onAbort(() => calls.push('c'));
    unsubscribe();
    expect(cancellation.aborted).toBe(false);
    cancellation.abort();
    cancellation.abort();
    expect(calls).toEqual(['a', 'c']);
    expect(cancellation.aborted).toBe(true);
    cancellation.onAbort(() => calls.push('late'));
    expect(calls).toEqual(['a', 'c', 'late']);
  });
});

describe('CallRegistry', () => {
  it('ends streams when shutdown begins (and streams opened later), lets unary calls finish, and reports idle when the last one closes', { timeout: 2000 }, async () => {
    const registry = new CallRegistry();
    const stream = registry.open('stream');
    const unaryCall = registry.open('unary');
    let idle = false;
    const waiting = registry.idle().then(() => (idle = true));
    registry.beginShutdown();
    expect([stream.aborted, unaryCall.aborted, registry.shuttingDown]).toEqual([true, false, true]);
    const late = registry.open('stream');
    expect(late.aborted).toBe(true);
    registry.close(late);
    registry.close(stream);
    await Promise.resolve();
    expect(idle).toBe(false);
    registry.close(unaryCall);
    await waiting;
    expect(idle).toBe(true);
  });

  it('aborts unary calls too when the drain gives up', () => {
    const registry = new CallRegistry();
    const unaryCall = registry.open('unary');
    registry.abortAll();
    expect([unaryCall.aborted, registry.shuttingDown]).toEqual([true, true]);
  });
});

describe('unary', () => {
  it('aborts the handler\'s signal when the call is cancelled, and detaches from the call once it is answered', async () => {
    const registry = new CallRegistry();
    const signals: CallSignal[] = [];
    const handler = unary<string, string>('Echo', pino({ level: 'silent' }), registry, async (request, { signal }) => {
      signals.push(signal);
      await new Promise((resolve) => setImmediate(resolve));
      return request;
    });
    const answer = (call: EventEmitter) =>
      new Promise<unknown>((resolve) => handler(Object.assign(call, { request: 'hi' }) as unknown as ServerUnaryCall<string, string>, (error, value) => resolve(error ?? value)));

    const cancelled = new EventEmitter();
    const pending = answer(cancelled);
    cancelled.emit('cancelled');
    expect(signals[0].aborted).toBe(true);
    await pending;

    const finished = new EventEmitter();
    expect(await answer(finished)).toBe('hi');
    // grpc-js keeps a finished call until a full GC: nothing of ours may stay attached to it.
    expect(finished.listenerCount('cancelled')).toBe(0);
    finished.emit('cancelled');
    expect(signals[1].aborted).toBe(false);
    await registry.idle();
  });
});
