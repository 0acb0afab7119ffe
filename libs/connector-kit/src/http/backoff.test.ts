import { describe, expect, it } from 'vitest';
import { backoffDelayMs, MAX_RETRY_AFTER_MS, parseRetryAfterMs } from './backoff';

describe('backoffDelayMs', () => {
  const options = { baseMs: 100, capMs: 1_000 };

  it('grows exponentially up to the cap (upper bound with random -> 1)', () => {
    const almostOne = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, options, almostOne))).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('uses full jitter: anywhere from 0 to the ceiling', () => {
    expect(backoffDelayMs(3, options, () => 0)).toBe(0);
    expect(backoffDelayMs(3, options, () => 0.5)).toBe(200);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelayMs(4, options);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(800);
    }
  });

  it('rejects attempt numbers below 1', () => {
    expect(() => backoffDelayMs(0, options)).toThrow(/attempt/);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-11-26T08:00:00Z');

  it('reads delta-seconds, including huge values', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3_000);
    expect(parseRetryAfterMs(' 3600 ', now)).toBe(3_600_000);
    expect(parseRetryAfterMs('13749', now)).toBe(13_749_000);
    expect(parseRetryAfterMs('0', now)).toBe(0);
  });

  it('takes at most a day, so the pause it starts stays a valid date', () => {
    expect(parseRetryAfterMs('9999999999999', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs('1'.repeat(400), now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs('Fri, 31 Dec 9999 23:59:59 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(new Date(now + parseRetryAfterMs('9999999999999', now)!).toISOString()).toBe('2026-11-27T08:00:00.000Z');
  });

  it('reads an HTTP-date relative to now, clamping past dates to 0', () => {
    expect(parseRetryAfterMs('Thu, 26 Nov 2026 08:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Thu, 26 Nov 2026 07:00:00 GMT', now)).toBe(0);
  });

  it('returns undefined for missing or garbage values so the caller backs off instead', () => {
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
    expect(parseRetryAfterMs('', now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
  });
});
