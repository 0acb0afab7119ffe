import type { EntityType } from '@soulspot/contracts';
import { hashedKey, hashedKeyEquals, hashedKeyIn } from '@soulspot/library-db';
import { resolveClusters, type ClusterChange, type MemberState } from '../domain/clustering';
import {
  compareOrder,
  compareReferences,
  type EntityObservation,
  type SnapshotObservation,
  type StoredReference,
} from '../domain/observation';
import { bulkInput, chunked, iso, rows, StatementPipeline, stringList, type Sql } from './sql';

/** Rows per statement for the state tables: bounds the size of one statement's parameter (memory) and pipelines. */
const STATE_STATEMENT_ROWS = 10_000;

/*
 * Rows go into the state tables in the order of their primary key. The keys (provider ids, ISRCs) are random, so in
 * arrival order each row is a random leaf page of a B-tree that, at a million keys, no longer fits in shared buffers;
 * in key order a statement walks each index once, touching each leaf page it needs once.
 */
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const OBSERVATIONS = bulkInput({ k: 'varchar', t: 'varchar', p: 'varchar', e: 'varchar', o: 'timestamptz', d: 'jsonb' });
const LINKS = bulkInput({ i: 'varchar', m: 'varchar' });
const MOVES = bulkInput({ previous_id: 'varchar', next_id: 'varchar', best_key: 'varchar' });
const MEMBERS = bulkInput({ k: 'varchar', t: 'varchar', e: 'varchar', b: 'varchar' });
const REDIRECTS = bulkInput({ entity_type: 'varchar', old_id: 'varchar', new_id: 'varchar' });
const REFERENCES = bulkInput({
  member_key: 'varchar',
  name: 'varchar',
  mbid: 'varchar',
  parent_key: 'varchar',
  observed_at: 'timestamptz',
  rank: 'int2',
  event_id: 'varchar',
});
const MARKS = bulkInput({ k: 'varchar', l: 'timestamptz' });
const SNAPSHOTS = bulkInput({ k: 'varchar', o: 'timestamptz', e: 'varchar' });

/** The type segment of a provider key `<provider>:<type>:<id>` (read without slicing: it runs for every key). */
function typeOfKey(key: string): EntityType {
  const start = key.indexOf(':') + 1;
  if (key.charCodeAt(start) === 116 /* t */) return 'track';
  return key.charCodeAt(start + 1) === 114 /* r */ ? 'artist' : 'album';
}

/** Latest observation per provider key among the batch (the only one that can change the stored state). */
export function latestPerKey(observations: readonly EntityObservation[]): EntityObservation[] {
  const latest = new Map<string, EntityObservation>();
  for (const obs of observations) {
    const current = latest.get(obs.key);
    if (!current || compareOrder(obs, current) > 0) latest.set(obs.key, obs);
  }
  return [...latest.values()];
}

/**
 * Stores the latest observation per provider key; returns the keys whose stored observation changed. An event
 * already applied (same event id and time) or older than the stored one changes nothing: that is the cheap dedup.
 */
export async function storeObservations(sql: Sql, observations: readonly EntityObservation[]): Promise<Set<string>> {
  const latest = latestPerKey(observations).sort((a, b) => byString(a.key, b.key));
  if (latest.length === 0) return new Set();
  const pipe = new StatementPipeline(sql);
  const results = chunked(latest, STATE_STATEMENT_ROWS).map((chunk) =>
    pipe.send<{ provider_key: string }>(
      `insert into projection_observations (provider_key, entity_type, provider, event_id, observed_at, data)
       select k, t, p, e, o, d from ${OBSERVATIONS.from('$1')}
       on conflict (provider_key) do update
         set event_id = excluded.event_id, observed_at = excluded.observed_at, data = excluded.data
         where (excluded.observed_at, excluded.event_id collate "C")
             > (projection_observations.observed_at, projection_observations.event_id collate "C")
       returning provider_key`,
      [OBSERVATIONS.encode(chunk.map((o) => ({ k: o.key, t: o.type, p: o.provider, e: o.eventId, o: iso(o.observedAt), d: o.fields })))],
    ),
  );
  await pipe.flush();
  const changed = new Set<string>();
  for (const result of results) for (const r of await result) changed.add(r.provider_key);
  return changed;
}

interface Link {
  identityKey: string;
  memberKey: string;
}

/** Every identity link any event of the batch claims (observations and their references). */
function linksOf(observations: readonly EntityObservation[]): Link[] {
  // identity key -> members claiming it (nested, so no composite string per link is built)
  const claims = new Map<string, Set<string>>();
  const add = (identityKey: string, memberKey: string) => {
    const members = claims.get(identityKey);
    if (members) members.add(memberKey);
    else claims.set(identityKey, new Set([memberKey]));
  };
  for (const obs of observations) {
    for (const key of obs.identityKeys) add(key, obs.key);
    for (const ref of obs.references) for (const key of ref.identityKeys) add(key, ref.key);
  }
  const links: Link[] = [];
  for (const [identityKey, members] of claims) for (const memberKey of members) links.push({ identityKey, memberKey });
  // (unsorted: their statement sorts them in its index's order, see resolveIdentities)
  return links;
}

export interface IdentityResult {
  /** Entity id of every member the batch mentioned, after resolution. */
  entityOf: Map<string, string>;
  changes: ClusterChange[];
}

/**
 * Records the batch's identity links (grow-only) and resolves members into entities: new members are created,
 * entities joined by a new link are merged, ids move to the best key. Redirects record every id that went away.
 */
export async function resolveIdentities(sql: Sql, observations: readonly EntityObservation[]): Promise<IdentityResult> {
  const mentioned = new Set<string>();
  for (const obs of observations) {
    mentioned.add(obs.key);
    for (const ref of obs.references) mentioned.add(ref.key);
  }
  const links = linksOf(observations);
  // The holders of the batch's identity keys as they were before the batch: the links that are new, and every key's
  // full holder list, follow from them. Links have no uniqueness constraint (see the compact_identity_links
  // migration): only the new ones are inserted, which the state lock (one writer) makes safe.
  const keys = new Set(links.map((l) => l.identityKey));
  const heldBefore = new Map<string, string[]>();
  // by hash (hashed-keys.ts): the rare collision is dropped here
  for (const row of await rows<{ identity_key: string; member_key: string }>(
    sql,
    `select identity_key, member_key from projection_identity_links where ${hashedKeyIn('identity_key', '$1')}`,
    [stringList.encode(keys)],
  )) {
    if (!keys.has(row.identity_key)) continue;
    const list = heldBefore.get(row.identity_key);
    if (list) list.push(row.member_key);
    else heldBefore.set(row.identity_key, [row.member_key]);
  }
  const newLinks = links.filter((l) => !heldBefore.get(l.identityKey)?.includes(l.memberKey));
  const pipe = new StatementPipeline(sql);
  for (const chunk of chunked(newLinks, STATE_STATEMENT_ROWS)) {
    // in the order of the index (a hash of the key), so the statement walks it once (see byString)
    pipe.send(`insert into projection_identity_links (identity_key, member_key) select i, m from ${LINKS.from('$1')} order by ${hashedKey('i')}`, [
      LINKS.encode(chunk.map((l) => ({ i: l.identityKey, m: l.memberKey }))),
    ]);
  }
  // every holder of each identity key a new link claims: the ones from before and the batch's own
  const holders = new Map<string, string[]>();
  for (const link of newLinks) {
    const list = holders.get(link.identityKey);
    if (list) list.push(link.memberKey);
    else holders.set(link.identityKey, [...(heldBefore.get(link.identityKey) ?? []), link.memberKey]);
  }
  const involved = new Set(mentioned);
  for (const list of holders.values()) for (const member of list) involved.add(member);
  // (on the pipeline, behind the link inserts: PostgreSQL runs them while this waits)
  const members = pipe.send<{ member_key: string; entity_id: string; best_key: string }>(
    `select member_key, entity_id, best_key from projection_entity_members where member_key = any(${stringList.sql('$1')})`,
    [stringList.encode(involved)],
  );
  await pipe.flush();
  const existing = new Map<string, MemberState>();
  for (const row of await members) existing.set(row.member_key, { entityId: row.entity_id, bestKey: row.best_key });

  // split by entity type once: each type resolves separately
  const byType = {
    artist: { existing: new Map<string, MemberState>(), mentioned: [] as string[], newLinks: [] as Link[] },
    album: { existing: new Map<string, MemberState>(), mentioned: [] as string[], newLinks: [] as Link[] },
    track: { existing: new Map<string, MemberState>(), mentioned: [] as string[], newLinks: [] as Link[] },
  };
  for (const [member, state] of existing) byType[typeOfKey(member)].existing.set(member, state);
  for (const member of mentioned) byType[typeOfKey(member)].mentioned.push(member);
  for (const link of newLinks) byType[typeOfKey(link.memberKey)].newLinks.push(link);
  const changes: ClusterChange[] = [];
  for (const type of ['artist', 'album', 'track'] as const) {
    changes.push(...resolveClusters({ type, ...byType[type], holders }));
  }
  await applyClusterChanges(sql, changes);

  const entityOf = new Map<string, string>();
  const renamed = new Map<string, string>();
  for (const change of changes) {
    for (const previous of change.previousIds) renamed.set(previous, change.entityId);
    for (const member of change.newMembers) entityOf.set(member, change.entityId);
  }
  for (const [member, state] of existing) if (mentioned.has(member)) entityOf.set(member, renamed.get(state.entityId) ?? state.entityId);
  return { entityOf, changes };
}

async function applyClusterChanges(sql: Sql, changes: readonly ClusterChange[]): Promise<void> {
  const moves = changes.flatMap((c) => c.previousIds.map((previous) => ({ previous, next: c.entityId, bestKey: c.bestKey })));
  if (moves.length > 0) {
    await sql.query(
      `update projection_entity_members m set entity_id = c.next_id, best_key = c.best_key
       from ${MOVES.from('$1', 'c')}
       where ${hashedKeyEquals('m.entity_id', 'c.previous_id')}`,
      [MOVES.encode(moves.map((m) => ({ previous_id: m.previous, next_id: m.next, best_key: m.bestKey })))],
    );
  }
  const created = changes
    .flatMap((c) => c.newMembers.map((member) => ({ member, type: c.type, id: c.entityId, bestKey: c.bestKey })))
    .sort((a, b) => byString(a.member, b.member));
  const pipe = new StatementPipeline(sql);
  for (const chunk of chunked(created, STATE_STATEMENT_ROWS)) {
    pipe.send(
      `insert into projection_entity_members (member_key, entity_type, entity_id, best_key)
       select k, t, e, b from ${MEMBERS.from('$1')}`,
      [MEMBERS.encode(chunk.map((c) => ({ k: c.member, t: c.type, e: c.id, b: c.bestKey })))],
    );
  }
  await pipe.flush();
  const redirects = changes.flatMap((c) => c.previousIds.filter((p) => p !== c.entityId).map((old) => ({ type: c.type, old, next: c.entityId })));
  if (redirects.length > 0) {
    const params = [REDIRECTS.encode(redirects.map((r) => ({ entity_type: r.type, old_id: r.old, new_id: r.next })))];
    const input = REDIRECTS.from('$1', 'c');
    // chains collapse: whatever pointed at an id that goes away now points at its successor
    await sql.query(
      `update projection_id_redirects r set new_id = c.new_id
       from ${input}
       where r.entity_type = c.entity_type and r.new_id = c.old_id`,
      params,
    );
    await sql.query(
      `insert into projection_id_redirects (entity_type, old_id, new_id)
       select entity_type, old_id, new_id from ${input}
       on conflict (entity_type, old_id) do update set new_id = excluded.new_id, created_at = now()`,
      params,
    );
  }
}

export interface StoredReferences {
  /** Members whose stored reference changed (the greatest reference per key moved). */
  stored: number;
  /**
   * The members among them whose change can change their entity's row (merge.ts, `candidatesOf`): every member
   * known by references alone; a member with an observation of its own only when the new reference differs from the
   * old one in a field that observation leaves empty (its MusicBrainz id, say). The other changes are state only.
   */
  relevant: string[];
}

/**
 * Keeps the greatest reference per provider key (max over every event ever seen, so order-independent) and says
 * which of the changes matter to the rows.
 */
export async function storeReferences(sql: Sql, observations: readonly EntityObservation[]): Promise<StoredReferences> {
  const best = new Map<string, StoredReference>();
  for (const obs of observations) {
    for (const ref of obs.references) {
      const stored: StoredReference = {
        observedAt: obs.observedAt,
        rank: obs.rank,
        eventId: obs.eventId,
        name: ref.name,
        musicbrainzId: ref.musicbrainzId,
        parentKey: ref.parentKey,
      };
      const current = best.get(ref.key);
      if (!current || compareReferences(stored, current) > 0) best.set(ref.key, stored);
    }
  }
  if (best.size === 0) return { stored: 0, relevant: [] };
  const entries = [...best].sort(([a], [b]) => (a < b ? -1 : 1));
  // Across batches the same (observed_at, rank, event_id) means the same event, hence the same reference.
  // `prior` is the row as it was before this statement (the target alias shows the new values in RETURNING); the
  // observation's fields are the ones merge.ts reads: name (artists) or title, musicbrainzId, artistKey (albums).
  const changed = await rows<{ member_key: string; relevant: boolean }>(
    sql,
    `update projection_entity_members m
       set ref_name = r.name, ref_musicbrainz_id = r.mbid, ref_parent_key = r.parent_key,
           ref_observed_at = r.observed_at, ref_rank = r.rank, ref_event_id = r.event_id
     from ${REFERENCES.from('$1')}
     join projection_entity_members prior on prior.member_key = r.member_key
     left join projection_observations o on o.provider_key = r.member_key
     where m.member_key = r.member_key
       and (m.ref_observed_at is null
            or (r.observed_at, r.rank, r.event_id collate "C") > (m.ref_observed_at, m.ref_rank, m.ref_event_id collate "C"))
     returning m.member_key,
       o.provider_key is null
         or (coalesce(o.data->>'name', o.data->>'title') is null and r.name is distinct from prior.ref_name)
         or (o.data->>'musicbrainzId' is null and r.mbid is distinct from prior.ref_musicbrainz_id)
         or (o.data->>'artistKey' is null and r.parent_key is distinct from prior.ref_parent_key) as relevant`,
    [
      REFERENCES.encode(
        entries.map(([key, r]) => ({
          member_key: key,
          name: r.name,
          mbid: r.musicbrainzId,
          parent_key: r.parentKey,
          observed_at: iso(r.observedAt),
          rank: r.rank,
          event_id: r.eventId,
        })),
      ),
    ],
  );
  return { stored: changed.length, relevant: changed.filter((r) => r.relevant).map((r) => r.member_key) };
}

/** Latest positive library evidence per provider key (saved albums, snapshot listings). Returns changed keys. */
export async function storeLibraryMarks(
  sql: Sql,
  observations: readonly EntityObservation[],
  snapshots: readonly SnapshotObservation[],
): Promise<string[]> {
  const marks = new Map<string, number>();
  const mark = (key: string, at: number) => marks.set(key, Math.max(marks.get(key) ?? at, at));
  for (const obs of observations) if (obs.saved) mark(obs.key, obs.observedAt);
  for (const snapshot of snapshots) for (const key of snapshot.memberKeys) mark(key, snapshot.observedAt);
  if (marks.size === 0) return [];
  const entries = [...marks].sort(([a], [b]) => (a < b ? -1 : 1));
  const changed = await rows<{ member_key: string }>(
    sql,
    `insert into projection_library_marks (member_key, listed_at)
     select k, l from ${MARKS.from('$1')}
     on conflict (member_key) do update set listed_at = excluded.listed_at
       where excluded.listed_at > projection_library_marks.listed_at
     returning member_key`,
    [MARKS.encode(entries.map(([k, at]) => ({ k, l: iso(at) })))],
  );
  return changed.map((r) => r.member_key);
}

/** Latest complete snapshot per `<provider>:<listing>`; returns the listings whose snapshot changed. */
export async function storeSnapshots(sql: Sql, snapshots: readonly SnapshotObservation[]): Promise<string[]> {
  const latest = new Map<string, SnapshotObservation>();
  for (const s of snapshots) {
    if (!s.complete) continue;
    const key = `${s.provider}:${s.listing}`;
    const current = latest.get(key);
    if (!current || compareOrder(s, current) > 0) latest.set(key, s);
  }
  if (latest.size === 0) return [];
  const entries = [...latest].sort(([a], [b]) => (a < b ? -1 : 1));
  const changed = await rows<{ snapshot_key: string }>(
    sql,
    `insert into projection_snapshots (snapshot_key, observed_at, event_id)
     select k, o, e from ${SNAPSHOTS.from('$1')}
     on conflict (snapshot_key) do update set observed_at = excluded.observed_at, event_id = excluded.event_id
       where (excluded.observed_at, excluded.event_id collate "C")
           > (projection_snapshots.observed_at, projection_snapshots.event_id collate "C")
     returning snapshot_key`,
    [SNAPSHOTS.encode(entries.map(([k, snapshot]) => ({ k, o: iso(snapshot.observedAt), e: snapshot.eventId })))],
  );
  return changed.map((r) => r.snapshot_key);
}
