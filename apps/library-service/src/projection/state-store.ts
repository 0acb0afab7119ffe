import type { EntityType } from '@soulspot/contracts';
import { resolveClusters, type ClusterChange, type MemberState } from '../domain/clustering';
import {
  compareOrder,
  compareReferences,
  type EntityObservation,
  type SnapshotObservation,
  type StoredReference,
} from '../domain/observation';
import { iso, rows, type Sql } from './sql';

const typeOfKey = (key: string): EntityType => key.split(':')[1] as EntityType;

/** Latest observation per provider key among the batch (the only one that can change the stored state). */
function latestPerKey(observations: readonly EntityObservation[]): EntityObservation[] {
  const latest = new Map<string, EntityObservation>();
  for (const obs of observations) {
    const current = latest.get(obs.key);
    if (!current || compareOrder(obs, current) > 0) latest.set(obs.key, obs);
  }
  return [...latest.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * Stores the latest observation per provider key; returns the keys whose stored observation changed. An event
 * already applied (same event id and time) or older than the stored one changes nothing: that is the cheap dedup.
 */
export async function storeObservations(sql: Sql, observations: readonly EntityObservation[]): Promise<Set<string>> {
  const latest = latestPerKey(observations);
  if (latest.length === 0) return new Set();
  const changed = await rows<{ provider_key: string }>(
    sql,
    `insert into projection_observations (provider_key, entity_type, provider, event_id, observed_at, data)
     select * from unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::timestamptz[], $6::jsonb[])
     on conflict (provider_key) do update
       set event_id = excluded.event_id, observed_at = excluded.observed_at, data = excluded.data
       where (excluded.observed_at, excluded.event_id collate "C")
           > (projection_observations.observed_at, projection_observations.event_id collate "C")
     returning provider_key`,
    [
      latest.map((o) => o.key),
      latest.map((o) => o.type),
      latest.map((o) => o.provider),
      latest.map((o) => o.eventId),
      latest.map((o) => iso(o.observedAt)),
      latest.map((o) => JSON.stringify(o.fields)),
    ],
  );
  return new Set(changed.map((r) => r.provider_key));
}

interface Link {
  identityKey: string;
  memberKey: string;
}

/** Every identity link any event of the batch claims (observations and their references). */
function linksOf(observations: readonly EntityObservation[]): Link[] {
  const links = new Map<string, Link>();
  const add = (identityKey: string, memberKey: string) => links.set(`${identityKey}\n${memberKey}`, { identityKey, memberKey });
  for (const obs of observations) {
    for (const key of obs.identityKeys) add(key, obs.key);
    for (const ref of obs.references) for (const key of ref.identityKeys) add(key, ref.key);
  }
  return [...links.values()].sort((a, b) => (a.identityKey < b.identityKey ? -1 : a.identityKey > b.identityKey ? 1 : a.memberKey < b.memberKey ? -1 : 1));
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
  const newLinks =
    links.length === 0
      ? []
      : (
          await rows<{ identity_key: string; member_key: string }>(
            sql,
            `insert into projection_identity_links (identity_key, member_key)
             select * from unnest($1::varchar[], $2::varchar[])
             on conflict do nothing
             returning identity_key, member_key`,
            [links.map((l) => l.identityKey), links.map((l) => l.memberKey)],
          )
        ).map((r) => ({ identityKey: r.identity_key, memberKey: r.member_key }));

  const holders = new Map<string, string[]>();
  if (newLinks.length > 0) {
    const keys = [...new Set(newLinks.map((l) => l.identityKey))];
    for (const row of await rows<{ identity_key: string; member_key: string }>(
      sql,
      `select identity_key, member_key from projection_identity_links where identity_key = any($1::varchar[])`,
      [keys],
    )) {
      const list = holders.get(row.identity_key) ?? [];
      list.push(row.member_key);
      holders.set(row.identity_key, list);
    }
  }
  const involved = new Set(mentioned);
  for (const list of holders.values()) for (const member of list) involved.add(member);
  const existing = new Map<string, MemberState>();
  for (const row of await rows<{ member_key: string; entity_id: string; best_key: string }>(
    sql,
    `select member_key, entity_id, best_key from projection_entity_members where member_key = any($1::varchar[])`,
    [[...involved]],
  )) {
    existing.set(row.member_key, { entityId: row.entity_id, bestKey: row.best_key });
  }

  const changes: ClusterChange[] = [];
  for (const type of ['artist', 'album', 'track'] as const) {
    const ofType = (key: string) => typeOfKey(key) === type;
    changes.push(
      ...resolveClusters({
        type,
        existing: new Map([...existing].filter(([key]) => ofType(key))),
        mentioned: [...mentioned].filter(ofType),
        newLinks: newLinks.filter((l) => ofType(l.memberKey)),
        holders,
      }),
    );
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
       from unnest($1::varchar[], $2::varchar[], $3::varchar[]) as c(previous_id, next_id, best_key)
       where m.entity_id = c.previous_id`,
      [moves.map((m) => m.previous), moves.map((m) => m.next), moves.map((m) => m.bestKey)],
    );
  }
  const created = changes.flatMap((c) => c.newMembers.map((member) => ({ member, type: c.type, id: c.entityId, bestKey: c.bestKey })));
  if (created.length > 0) {
    await sql.query(
      `insert into projection_entity_members (member_key, entity_type, entity_id, best_key)
       select * from unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[])`,
      [created.map((c) => c.member), created.map((c) => c.type), created.map((c) => c.id), created.map((c) => c.bestKey)],
    );
  }
  const redirects = changes.flatMap((c) => c.previousIds.filter((p) => p !== c.entityId).map((old) => ({ type: c.type, old, next: c.entityId })));
  if (redirects.length > 0) {
    const params = [redirects.map((r) => r.type), redirects.map((r) => r.old), redirects.map((r) => r.next)];
    // chains collapse: whatever pointed at an id that goes away now points at its successor
    await sql.query(
      `update projection_id_redirects r set new_id = c.new_id
       from unnest($1::varchar[], $2::varchar[], $3::varchar[]) as c(entity_type, old_id, new_id)
       where r.entity_type = c.entity_type and r.new_id = c.old_id`,
      params,
    );
    await sql.query(
      `insert into projection_id_redirects (entity_type, old_id, new_id)
       select * from unnest($1::varchar[], $2::varchar[], $3::varchar[])
       on conflict (entity_type, old_id) do update set new_id = excluded.new_id, created_at = now()`,
      params,
    );
  }
}

/**
 * Keeps the greatest reference per provider key (max over every event ever seen, so order-independent).
 * Returns the members whose reference changed.
 */
export async function storeReferences(sql: Sql, observations: readonly EntityObservation[]): Promise<string[]> {
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
  if (best.size === 0) return [];
  const entries = [...best].sort(([a], [b]) => (a < b ? -1 : 1));
  // Across batches the same (observed_at, rank, event_id) means the same event, hence the same reference.
  const changed = await rows<{ member_key: string }>(
    sql,
    `update projection_entity_members m
       set ref_name = r.name, ref_musicbrainz_id = r.mbid, ref_parent_key = r.parent_key,
           ref_observed_at = r.observed_at, ref_rank = r.rank, ref_event_id = r.event_id
     from unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::timestamptz[], $6::smallint[], $7::varchar[])
       as r(member_key, name, mbid, parent_key, observed_at, rank, event_id)
     where m.member_key = r.member_key
       and (m.ref_observed_at is null
            or (r.observed_at, r.rank, r.event_id collate "C") > (m.ref_observed_at, m.ref_rank, m.ref_event_id collate "C"))
     returning m.member_key`,
    [
      entries.map(([k]) => k),
      entries.map(([, r]) => r.name),
      entries.map(([, r]) => r.musicbrainzId),
      entries.map(([, r]) => r.parentKey),
      entries.map(([, r]) => iso(r.observedAt)),
      entries.map(([, r]) => r.rank),
      entries.map(([, r]) => r.eventId),
    ],
  );
  return changed.map((r) => r.member_key);
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
     select * from unnest($1::varchar[], $2::timestamptz[])
     on conflict (member_key) do update set listed_at = excluded.listed_at
       where excluded.listed_at > projection_library_marks.listed_at
     returning member_key`,
    [entries.map(([k]) => k), entries.map(([, at]) => iso(at))],
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
     select * from unnest($1::varchar[], $2::timestamptz[], $3::varchar[])
     on conflict (snapshot_key) do update set observed_at = excluded.observed_at, event_id = excluded.event_id
       where (excluded.observed_at, excluded.event_id collate "C")
           > (projection_snapshots.observed_at, projection_snapshots.event_id collate "C")
     returning snapshot_key`,
    [entries.map(([k]) => k), entries.map(([, s]) => iso(s.observedAt)), entries.map(([, s]) => s.eventId)],
  );
  return changed.map((r) => r.snapshot_key);
}
