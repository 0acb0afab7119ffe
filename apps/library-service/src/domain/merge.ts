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
 * Latest first: (observed_at, provider precedence, event_id) descending; then observations before references and
 * the member key, so that even two facts from the same event are ordered the same way on every run.
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
      const { observedAt, rank, eventId } = member.reference;
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
  return candidates.sort((a, b) => {
    const byOrder = compareOrder(b, a);
    if (byOrder !== 0) return byOrder;
    if (a.direct !== b.direct) return a.direct ? -1 : 1;
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
  /** First and latest observed_at of anything that contributed. */
  createdAt: Date;
  updatedAt: Date;
}

function timelineOf(candidates: Candidate<unknown>[]): Timeline {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let lastSynced: number | null = null;
  for (const c of candidates) {
    min = Math.min(min, c.observedAt);
    max = Math.max(max, c.observedAt);
    if (c.direct) lastSynced = Math.max(lastSynced ?? c.observedAt, c.observedAt);
  }
  return {
    source: sourceOf(candidates.map((c) => c.provider)),
    lastSyncedAt: lastSynced === null ? null : new Date(lastSynced),
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
