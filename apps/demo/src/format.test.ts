import { describe, expect, it } from 'vitest';
import { contributors } from './format';

describe('contributors', () => {
  it('lists every provider key merged into the entity once, in key order', () => {
    expect(
      contributors([
        { providerKey: 'spotify:track:W8XtuZANZn6vMu4pzm1fZA' },
        { providerKey: 'local:track:17' },
        { providerKey: 'spotify:track:W8XtuZANZn6vMu4pzm1fZA' },
      ]),
    ).toBe('local:track:17 + spotify:track:W8XtuZANZn6vMu4pzm1fZA');
    expect(contributors([{ providerKey: 'spotify:album:a' }, { providerKey: 'deezer:album:1000003' }])).toBe('deezer:album:1000003 + spotify:album:a');
  });

  it('says so when the entity carries no provenance', () => {
    expect(contributors([])).toBe('(no provenance)');
    expect(contributors([{ providerKey: '' }])).toBe('(no provenance)');
  });
});
