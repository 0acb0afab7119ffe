import type { EntityType } from '@soulspot/contracts';
import type { MemberFacts } from '../domain/merge';
import type { EntityObservation, Observation, SnapshotObservation } from '../domain/observation';
import { writeRows, type RowWriteInput, type RowWriteStats } from './row-writer';
import { allBranches, rows, StatementPipeline, stringList, type Sql } from './sql';
import { latestPerKey, resolveIdentities, storeLibraryMarks, storeObservations, storeReferences, storeSnapshots } from './state-store';

export interface ApplyStats extends RowWriteStats {
  observations: number;
  merges: number;
}

/** What a batch did to the projection state: the rows to recompute, and its merges. */
export interface StateOutcome {
  rows: RowWriteInput;
  observations: number;
  merges: number;
  /** Entities of each type that only a reference change made affected (for the debug log: the cost of references). */
  affectedByReferenceOnly: Record<EntityType, number>;
  /** Stored references that changed, and how many of them could change a row (the others are state only). */
  references: { stored: number; relevant: number };
}

const typeOfKey = (key: string): EntityType => key.split(':')[1] as EntityType;

/**
 * Applies a batch of valid observations set-based, inside the caller's transaction (which must hold the projection
 * writer lock, state and rows). The result depends only on the set of observations ever applied, not on their order
 * or on how they were split into batches: per-key state keeps the latest observation, identity links only grow,
 * references and library evidence keep their maximum, and every affected row is recomputed from that state.
 */
export async function applyObservations(sql: Sql, observations: readonly Observation[]): Promise<ApplyStats> {
  const state = await applyState(sql, observations);
  const written = await writeRows(sql, state.rows);
  return { ...written, observations: state.observations, merges: state.merges };
}

/**
 * The first half of `applyObservations`: stores the observations' state and resolves identities (needs the projection
 * state lock), and says which soulspot_* rows must be recomputed. `writeRows` of the outcome is the second half; it
 * may run in a later transaction, as long as no other state change commits in between.
 */
export async function applyState(sql: Sql, observations: readonly Observation[]): Promise<StateOutcome> {
  const entities = observations.filter((o): o is EntityObservation => o.kind === 'entity');
  const snapshots = observations.filter((o): o is SnapshotObservation => o.kind === 'snapshot');

  // Independent state updates share a pipeline: each one's statements are prepared while PostgreSQL runs the others'.
  const pipe = new StatementPipeline(sql);
  const [freshKeys, { entityOf, changes }, markChanged, snapshotChanged] = await allBranches([
    storeObservations(pipe, entities),
    resolveIdentities(pipe, entities),
    storeLibraryMarks(pipe, entities, snapshots),
    storeSnapshots(pipe, snapshots),
  ]);
  await pipe.flush();
  // references update member rows, which identity resolution may have just created; only some changes can move a row
  const references = await storeReferences(sql, entities);

  const affected: Record<EntityType, Set<string>> = { artist: new Set(), album: new Set(), track: new Set() };
  const unresolved: string[] = [];
  const touch = (key: string) => {
    const id = entityOf.get(key);
    if (id) affected[typeOfKey(key)].add(id);
    else unresolved.push(key);
  };
  for (const key of freshKeys) touch(key);
  for (const key of markChanged) touch(key);
  for (const change of changes) affected[change.type].add(change.entityId);
  const affectedByReferenceOnly: Record<EntityType, number> = { artist: 0, album: 0, track: 0 };
  for (const key of references.relevant) {
    const type = typeOfKey(key);
    const before = affected[type].size;
    touch(key);
    affectedByReferenceOnly[type] += affected[type].size - before;
  }
  if (unresolved.length > 0) {
    // library marks of keys this batch did not mention (a snapshot listing an artist observed earlier)
    for (const row of await rows<{ member_key: string; entity_id: string }>(
      sql,
      `select member_key, entity_id from projection_entity_members where member_key = any(${stringList.sql('$1')})`,
      [stringList.encode(unresolved)],
    )) {
      affected[typeOfKey(row.member_key)].add(row.entity_id);
    }
  }
  for (const listing of snapshotChanged) {
    // a new complete snapshot can clear the flag of anything listed before on that provider
    const [provider, name] = listing.split(':');
    const type: EntityType = name === 'followed_artists' ? 'artist' : 'album';
    for (const row of await rows<{ entity_id: string }>(
      sql,
      `select distinct m.entity_id from projection_library_marks lm
       join projection_entity_members m on m.member_key = lm.member_key
       where lm.member_key like $1`,
      [`${provider}:${type}:%`],
    )) {
      affected[type].add(row.entity_id);
    }
  }

  // Tracks are never referenced and never listed: a track entity born in this batch is exactly its members'
  // observations of this batch, so its facts need no round trip.
  const latest = new Map(latestPerKey(entities).map((o) => [o.key, o]));
  const knownTrackFacts = new Map<string, MemberFacts<'track'>[]>();
  for (const change of changes) {
    if (change.type !== 'track' || change.previousIds.length > 0) continue;
    knownTrackFacts.set(
      change.entityId,
      change.newMembers.map((key) => {
        const obs = latest.get(key) as EntityObservation<'track'>;
        return {
          key,
          provider: obs.provider,
          observation: { observedAt: obs.observedAt, rank: obs.rank, eventId: obs.eventId, fields: obs.fields },
          reference: null,
          listedAt: null,
        };
      }),
    );
  }
  return {
    rows: { affected, changes, knownTrackFacts, entityOfKey: entityOf },
    observations: observations.length,
    merges: changes.filter((c) => c.previousIds.length > 1).length,
    affectedByReferenceOnly,
    references: { stored: references.stored, relevant: references.relevant.length },
  };
}
