import { describe, expect, it } from 'vitest';
import { decodeRowWork, encodeRowWork } from './pending-rows';

describe('row work record', () => {
  it('round-trips the ids to recompute and the identity changes, without the facts and parent ids known in memory', () => {
    const input = {
      affected: { artist: new Set(['a1']), album: new Set<string>(), track: new Set(['t1', 't2']) },
      changes: [
        { type: 'track' as const, entityId: 't1', previousIds: [] },
        { type: 'album' as const, entityId: 'b2', previousIds: ['b1', 'b2'] },
      ],
      knownTrackFacts: new Map([['t1', []]]),
      entityOfKey: new Map([['spotify:album:x', 'b2']]),
    };
    const decoded = decodeRowWork(encodeRowWork(input));
    expect(decoded.affected).toEqual(input.affected);
    expect(decoded.changes).toEqual(input.changes);
    expect(decoded.knownTrackFacts).toBeUndefined();
    expect(decoded.entityOfKey).toBeUndefined();
  });
});
