import { describe, expect, it } from 'vitest';
import { trackEvent } from '../../test/support/events';
import { classify } from './classify';

const artist = [{ id: '4tZwfgrHOc3mvqYlEYSvVi', name: 'Daft Punk' }];

describe('classify', () => {
  it('accepts a valid record whose Kafka key is its payload key', () => {
    const event = trackEvent('spotify', '0DiWol3AO6WpXZgp0goxAV', 'One More Time', artist);
    const result = classify({ key: Buffer.from(event.key), value: event.value });
    expect(result.ok).toBe(true);
  });

  it('refuses a record keyed differently from its payload (per-key order would be wrong for it)', () => {
    const event = trackEvent('spotify', '0DiWol3AO6WpXZgp0goxAV', 'One More Time', artist);
    expect(classify({ key: Buffer.from('spotify:track:another'), value: event.value })).toEqual({
      ok: false,
      error: 'key "spotify:track:another" is not the payload\'s key spotify:track:0DiWol3AO6WpXZgp0goxAV',
    });
    expect(classify({ key: null, value: event.value })).toMatchObject({ ok: false });
  });

  it('names undecodable and invalid records differently', () => {
    expect(classify({ key: null, value: null })).toEqual({ ok: false, error: 'undecodable: empty value' });
    const bad = trackEvent('spotify', '0DiWol3AO6WpXZgp0goxAV', 'T', artist, { isrc: 'bad' });
    expect(classify({ key: Buffer.from(bad.key), value: bad.value })).toMatchObject({ ok: false, error: expect.stringMatching(/^invalid: invalid isrc/) });
  });
});
