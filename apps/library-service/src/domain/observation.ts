import type { EntityType, ProviderName } from '@soulspot/contracts';

/** The column values one observation (or reference) claims for an entity; null/absent = "does not say". */
export interface ArtistFields {
  name?: string | null;
  musicbrainzId?: string | null;
  spotifyUri?: string | null;
  deezerId?: string | null;
  imageUrl?: string | null;
  /** JSON text of the genre list, as SoulSpot stores it. */
  genres?: string | null;
  disambiguation?: string | null;
  popularity?: number | null;
  followerCount?: number | null;
}

export interface AlbumFields {
  title?: string | null;
  musicbrainzId?: string | null;
  upc?: string | null;
  spotifyUri?: string | null;
  deezerId?: string | null;
  /** release_date, release_date_precision and release_year travel together. */
  release?: { date: string; precision: string; year: number } | null;
  /** primary_type and secondary_types travel together. */
  albumType?: { primary: string; secondary: string[] } | null;
  totalTracks?: number | null;
  coverUrl?: string | null;
  albumArtist?: string | null;
  /** Provider key of the primary artist (resolved to artist_id). */
  artistKey?: string | null;
}

export interface TrackFields {
  title?: string | null;
  musicbrainzId?: string | null;
  isrc?: string | null;
  spotifyUri?: string | null;
  deezerId?: string | null;
  durationMs?: number | null;
  trackNumber?: number | null;
  discNumber?: number | null;
  explicit?: boolean | null;
  previewUrl?: string | null;
  /** Provider key of the primary artist (resolved to artist_id). */
  artistKey?: string | null;
  /** Provider key of the album (resolved to album_id). */
  albumKey?: string | null;
}

export type FieldsOf<T extends EntityType> = T extends 'artist' ? ArtistFields : T extends 'album' ? AlbumFields : TrackFields;

/** Position of an observation in the "latest wins" order: (observedAt, provider precedence, eventId). */
export interface ObservationOrder {
  observedAt: number;
  rank: number;
  eventId: string;
}

/**
 * A reference from one entity's event to another entity (an album's artists, a track's album and artists):
 * enough to create that entity before its own events arrive, and the identity keys the referencing event claims for it.
 */
export interface Reference {
  type: EntityType;
  key: string;
  /** Display name the referencing event gives (name / title). */
  name: string;
  musicbrainzId: string | null;
  /** For album references from tracks: the primary artist's provider key (albums need an artist). */
  parentKey: string | null;
  /** Identity keys claimed for the referenced entity (mbid, upc, artist evidence). */
  identityKeys: string[];
}

export interface EntityObservation<T extends EntityType = EntityType> extends ObservationOrder {
  kind: 'entity';
  type: T;
  /** Provider key of the observed entity, e.g. `spotify:track:<id>` (also the Kafka key). */
  key: string;
  provider: ProviderName;
  fields: FieldsOf<T>;
  /** Identity keys claimed for this entity (mbid, isrc, upc). */
  identityKeys: string[];
  references: Reference[];
  /** Albums: true when the event says the album is in the user's saved albums. */
  saved: boolean;
}

export type SnapshotListing = 'followed_artists' | 'saved_albums';

export interface SnapshotObservation extends ObservationOrder {
  kind: 'snapshot';
  /** `<provider>:library:<listing>`. */
  key: string;
  provider: ProviderName;
  listing: SnapshotListing;
  /** Provider keys of the listed entities. */
  memberKeys: string[];
  complete: boolean;
}

export type Observation = EntityObservation | SnapshotObservation;

/** Compares two positions: positive when a is later (wins). */
export function compareOrder(a: ObservationOrder, b: ObservationOrder): number {
  if (a.observedAt !== b.observedAt) return a.observedAt - b.observedAt;
  if (a.rank !== b.rank) return a.rank - b.rank;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** A reference as kept per member: the greatest one wins (same order as observations, then its content). */
export interface StoredReference extends ObservationOrder {
  name: string | null;
  musicbrainzId: string | null;
  parentKey: string | null;
}

/** Total order on stored references, so that "the greatest reference" never depends on arrival order. */
export function compareReferences(a: StoredReference, b: StoredReference): number {
  const byOrder = compareOrder(a, b);
  if (byOrder !== 0) return byOrder;
  for (const field of ['name', 'musicbrainzId', 'parentKey'] as const) {
    const x = a[field] ?? '';
    const y = b[field] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The latest of two observations of one provider key (equal position = same event = keep the stored one). */
export function isNewerObservation(incoming: ObservationOrder, stored: ObservationOrder | undefined): boolean {
  return stored === undefined || compareOrder(incoming, stored) > 0;
}
