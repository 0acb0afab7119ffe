import type { EntityType, ProviderName } from '@soulspot/contracts';
import type { SourceName } from '@soulspot/library-db';
import { compareOrder, type AlbumFields, type ArtistFields, type FieldsOf, type ObservationOrder, type TrackFields } from './observation';
import { isListed, type LibraryListing, type SnapshotTimes } from './library-flags';

/** What the projection keeps about one member (provider key) of an entity. */
export interface MemberFacts<T extends EntityType = EntityType> {
  key: string;
  provider: ProviderName;
  /** Latest observation of this provider key, if it was ever observed itself. */
  observation: (ObservationOrder & { fields: FieldsOf<T> }) | null;
  /** Greatest reference to this provider key made by other entities' events. */
  reference: (ObservationOrder & { name: string | null; musicbrainzId: string | null; parentKey: string | null }) | null;
  /** Latest positive library evidence (followed / saved), epoch ms. */
  listedAt: number | null;
}

interface Candidate<F> extends ObservationOrder {
  direct: boolean;
  memberKey: string;
  provider: ProviderName;
  fields: F;
}

/** The identifier columns a provider key stands for: a Spotify key *is* the full URI; a Deezer key ends with the id. */
function providerColumnsOfKey(key: string): { spotifyUri?: string; deezerId?: string } {
  const [provider, , ...rest] = key.split(':');
  if (provider === 'spotify') return { spotifyUri: key };
  if (provider === 'deezer') return { deezerId: rest.join(':') };
  return {};
}

function referenceFields(type: EntityType, member: MemberFacts): ArtistFields | AlbumFields | TrackFields {
  const ref = member.reference!;
  const ids = providerColumnsOfKey(member.key);
  if (type === 'artist') return { name: ref.name, musicbrainzId: ref.musicbrainzId, ...ids };
  if (type === 'album') return { title: ref.name || null, musicbrainzId: ref.musicbrainzId, artistKey: ref.parentKey, ...ids };
  return { title: ref.name || null, musicbrainzId: ref.musicbrainzId, ...ids };
}

/**
 * References are weaker evidence than observations (architecture §4, "Field merge"; this is the rule for what other
 * entities' events say about an entity: a track's album and artists, an album's artists):
 *
 * 1. Every direct observation ranks before every reference, so a reference's field counts only where no observation
 *    of the entity supplies one ("fills the gaps"); among observations, latest wins as usual.
 * 2. A reference to a provider key that has an observation of its own is dated by that observation, not by the
 *    referencing event: how recently some track mentioned an album says nothing new about the album. Its content
 *    still fills the gaps that observation leaves (a track's album reference may carry the album's MusicBrainz id).
 *    A reference to a key known by references alone is dated by the referencing event (latest wins among them).
 * 3. References count in created_at / updated_at only for an entity known by references alone.
 *
 * Consequence used by the projector (state-store.ts `storeReferences`): a newer reference to a key that has its own
 * observation changes the entity's row only if its content differs in a field that observation leaves empty; when
 * it does not, the entity is not recomputed at all. The stored reference (the greatest per key) is still updated, so
 * the state, and every row computed from it later, stays a function of the set of events.
 */
function candidatesOf<F>(type: EntityType, members: readonly MemberFacts[]): Candidate<F>[] {
  const candidates: Candidate<F>[] = [];
  for (const member of members) {
    const observation = member.observation;
    if (observation) {
      // (built field by field, not by spreading: this runs for every member of every entity a batch touches)
      candidates.push({
        observedAt: observation.observedAt,
        rank: observation.rank,
        eventId: observation.eventId,
        direct: true,
        memberKey: member.key,
        provider: member.provider,
        fields: observation.fields as F,
      });
    }
    if (member.reference) {
      const { observedAt, rank, eventId } = observation ?? member.reference;
      candidates.push({
        observedAt,
        rank,
        eventId,
        direct: false,
        memberKey: member.key,
        provider: member.provider,
        fields: referenceFields(type, member) as F,
      });
    }
  }
  if (candidates.length < 2) return candidates;
  // observations first, then latest first: (observed_at, provider precedence, event_id) descending; then the member
  // key, so that even two facts from the same event are ordered the same way on every run
  return candidates.sort((a, b) => {
    if (a.direct !== b.direct) return a.direct ? -1 : 1;
    const byOrder = compareOrder(b, a);
    if (byOrder !== 0) return byOrder;
    return a.memberKey < b.memberKey ? 1 : a.memberKey > b.memberKey ? -1 : 0;
  });
}

/** Field-level latest-wins: each field from the latest candidate that has a value; null never erases. */
function pick<F, K extends keyof F>(candidates: Candidate<F>[], field: K): NonNullable<F[K]> | null {
  for (const candidate of candidates) {
    const value = candidate.fields[field];
    if (value !== null && value !== undefined) return value as NonNullable<F[K]>;
  }
  return null;
}

/** `spotify` / `deezer` / `local` when one provider contributed, `hybrid` when several did. */
export function sourceOf(providers: Iterable<ProviderName>): SourceName {
  const distinct = new Set(providers);
  if (distinct.size === 0) throw new Error('an entity without contributing providers');
  if (distinct.size > 1) return 'hybrid';
  return [...distinct][0];
}

interface Timeline {
  source: SourceName;
  /** Latest observed_at of the entity's own observations (null when it is only known through references). */
  lastSyncedAt: Date | null;
  /**
   * Earliest and latest observed_at of the entity's observations (the latest per provider key); of its references
   * only when it has no observation.
   */
  createdAt: Date;
  updatedAt: Date;
}

/** `candidates` in `candidatesOf` order: observations, if any, come first. */
function timelineOf(candidates: Candidate<unknown>[]): Timeline {
  if (candidates.length === 0) throw new Error('an entity without observations or references');
  const known = candidates[0].direct;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    if (c.direct !== known) continue;
    min = Math.min(min, c.observedAt);
    max = Math.max(max, c.observedAt);
  }
  return {
    // every member contributes (an observation, a reference or both): the providers are the members' providers
    source: sourceOf(candidates.map((c) => c.provider)),
    lastSyncedAt: known ? new Date(max) : null,
    createdAt: new Date(min),
    updatedAt: new Date(max),
  };
}

function listedOn(
  provider: ProviderName,
  listing: LibraryListing,
  members: readonly MemberFacts[],
  snapshots: SnapshotTimes,
): boolean {
  return members.some((m) => m.provider === provider && isListed(m.listedAt, snapshots.get(`${provider}:${listing}`)));
}

export interface MergedArtist extends Timeline {
  id: string;
  name: string;
  spotifyUri: string | null;
  musicbrainzId: string | null;
  deezerId: string | null;
  imageUrl: string | null;
  genres: string | null;
  disambiguation: string | null;
  popularity: number | null;
  followerCount: number | null;
  isFollowed: boolean;
  spotifyFollowed: boolean;
  deezerFollowed: boolean;
}

export function mergeArtist(id: string, members: readonly MemberFacts<'artist'>[], snapshots: SnapshotTimes): MergedArtist {
  const c = candidatesOf<ArtistFields>('artist', members);
  const spotifyFollowed = listedOn('spotify', 'followed_artists', members, snapshots);
  const deezerFollowed = listedOn('deezer', 'followed_artists', members, snapshots);
  return {
    id,
    name: pick(c, 'name') ?? '',
    spotifyUri: pick(c, 'spotifyUri'),
    musicbrainzId: pick(c, 'musicbrainzId'),
    deezerId: pick(c, 'deezerId'),
    imageUrl: pick(c, 'imageUrl'),
    genres: pick(c, 'genres'),
    disambiguation: pick(c, 'disambiguation'),
    popularity: pick(c, 'popularity'),
    followerCount: pick(c, 'followerCount'),
    ...timelineOf(c),
    isFollowed: spotifyFollowed || deezerFollowed,
    spotifyFollowed,
    deezerFollowed,
  };
}

export interface MergedAlbum extends Timeline {
  id: string;
  title: string;
  /** Provider key of the primary artist; the caller resolves it to `artist_id`. */
  artistKey: string;
  releaseYear: number | null;
  releaseDate: string | null;
  releaseDatePrecision: string | null;
  spotifyUri: string | null;
  musicbrainzId: string | null;
  deezerId: string | null;
  upc: string | null;
  coverUrl: string | null;
  albumArtist: string | null;
  primaryType: string;
  secondaryTypes: string[];
  totalTracks: number | null;
  isSaved: boolean;
  spotifySaved: boolean;
  deezerSaved: boolean;
}

export function mergeAlbum(id: string, members: readonly MemberFacts<'album'>[], snapshots: SnapshotTimes): MergedAlbum {
  const c = candidatesOf<AlbumFields>('album', members);
  const artistKey = pick(c, 'artistKey');
  if (!artistKey) throw new Error(`album ${id} has no artist`);
  const release = pick(c, 'release');
  const albumType = pick(c, 'albumType');
  const spotifySaved = listedOn('spotify', 'saved_albums', members, snapshots);
  const deezerSaved = listedOn('deezer', 'saved_albums', members, snapshots);
  return {
    id,
    title: pick(c, 'title') ?? '',
    artistKey,
    releaseYear: release?.year ?? null,
    releaseDate: release?.date ?? null,
    releaseDatePrecision: release?.precision ?? null,
    spotifyUri: pick(c, 'spotifyUri'),
    musicbrainzId: pick(c, 'musicbrainzId'),
    deezerId: pick(c, 'deezerId'),
    upc: pick(c, 'upc'),
    coverUrl: pick(c, 'coverUrl'),
    albumArtist: pick(c, 'albumArtist'),
    primaryType: albumType?.primary ?? 'album',
    secondaryTypes: albumType?.secondary ?? [],
    totalTracks: pick(c, 'totalTracks'),
    ...timelineOf(c),
    isSaved: spotifySaved || deezerSaved,
    spotifySaved,
    deezerSaved,
  };
}

export interface MergedTrack extends Timeline {
  id: string;
  title: string;
  artistKey: string;
  albumKey: string | null;
  durationMs: number;
  trackNumber: number | null;
  discNumber: number;
  explicit: boolean;
  previewUrl: string | null;
  spotifyUri: string | null;
  musicbrainzId: string | null;
  isrc: string | null;
  deezerId: string | null;
}

export function mergeTrack(id: string, members: readonly MemberFacts<'track'>[]): MergedTrack {
  const c = candidatesOf<TrackFields>('track', members);
  const artistKey = pick(c, 'artistKey');
  if (!artistKey) throw new Error(`track ${id} has no artist`);
  return {
    id,
    title: pick(c, 'title') ?? '',
    artistKey,
    albumKey: pick(c, 'albumKey'),
    durationMs: pick(c, 'durationMs') ?? 0,
    trackNumber: pick(c, 'trackNumber'),
    discNumber: pick(c, 'discNumber') ?? 1,
    explicit: pick(c, 'explicit') ?? false,
    previewUrl: pick(c, 'previewUrl'),
    spotifyUri: pick(c, 'spotifyUri'),
    musicbrainzId: pick(c, 'musicbrainzId'),
    isrc: pick(c, 'isrc'),
    deezerId: pick(c, 'deezerId'),
    ...timelineOf(c),
  };
}
