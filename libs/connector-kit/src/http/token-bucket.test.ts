import { describe, expect, it } from 'vitest';
import { type Clock, TokenBucket, bucketForWindow, parseRateSpec } from './token-bucket';

/** Virtual time: sleeping advances the clock instantly, so rate tests take microseconds. */
function virtualClock(): Clock & { time: number } {
  const clock = {
    time: 0,
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.time += ms;
    },
  };
  return clock;
}

/** Largest number of timestamps inside any window of `windowMs` (half-open, like a provider's counter). */
function maxInAnyWindow(times: number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('TokenBucket', () => {
  it('allows the burst capacity at once, then the refill rate', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 2 }, clock);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      await bucket.acquire();
      times.push(clock.time);
    }
    expect(times.slice(0, 3)).toEqual([0, 0, 0]);
    expect(times.slice(3)).toEqual([500, 1000, 1500, 2000]);
  });

  it('never exceeds the Deezer quota (50 per 5 s) under concurrent callers', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(bucketForWindow(50, 5_000), clock);
    const times: number[] = [];
    await Promise.all(Array.from({ length: 400 }, () => bucket.acquire().then(() => times.push(clock.time))));
    times.sort((a, b) => a - b);
    expect(times).toHaveLength(400);
    expect(maxInAnyWindow(times, 5_000)).toBeLessThanOrEqual(45);
    // ... and is not needlessly slow: 400 requests at 8/s after a burst of 4 take about 50 s.
    expect(times.at(-1)).toBeLessThan(52_000);
  });

  it('serves waiters in arrival order', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 10 }, clock);
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => bucket.acquire().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('rejects nonsensical settings', () => {
    expect(() => new TokenBucket({ capacity: 0, refillPerSecond: 1 })).toThrow(/capacity/);
    expect(() => new TokenBucket({ capacity: 1, refillPerSecond: 0 })).toThrow(/refill/);
  });
});

describe('bucketForWindow', () => {
  it('keeps capacity + rate * window within the quota minus the margin', () => {
    for (const [limit, windowMs] of [
      [50, 5_000],
      [100, 30_000],
      [50, 500],
    ]) {
      const { capacity, refillPerSecond } = bucketForWindow(limit, windowMs);
      expect(capacity + (refillPerSecond * windowMs) / 1000).toBeLessThanOrEqual(limit * 0.9 + 1e-9);
    }
  });
});

describe('parseRateSpec', () => {
  it('parses limits per window', () => {
    expect(parseRateSpec('50/5s')).toEqual({ limit: 50, windowMs: 5_000 });
    expect(parseRateSpec('50/500ms')).toEqual({ limit: 50, windowMs: 500 });
    expect(parseRateSpec('600/1m')).toEqual({ limit: 600, windowMs: 60_000 });
  });

  it('rejects anything else with the expected format in the message', () => {
    expect(() => parseRateSpec('fast')).toThrow(/50\/5s/);
    expect(() => parseRateSpec('0/5s')).toThrow(/positive/);
  });
});
