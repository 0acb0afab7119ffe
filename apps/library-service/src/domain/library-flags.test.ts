import { describe, expect, it } from 'vitest';
import { isListed } from './library-flags';

describe('isListed', () => {
  it('is false without positive evidence', () => {
    expect(isListed(null, undefined)).toBe(false);
    expect(isListed(null, 5)).toBe(false);
  });
  it('is true with evidence and no complete snapshot', () => {
    expect(isListed(1, undefined)).toBe(true);
  });
  it('follows the latest complete snapshot: evidence at or after it counts, older evidence does not', () => {
    expect(isListed(5, 5)).toBe(true);
    expect(isListed(6, 5)).toBe(true);
    expect(isListed(4, 5)).toBe(false);
  });
});
