import { describe, expect, it } from 'vitest';
import type { MemberFacts } from '../domain/merge';
import { inAlbumOrder } from './row-writer';

const track = (key: string, albumKey: string | null): MemberFacts<'track'> => ({
  key,
  provider: key.startsWith('deezer:') ? 'deezer' : 'spotify',
  observation: { observedAt: 1, rank: 3, eventId: `e-${key}`, fields: { title: key, albumKey } },
  reference: null,
  listedAt: null,
});

describe('inAlbumOrder', () => {
  it('groups tracks by their album entity id where it is known, else by the album provider key; ids break ties', () => {
    const facts = new Map<string, MemberFacts[]>([
      ['t-9', [track('spotify:track:9', 'spotify:album:B')]],
      ['t-1', [track('spotify:track:1', 'spotify:album:A')]],
      ['t-5', [track('deezer:track:5', null), track('spotify:track:5', 'spotify:album:B')]],
      ['t-3', [track('spotify:track:3', 'spotify:album:A')]],
      ['t-7', [track('deezer:track:7', 'deezer:album:70')]],
      ['t-0', [track('spotify:track:0', null)]],
    ]);
    // album B's entity id sorts before album A's; deezer:album:70 has no known entity id
    const entityOf = (key: string | null) => ({ 'spotify:album:A': 'id-2', 'spotify:album:B': 'id-1' })[key ?? ''] ?? null;
    expect(inAlbumOrder(['t-0', 't-1', 't-3', 't-5', 't-7', 't-9', 't-unknown'], facts, entityOf)).toEqual([
      't-0', // no album
      't-unknown', // no facts
      't-7', // by its provider key (no entity id known)
      't-5', // album B (from its Spotify member)
      't-9',
      't-1', // album A
      't-3',
    ]);
  });
});
