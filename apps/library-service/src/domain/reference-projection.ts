import type { EntityType, ProviderName } from '@soulspot/contracts';
import { bestNamingKey, entityIdFor } from './identity-keys';
import type { LibraryListing } from './library-flags';
import { mergeAlbum, mergeArtist, mergeTrack, type MemberFacts, type MergedAlbum, type MergedArtist, type MergedTrack } from './merge';
import {
  compareReferences,
  isNewerObservation,
  type EntityObservation,
  type Observation,
  type ObservationOrder,
  type StoredReference,
} from './observation';

export interface ProjectedLibrary {
  artists: MergedArtist[];
  albums: (Omit<MergedAlbum, 'artistKey'> & { artistId: string })[];
  tracks: (Omit<MergedTrack, 'artistKey' | 'albumKey'> & { artistId: string; albumId: string | null })[];
}

/**
 * The projection rules of architecture §4 computed from scratch, in memory: the executable specification the
 * PostgreSQL projector is checked against. State is exactly what the rules allow to matter — the latest observation
 * per provider key, every identity link ever claimed, the greatest reference per provider key, the latest positive
 * library evidence per key and the latest complete snapshot per listing — so `library()` is a function of the SET
 * of events applied.
 */
export class ReferenceProjection {
  private readonly observations = new Map<string, EntityObservation>();
  private readonly memberTypes = new Map<string, EntityType>();
  private readonly links = new Map<string, Set<string>>(); // identity key -> members
  private readonly references = new Map<string, StoredReference>();
  private readonly marks = new Map<string, number>();
  private readonly snapshots = new Map<string, ObservationOrder>();

  apply(observation: Observation): void {
    if (observation.kind === 'snapshot') {
      for (const key of observation.memberKeys) this.mark(key, observation.observedAt);
      const listingKey = `${observation.provider}:${observation.listing}`;
      if (observation.complete && isNewerObservation(observation, this.snapshots.get(listingKey))) {
        this.snapshots.set(listingKey, observation);
      }
      return;
    }
    this.memberTypes.set(observation.key, observation.type);
    if (isNewerObservation(observation, this.observations.get(observation.key))) this.observations.set(observation.key, observation);
    for (const identityKey of observation.identityKeys) this.link(identityKey, observation.key);
    if (observation.saved) this.mark(observation.key, observation.observedAt);
    for (const ref of observation.references) {
      this.memberTypes.set(ref.key, ref.type);
      for (const identityKey of ref.identityKeys) this.link(identityKey, ref.key);
      const stored: StoredReference = {
        observedAt: observation.observedAt,
        rank: observation.rank,
        eventId: observation.eventId,
        name: ref.name,
        musicbrainzId: ref.musicbrainzId,
        parentKey: ref.parentKey,
      };
      const current = this.references.get(ref.key);
      if (!current || compareReferences(stored, current) > 0) this.references.set(ref.key, stored);
    }
  }

  private link(identityKey: string, member: string): void {
    const holders = this.links.get(identityKey) ?? new Set<string>();
    holders.add(member);
    this.links.set(identityKey, holders);
  }

  private mark(key: string, at: number): void {
    this.marks.set(key, Math.max(this.marks.get(key) ?? at, at));
  }

  /** Provider key -> entity id, from the connected components of the link graph. */
  entityIds(): Map<string, string> {
    const parent = new Map<string, string>([...this.memberTypes.keys()].map((k) => [k, k]));
    const find = (k: string): string => {
      while (parent.get(k) !== k) k = parent.get(k)!;
      return k;
    };
    const componentKeys = new Map<string, string[]>();
    for (const [identityKey, holders] of this.links) {
      const [first, ...rest] = [...holders];
      for (const other of rest) {
        const a = find(first);
        const b = find(other);
        if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
      }
      componentKeys.set(identityKey, [first]);
    }
    const keysByRoot = new Map<string, string[]>();
    for (const member of this.memberTypes.keys()) {
      const root = find(member);
      keysByRoot.set(root, [...(keysByRoot.get(root) ?? []), member]);
    }
    for (const [identityKey, [member]] of componentKeys) {
      const root = find(member);
      keysByRoot.get(root)!.push(identityKey);
    }
    const ids = new Map<string, string>();
    for (const member of this.memberTypes.keys()) {
      const root = find(member);
      ids.set(member, entityIdFor(this.memberTypes.get(member)!, bestNamingKey(keysByRoot.get(root)!)!));
    }
    return ids;
  }

  library(): ProjectedLibrary {
    const ids = this.entityIds();
    const snapshotTimes = new Map<`${ProviderName}:${LibraryListing}`, number>();
    for (const [key, order] of this.snapshots) snapshotTimes.set(key as `${ProviderName}:${LibraryListing}`, order.observedAt);
    const byEntity = new Map<string, { type: EntityType; members: MemberFacts[] }>();
    for (const [key, type] of this.memberTypes) {
      const id = ids.get(key)!;
      const entry = byEntity.get(id) ?? { type, members: [] };
      const observation = this.observations.get(key);
      entry.members.push({
        key,
        provider: key.split(':')[0] as ProviderName,
        observation: observation
          ? { observedAt: observation.observedAt, rank: observation.rank, eventId: observation.eventId, fields: observation.fields }
          : null,
        reference: this.references.get(key) ?? null,
        listedAt: this.marks.get(key) ?? null,
      });
      byEntity.set(id, entry);
    }
    const library: ProjectedLibrary = { artists: [], albums: [], tracks: [] };
    for (const [id, { type, members }] of [...byEntity].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (type === 'artist') library.artists.push(mergeArtist(id, members as MemberFacts<'artist'>[], snapshotTimes));
      else if (type === 'album') {
        const { artistKey, ...album } = mergeAlbum(id, members as MemberFacts<'album'>[], snapshotTimes);
        library.albums.push({ ...album, artistId: ids.get(artistKey)! });
      } else {
        const { artistKey, albumKey, ...track } = mergeTrack(id, members as MemberFacts<'track'>[]);
        library.tracks.push({ ...track, artistId: ids.get(artistKey)!, albumId: albumKey ? ids.get(albumKey)! : null });
      }
    }
    return library;
  }
}

