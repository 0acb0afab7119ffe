import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveClusters, type MemberState } from './clustering';
import { bestNamingKey, entityIdFor } from './identity-keys';

/** Applies link batches incrementally through resolveClusters, keeping member state like the database does. */
function incremental(batches: Array<Array<[string, string]>>): Map<string, string> {
  const members = new Map<string, MemberState>();
  const holders = new Map<string, Set<string>>();
  for (const batch of batches) {
    const newLinks = batch
      .filter(([identityKey, memberKey]) => !holders.get(identityKey)?.has(memberKey))
      .map(([identityKey, memberKey]) => ({ identityKey, memberKey }));
    const unique = [...new Map(newLinks.map((l) => [`${l.identityKey}|${l.memberKey}`, l])).values()];
    for (const { identityKey, memberKey } of unique) {
      const set = holders.get(identityKey) ?? new Set<string>();
      set.add(memberKey);
      holders.set(identityKey, set);
    }
    const changes = resolveClusters({
      type: 'track',
      existing: members,
      mentioned: batch.map(([, m]) => m),
      newLinks: unique,
      holders: new Map([...holders].map(([k, v]) => [k, [...v]])),
    });
    for (const change of changes) {
      for (const [member, state] of members) {
        if (change.previousIds.includes(state.entityId)) members.set(member, { entityId: change.entityId, bestKey: change.bestKey });
      }
      for (const member of change.newMembers) members.set(member, { entityId: change.entityId, bestKey: change.bestKey });
    }
  }
  return new Map([...members].map(([m, s]) => [m, s.entityId]));
}

/** Connected components from scratch. */
function fromScratch(links: Array<[string, string]>): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    if (!parent.has(x)) parent.set(x, x);
    while (parent.get(x) !== x) x = parent.get(x)!;
    return x;
  };
  for (const [identityKey, member] of links) {
    const a = find(`k:${identityKey}`);
    const b = find(`m:${member}`);
    if (a !== b) parent.set(a, b);
  }
  const groups = new Map<string, string[]>();
  for (const node of parent.keys()) groups.set(find(node), [...(groups.get(find(node)) ?? []), node.slice(2)]);
  const out = new Map<string, string>();
  for (const [, nodes] of groups) {
    const id = entityIdFor('track', bestNamingKey(nodes)!);
    for (const [identityKey, member] of links) if (nodes.includes(member) && nodes.includes(identityKey)) out.set(member, id);
  }
  return out;
}

const memberArb = fc.constantFrom('spotify:track:a', 'spotify:track:b', 'deezer:track:1', 'deezer:track:2', 'local:track:x');
const identityArb = fc.constantFrom('isrc:GBAAA0000001', 'isrc:GBAAA0000002', 'mbid:track:m1', 'isrc:USAAA0000003');

describe('resolveClusters', () => {
  it('merges two entities that a new link joins, naming the result after the best key', () => {
    const existing = new Map<string, MemberState>([
      ['spotify:track:a', { entityId: entityIdFor('track', 'isrc:X'), bestKey: 'isrc:X' }],
      ['deezer:track:1', { entityId: entityIdFor('track', 'deezer:track:1'), bestKey: 'deezer:track:1' }],
    ]);
    const changes = resolveClusters({
      type: 'track',
      existing,
      mentioned: ['deezer:track:1'],
      newLinks: [{ identityKey: 'isrc:X', memberKey: 'deezer:track:1' }],
      holders: new Map([['isrc:X', ['spotify:track:a', 'deezer:track:1']]]),
    });
    expect(changes).toEqual([
      {
        type: 'track',
        entityId: entityIdFor('track', 'isrc:X'),
        bestKey: 'isrc:X',
        previousIds: [entityIdFor('track', 'deezer:track:1'), entityIdFor('track', 'isrc:X')].sort(),
        newMembers: [],
      },
    ]);
  });

  it('reports nothing when a batch adds no member and no link', () => {
    const existing = new Map<string, MemberState>([['spotify:track:a', { entityId: entityIdFor('track', 'spotify:track:a'), bestKey: 'spotify:track:a' }]]);
    expect(resolveClusters({ type: 'track', existing, mentioned: ['spotify:track:a'], newLinks: [], holders: new Map() })).toEqual([]);
  });

  it('incremental resolution over any batch split equals the components computed from scratch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(identityArb, memberArb), { maxLength: 4 }), { maxLength: 6 }),
        (batches) => {
          // every member also links to itself (its provider key), as members always name themselves
          const withSelf = batches.map((b) => [...b, ...b.map(([, m]) => [m, m] as [string, string])]);
          const all = withSelf.flat();
          const expected = fromScratch(all);
          const actual = incremental(batches);
          for (const [member, id] of actual) expect(id).toBe(expected.get(member));
        },
      ),
      { numRuns: 300 },
    );
  });
});
