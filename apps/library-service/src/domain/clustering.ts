import type { EntityType } from '@soulspot/contracts';
import { bestNamingKey, compareNamingKeys, entityIdFor } from './identity-keys';

/** Where an existing member stands before the batch. */
export interface MemberState {
  entityId: string;
  bestKey: string;
}

export interface ClusterInput {
  type: EntityType;
  /** Existing members (provider key -> entity) for every member involved: mentioned ones and link holders. */
  existing: ReadonlyMap<string, MemberState>;
  /** Members the batch mentions (observed or referenced); those not in `existing` are new. */
  mentioned: Iterable<string>;
  /** Links the batch added (they did not exist before). */
  newLinks: ReadonlyArray<{ identityKey: string; memberKey: string }>;
  /** For each identity key of newLinks: every member holding it (including the batch's own). */
  holders: ReadonlyMap<string, readonly string[]>;
}

/** A changed entity: its (new) id and best key, the entities merged into it and the members it gains. */
export interface ClusterChange {
  type: EntityType;
  entityId: string;
  bestKey: string;
  /** Previous entity ids of this cluster (the new id may be one of them). */
  previousIds: string[];
  newMembers: string[];
}

class UnionFind {
  private readonly parent = new Map<string, string>();

  find(node: string): string {
    let root = node;
    for (;;) {
      const up = this.parent.get(root);
      if (up === undefined || up === root) break;
      root = up;
    }
    let cursor = node;
    while (cursor !== root) {
      const up = this.parent.get(cursor)!;
      this.parent.set(cursor, root);
      cursor = up;
    }
    if (!this.parent.has(root)) this.parent.set(root, root);
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // deterministic root choice keeps the computation independent of iteration order
    if (ra < rb) this.parent.set(rb, ra);
    else this.parent.set(ra, rb);
  }

  nodes(): string[] {
    return [...this.parent.keys()];
  }
}

/**
 * Identity resolution as union-find. Before the batch, members are grouped into entities (the connected components
 * of the grow-only link graph). New members start alone; every new link joins its member with every member holding
 * the same identity key. Each resulting component's best key is the best of its entities' best keys, its new
 * members' own keys and its new identity keys, so the entity id depends only on the set of links, never their order.
 * Returns only components that changed (new members, merges, or a better key).
 */
export function resolveClusters(input: ClusterInput): ClusterChange[] {
  const uf = new UnionFind();
  // A node is an existing entity (its id, a UUID) or a new member (its provider key, which always contains ':').
  const nodeOf = (member: string): string => input.existing.get(member)?.entityId ?? member;
  const isEntity = (node: string): boolean => !node.includes(':');
  const bestOfEntity = new Map<string, string>();
  for (const state of input.existing.values()) bestOfEntity.set(state.entityId, state.bestKey);

  for (const member of input.mentioned) uf.find(nodeOf(member));
  const candidateKeys = new Map<string, string[]>(); // node -> identity keys claimed by its new links
  for (const { identityKey, memberKey } of input.newLinks) {
    const node = nodeOf(memberKey);
    uf.find(node);
    const keys = candidateKeys.get(node) ?? [];
    keys.push(identityKey);
    candidateKeys.set(node, keys);
    for (const holder of input.holders.get(identityKey) ?? []) uf.union(node, nodeOf(holder));
  }

  const components = new Map<string, string[]>();
  for (const node of uf.nodes()) {
    const root = uf.find(node);
    const list = components.get(root) ?? [];
    list.push(node);
    components.set(root, list);
  }

  const changes: ClusterChange[] = [];
  for (const nodes of components.values()) {
    const previousIds: string[] = [];
    const newMembers: string[] = [];
    const keys: string[] = [];
    for (const node of nodes) {
      if (isEntity(node)) {
        previousIds.push(node);
        keys.push(bestOfEntity.get(node)!);
      } else {
        newMembers.push(node);
        keys.push(node);
      }
      keys.push(...(candidateKeys.get(node) ?? []));
    }
    const bestKey = bestNamingKey(keys);
    if (bestKey === undefined) throw new Error(`no naming key among ${keys.join(', ')}`);
    const entityId = entityIdFor(input.type, bestKey);
    const unchanged =
      newMembers.length === 0 && previousIds.length === 1 && previousIds[0] === entityId &&
      compareNamingKeys(bestOfEntity.get(entityId)!, bestKey) === 0;
    if (unchanged) continue;
    previousIds.sort();
    newMembers.sort();
    changes.push({ type: input.type, entityId, bestKey, previousIds, newMembers });
  }
  return changes.sort((a, b) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0));
}
