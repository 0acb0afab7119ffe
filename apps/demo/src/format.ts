import type { Provenance } from '@soulspot/contracts/library';

/**
 * Who contributed to a merged entity, from its provenance: one provider key per observation merged into it, in the
 * order of the keys (`spotify:track:… + deezer:track:3000000445 + local:track:…`). A hybrid entity can join any
 * two providers (a legacy row merged with Spotify is spotify + local), so the listing says which, instead of
 * assuming Spotify and Deezer.
 */
export function contributors(provenance: readonly Pick<Provenance, 'providerKey'>[]): string {
  const keys = [...new Set(provenance.map((p) => p.providerKey).filter((key) => key !== ''))].sort();
  return keys.length > 0 ? keys.join(' + ') : '(no provenance)';
}
