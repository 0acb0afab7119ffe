import { describe, expect, it } from 'vitest';
import { FaultDice, mergeSwitches, SlidingWindow } from './faults';

describe('FaultDice', () => {
  it('fires a burst exactly `times` times, only on matching endpoints/paths, then falls back to `rate`', () => {
    const dice = new FaultDice(1);
    const spec = { times: 2, endpoints: ['GET /a'] };
    expect(dice.fires(spec, 'GET /b', '/b')).toBe(false);
    expect([1, 2, 3].map(() => dice.fires(spec, 'GET /a', '/a'))).toEqual([true, true, false]);
    expect(dice.fires({ rate: 1, paths: ['/x'] }, 'GET /a', '/y')).toBe(false);
    expect(dice.fires({ rate: 1, paths: ['/x'] }, 'GET /a', '/x')).toBe(true);
    expect(dice.fires({ rate: 1 }, 'POST /api/token', '/api/token', (e) => e.startsWith('GET /v1/'))).toBe(false);
    expect(dice.fires(null, 'GET /a', '/a')).toBe(false);
  });

  it('draws rates from a seeded PRNG', () => {
    const draws = (seed: number) => {
      const dice = new FaultDice(seed);
      return Array.from({ length: 100 }, () => dice.fires({ rate: 0.3 }, 'GET /a', '/a'));
    };
    expect(draws(5)).toEqual(draws(5));
    expect(draws(5)).not.toEqual(draws(6));
    const hits = draws(5).filter(Boolean).length;
    expect(hits).toBeGreaterThan(15);
    expect(hits).toBeLessThan(45);
  });
});

describe('mergeSwitches', () => {
  it('replaces given keys, drops null/undefined ones, keeps false, and copies objects', () => {
    const patch = { rateLimited: { times: 1 } };
    const merged = mergeSwitches<Record<string, unknown>>({ a: 1, b: true, c: { x: 1 } }, { b: false, c: null, ...patch });
    expect(merged).toEqual({ a: 1, b: false, rateLimited: { times: 1 } });
    expect(merged.rateLimited).not.toBe(patch.rateLimited);
  });

  it('refuses unknown switch names with the list of known ones', () => {
    expect(() => mergeSwitches({}, { rateLimted: { times: 1 } }, ['rateLimited'])).toThrow('unknown fault switch(es): rateLimted (known: rateLimited)');
  });
});

describe('SlidingWindow', () => {
  it('counts events inside the window per key and tells when a slot frees', () => {
    const window = new SlidingWindow(3, 1000);
    expect([0, 100, 200, 300].map((t) => window.hit('k', t))).toEqual([1, 2, 3, 4]);
    expect(window.hit('other', 300)).toBe(1);
    // The next hit fits once 0 and 100 have left the window (at 1100).
    expect(window.msUntilSlot('k', 300)).toBe(800);
    expect(window.hit('k', 1000)).toBe(4);
    expect(window.hit('k', 1301)).toBe(2);
  });
});
