import { describe, expect, it } from 'vitest';
import { CallCancellation, CallRegistry } from './call';

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
  it('aborts open calls on shutdown, opens later ones aborted, and reports idle when the last one closes', { timeout: 2000 }, async () => {
    const registry = new CallRegistry();
    const first = registry.open();
    const second = registry.open();
    let idle = false;
    const waiting = registry.idle().then(() => (idle = true));
    registry.abortAll();
    expect([first.aborted, second.aborted, registry.shuttingDown]).toEqual([true, true, true]);
    const late = registry.open();
    expect(late.aborted).toBe(true);
    registry.close(late);
    registry.close(first);
    await Promise.resolve();
    expect(idle).toBe(false);
    registry.close(second);
    await waiting;
    expect(idle).toBe(true);
  });
});
