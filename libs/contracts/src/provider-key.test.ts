import { describe, expect, it } from 'vitest';
import { Provider } from './generated/soulspot/events/v1/dto';
import { parseProviderKey, providerFromName, providerKey, providerName } from './provider-key';

describe('provider keys', () => {
  it('formats and parses <provider>:<type>:<id>', () => {
    const key = providerKey(Provider.PROVIDER_DEEZER, 'album', '302127');
    expect(key).toBe('deezer:album:302127');
    expect(parseProviderKey(key)).toEqual({ provider: 'deezer', type: 'album', id: '302127' });
  });

  it('rejects empty ids, unknown providers and malformed keys', () => {
    expect(() => providerKey(Provider.PROVIDER_SPOTIFY, 'track', '')).toThrow(/empty track id/);
    expect(() => providerName(Provider.PROVIDER_UNSPECIFIED)).toThrow(/unknown provider/);
    expect(() => providerFromName('tidal')).toThrow(/unknown provider name/);
    expect(() => parseProviderKey('spotify:playlist:1')).toThrow(/not a provider key/);
  });

  it('maps names and enum values both ways', () => {
    expect(providerFromName(providerName(Provider.PROVIDER_LOCAL))).toBe(Provider.PROVIDER_LOCAL);
  });
});
