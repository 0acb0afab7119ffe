import { createHash } from 'node:crypto';
import {
  AlbumType,
  ReleaseDatePrecision,
  SnapshotKind,
  providerFromName,
  providerKey,
  providerName,
  type AlbumDTO,
  type ArtistDTO,
  type EntityRef,
  type EntityType,
  type EventEnvelope,
  type ProviderName,
  type TrackDTO,
} from '@soulspot/contracts';
import {
  capReleaseDatePrecision,
  normalizeEvidenceName,
  normalizeName,
  parseIsrc,
  parseReleaseDate,
  parseUpc,
  spotifyUri,
  type ReleaseDatePrecisionName,
} from '@soulspot/music-model';
import {
  PROVIDER_RANK,
  isrcEvidenceKey,
  isrcKey,
  mbidKey,
  upcEvidenceKey,
  upcKey,
} from './identity-keys';
import type {
  AlbumFields,
  ArtistFields,
  EntityObservation,
  Observation,
  ObservationOrder,
  Reference,
  SnapshotObservation,
  TrackFields,
} from './observation';

/** An event that decodes but cannot be projected (invalid identifier, missing required data); goes to the DLQ. */
export class InvalidEventError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidEventError';
  }
}

/**
 * observed_at must be in the years 1 to 9999: every timestamp of the projection is sent to PostgreSQL as an ISO string,
 * and it rejects JavaScript's 6-digit years (+010000-…, -000001-…). Rejected here, such an event is poison with a
 * reason; accepted, it failed the batch's state statements, and the whole batch was rolled back and applied again
 * one event at a time to find it (batch-handler.ts).
 */
const MIN_OBSERVED_AT = new Date('0001-01-01T00:00:00.000Z').getTime();
const END_OBSERVED_AT = new Date('+010000-01-01T00:00:00.000Z').getTime();

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT32_MAX = 2_147_483_647;
/** Longest provider id that still fits `spotify_uri` varchar(255) / `deezer_id` varchar(50) and the key columns. */
const MAX_PROVIDER_ID = { spotify: 200, deezer: 50, local: 255 } as const;

/**
 * U+0000 as a space: PostgreSQL text cannot hold it (jsonb refuses the escape), so a name carrying one (an ID3 tag's
 * value separator or terminator) failed the batch's statements and the valid event was dead-lettered as 'apply failed'.
 */
const withoutNul = (value: string): string => (value.includes('\u0000') ? value.replaceAll('\u0000', ' ') : value);

const blank = (value: string | undefined | null): boolean => value == null || withoutNul(value).trim() === '';

/**
 * The first `max` characters (code points, which is what varchar(n) counts), never half of a surrogate pair:
 * String.slice counts UTF-16 units, so it cut astral characters (emoji, rare CJK) in half and cut twice as much.
 */
function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  const chars = Array.from(value);
  return chars.length <= max ? value : chars.slice(0, max).join('');
}

/** Free text cut to the column width (SoulSpot's varchar sizes); blank -> null. */
function text(value: string | undefined | null, max: number): string | null {
  if (blank(value)) return null;
  return cut(withoutNul(value!).trim(), max);
}

/** URLs are never cut (a cut URL is a broken one): too long -> null. */
function urlText(value: string | undefined | null, max = 512): string | null {
  if (blank(value)) return null;
  const trimmed = value!.trim();
  // (a URL with U+0000 is a broken one, and PostgreSQL cannot store it)
  return trimmed.length <= max && !trimmed.includes('\u0000') ? trimmed : null;
}

function mbid(value: string | undefined | null, what: string): string | null {
  if (blank(value)) return null;
  const trimmed = value!.trim().toLowerCase();
  if (!UUID_RE.test(trimmed)) throw new InvalidEventError(`invalid musicbrainz_id of ${what}: ${JSON.stringify(value)}`);
  return trimmed;
}

function optionalInt(value: number | undefined | null, min: number, max: number): number | null {
  if (value == null || !Number.isFinite(value)) return null;
  const int = Math.trunc(value);
  if (int < min) return null;
  return Math.min(int, max);
}

function identifier<T>(parse: () => T, what: string): T {
  try {
    return parse();
  } catch (error) {
    throw new InvalidEventError(`${(error as Error).message} (${what})`);
  }
}

function checkProviderId(provider: ProviderName, id: string, type: EntityType): string {
  if (blank(id)) throw new InvalidEventError(`${type} without provider_id`);
  if (id !== id.trim() || /\s/.test(id) || id.includes('\u0000')) {
    throw new InvalidEventError(`${type} provider_id with whitespace or U+0000: ${JSON.stringify(id)}`);
  }
  if (id.length > MAX_PROVIDER_ID[provider]) throw new InvalidEventError(`${type} provider_id too long (${id.length} chars)`);
  if (provider === 'spotify' && id.includes(':')) throw new InvalidEventError(`spotify ${type} id contains ':'`);
  return id;
}

/** The provider-specific identifier columns a provider key fills (spotify_uri full URI, deezer_id bare id). */
function providerColumns(provider: ProviderName, type: EntityType, id: string): { spotifyUri?: string; deezerId?: string } {
  if (provider === 'spotify') return { spotifyUri: spotifyUri(type, id) };
  if (provider === 'deezer') return { deezerId: id };
  return {};
}

/**
 * The provider key a reference points to. Spotify and Deezer references need the provider id; a local reference
 * without one is keyed by its normalized name *within the local provider* (local files carry no ids), and a local
 * album's name within its artist's (`owner`): album titles repeat across artists ("Greatest Hits"), and keying them by
 * title alone would merge every artist's album of that name into one — a merge on name alone (architecture §4).
 * Returns null for references that cannot be keyed.
 */
function referenceKey(provider: ProviderName, type: EntityType, ref: EntityRef | undefined, owner?: string): string | null {
  if (!ref) return null;
  const id = ref.providerId?.trim();
  if (id) {
    try {
      return providerKey(providerFromName(provider), type, checkProviderId(provider, id, type));
    } catch {
      return null;
    }
  }
  if (provider !== 'local' || blank(ref.name)) return null;
  if (type !== 'album') return `local:${type}:name:${nameKey(ref.name)}`;
  if (!owner) return null;
  // (a fixed-length digest of the artist's key: the two names together would not always fit a key column)
  return `local:album:by:${keyDigest(owner)}:name:${nameKey(ref.name)}`;
}

const keyDigest = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 16);

/** Normalized name as used inside keys, capped so keys fit their columns (NFKD can lengthen a name). */
function nameKey(name: string): string {
  return cut(normalizeName(withoutNul(name)), 200);
}

/**
 * The name inside artist evidence keys: looser than nameKey ("&" = "and"), which is safe because evidence also needs a
 * shared release; nameKey keys local entities, and loosening it would change their ids.
 */
function evidenceNameKey(name: string): string {
  return cut(normalizeEvidenceName(withoutNul(name)), 200);
}

function referenceMbid(ref: EntityRef): string | null {
  try {
    return mbid(ref.musicbrainzId, 'reference');
  } catch {
    return null; // a bad id on a *reference* is dropped, not fatal: the referencing event is still valid
  }
}

/** Artist references (primary first); the first must be usable, because albums and tracks need an artist. */
function artistReferences(
  provider: ProviderName,
  refs: EntityRef[],
  evidence: (normalizedName: string) => string | null,
  owner: string,
): Reference[] {
  const out: Reference[] = [];
  for (let index = 0; index < refs.length; index++) {
    const ref = refs[index];
    const key = referenceKey(provider, 'artist', ref);
    if (!key || blank(ref.name)) {
      if (index === 0) throw new InvalidEventError(`${owner} without a usable primary artist reference`);
      continue;
    }
    const refMbid = referenceMbid(ref);
    const identityKeys: string[] = [];
    if (refMbid) identityKeys.push(mbidKey('artist', refMbid));
    const evidenceKey = evidence(evidenceNameKey(ref.name));
    if (evidenceKey) identityKeys.push(evidenceKey);
    out.push({ type: 'artist', key, name: text(ref.name, 255)!, musicbrainzId: refMbid, parentKey: null, identityKeys });
  }
  if (out.length === 0) throw new InvalidEventError(`${owner} without artists`);
  return out;
}

/** The precision an album event states for its release date (unspecified: the date's text decides). */
const STATED_PRECISION: Partial<Record<ReleaseDatePrecision, ReleaseDatePrecisionName>> = {
  [ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR]: 'year',
  [ReleaseDatePrecision.RELEASE_DATE_PRECISION_MONTH]: 'month',
  [ReleaseDatePrecision.RELEASE_DATE_PRECISION_DAY]: 'day',
};

const ALBUM_TYPES: Record<number, { primary: string; secondary: string[] }> = {
  [AlbumType.ALBUM_TYPE_ALBUM]: { primary: 'album', secondary: [] },
  [AlbumType.ALBUM_TYPE_SINGLE]: { primary: 'single', secondary: [] },
  [AlbumType.ALBUM_TYPE_EP]: { primary: 'ep', secondary: [] },
  [AlbumType.ALBUM_TYPE_COMPILATION]: { primary: 'album', secondary: ['compilation'] },
};

function artistObservation(order: ObservationOrder, provider: ProviderName, dto: ArtistDTO): EntityObservation<'artist'> {
  const id = checkProviderId(provider, dto.providerId, 'artist');
  const key = providerKey(providerFromName(provider), 'artist', id);
  const name = text(dto.name, 255);
  if (!name) throw new InvalidEventError('artist without name');
  const musicbrainzId = mbid(dto.musicbrainzId, 'artist');
  const genres = dto.genres.map((g) => g.trim()).filter((g) => g !== '');
  const fields: ArtistFields = {
    name,
    musicbrainzId,
    ...providerColumns(provider, 'artist', id),
    imageUrl: urlText(dto.imageUrl),
    genres: genres.length > 0 ? JSON.stringify(genres) : null,
    disambiguation: text(dto.disambiguation, 255),
    popularity: optionalInt(dto.popularity, 0, 100),
    followerCount: optionalInt(dto.followerCount, 0, INT32_MAX),
  };
  return {
    kind: 'entity',
    type: 'artist',
    key,
    provider,
    ...order,
    fields,
    identityKeys: musicbrainzId ? [mbidKey('artist', musicbrainzId)] : [],
    references: [],
    saved: false,
  };
}

function albumObservation(
  order: ObservationOrder,
  provider: ProviderName,
  dto: AlbumDTO,
  saved: boolean,
): EntityObservation<'album'> {
  const id = checkProviderId(provider, dto.providerId, 'album');
  const key = providerKey(providerFromName(provider), 'album', id);
  // Spotify sends name "" for a taken-down album (provider-apis.md §2.6); that is a real album whose title this
  // observation does not state (null), not poison: the field merge takes another provider's or a reference's title.
  const title = text(dto.title, 255);
  const musicbrainzId = mbid(dto.musicbrainzId, 'album');
  const upc = identifier(() => parseUpc(dto.upc), 'album upc');
  const references = artistReferences(provider, dto.artists, (name) => (upc ? upcEvidenceKey(upc, name) : null), 'album');
  const release = capReleaseDatePrecision(parseReleaseDate(dto.releaseDate), STATED_PRECISION[dto.releaseDatePrecision] ?? null);
  const fields: AlbumFields = {
    title,
    musicbrainzId,
    upc,
    ...providerColumns(provider, 'album', id),
    release: release ? { date: release.date, precision: release.precision, year: release.year } : null,
    albumType: ALBUM_TYPES[dto.albumType] ?? null,
    totalTracks: optionalInt(dto.totalTracks, 0, INT32_MAX),
    coverUrl: urlText(dto.imageUrl),
    albumArtist: references[0].name,
    artistKey: references[0].key,
  };
  const identityKeys: string[] = [];
  if (musicbrainzId) identityKeys.push(mbidKey('album', musicbrainzId));
  if (upc) identityKeys.push(upcKey(upc));
  return { kind: 'entity', type: 'album', key, provider, ...order, fields, identityKeys, references, saved };
}

function trackObservation(order: ObservationOrder, provider: ProviderName, dto: TrackDTO): EntityObservation<'track'> {
  const id = checkProviderId(provider, dto.providerId, 'track');
  const key = providerKey(providerFromName(provider), 'track', id);
  // A local file without a title tag, or a track taken down on a provider, is still a real track (ISRC, album,
  // position): its title is not stated (null), and the field merge takes another provider's or falls back to ''.
  // Dead-lettering it would also park every later event of this key.
  const title = text(dto.title, 255);
  const musicbrainzId = mbid(dto.musicbrainzId, 'track');
  const isrc = identifier(() => parseIsrc(dto.isrc), 'track isrc');
  const albumUpc = identifier(() => parseUpc(dto.albumUpc), 'track album_upc');
  const references = artistReferences(provider, dto.artists, (name) => (isrc ? isrcEvidenceKey(isrc, name) : null), 'track');
  const albumKey = referenceKey(provider, 'album', dto.album, references[0].key);
  if (albumKey && dto.album) {
    const albumMbid = referenceMbid(dto.album);
    const identityKeys: string[] = [];
    if (albumMbid) identityKeys.push(mbidKey('album', albumMbid));
    // No artist evidence from album_upc: the event does not say who the album's artist is (parentKey is only the
    // track's primary artist), and on a compilation one UPC is shared by many artists, homonyms included.
    if (albumUpc) identityKeys.push(upcKey(albumUpc));
    references.push({
      type: 'album',
      key: albumKey,
      name: text(dto.album.name, 255) ?? '',
      musicbrainzId: albumMbid,
      parentKey: references[0].key,
      identityKeys,
    });
  }
  const fields: TrackFields = {
    title,
    musicbrainzId,
    isrc,
    ...providerColumns(provider, 'track', id),
    // proto3 `int64 duration_ms` cannot be absent: 0 is how connectors and the migrator say "unknown" (no track lasts
    // 0 ms), so it is null here — otherwise a provider that does not know the duration would erase one that does
    durationMs: optionalInt(dto.durationMs, 1, INT32_MAX),
    trackNumber: optionalInt(dto.trackNumber, 0, INT32_MAX),
    discNumber: optionalInt(dto.discNumber, 0, INT32_MAX),
    explicit: dto.explicit,
    previewUrl: urlText(dto.previewUrl),
    artistKey: references[0].key,
    albumKey,
  };
  const identityKeys: string[] = [];
  if (musicbrainzId) identityKeys.push(mbidKey('track', musicbrainzId));
  if (isrc) identityKeys.push(isrcKey(isrc));
  return { kind: 'entity', type: 'track', key, provider, ...order, fields, identityKeys, references, saved: false };
}

const LISTINGS = {
  [SnapshotKind.SNAPSHOT_KIND_FOLLOWED_ARTISTS]: { listing: 'followed_artists', type: 'artist' },
  [SnapshotKind.SNAPSHOT_KIND_SAVED_ALBUMS]: { listing: 'saved_albums', type: 'album' },
} as const;

function snapshotObservation(
  order: ObservationOrder,
  provider: ProviderName,
  kind: SnapshotKind,
  ids: string[],
  complete: boolean,
): SnapshotObservation {
  const spec = LISTINGS[kind as keyof typeof LISTINGS];
  if (!spec) throw new InvalidEventError(`unknown snapshot kind ${kind}`);
  // An id no entity event could carry (blank, whitespace, too long) names no entity, so leaving it out changes the
  // snapshot's meaning for none. Rejecting the snapshot for it dead-lettered it and parked every later snapshot of
  // the listing behind it for good (retrying fails again): nobody's follows or saves on that provider changed again.
  const memberKeys = new Set<string>();
  for (const id of ids) {
    try {
      memberKeys.add(providerKey(providerFromName(provider), spec.type, checkProviderId(provider, id, spec.type)));
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
    }
  }
  return {
    kind: 'snapshot',
    key: `${provider}:library:${spec.listing}`,
    provider,
    listing: spec.listing,
    ...order,
    memberKeys: [...memberKeys],
    complete,
  };
}

/**
 * Validates a decoded envelope and normalizes it into the projection's observation model. Throws
 * InvalidEventError (with the reason stored in the dead letter) for anything the projection cannot apply:
 * invalid ISRC/UPC/MusicBrainz id, missing ids or names, a DTO of another provider.
 */
export function toObservation(envelope: EventEnvelope): Observation {
  const provider = providerName(envelope.provider);
  if (!UUID_RE.test(envelope.eventId)) throw new InvalidEventError(`event_id is not a UUID: ${JSON.stringify(envelope.eventId)}`);
  const observedAt = envelope.observedAt!.getTime();
  if (!(observedAt >= MIN_OBSERVED_AT && observedAt < END_OBSERVED_AT)) {
    throw new InvalidEventError(`observed_at out of range: ${JSON.stringify(envelope.observedAt)}`);
  }
  const order: ObservationOrder = { observedAt, rank: PROVIDER_RANK[provider], eventId: envelope.eventId.toLowerCase() };
  const payload = envelope.payload;
  if (!payload) throw new InvalidEventError('unknown or missing payload type');
  const checkDto = (dto: { provider: number } | undefined, what: string) => {
    if (!dto) throw new InvalidEventError(`${what} payload without its DTO`);
    if (dto.provider !== 0 && dto.provider !== envelope.provider) {
      throw new InvalidEventError(`${what} DTO of provider ${dto.provider} in an envelope of provider ${envelope.provider}`);
    }
  };
  switch (payload.$case) {
    case 'artistObserved':
      checkDto(payload.value.artist, 'artist');
      return artistObservation(order, provider, payload.value.artist!);
    case 'albumObserved':
      checkDto(payload.value.album, 'album');
      return albumObservation(order, provider, payload.value.album!, payload.value.saved);
    case 'trackObserved':
      checkDto(payload.value.track, 'track');
      return trackObservation(order, provider, payload.value.track!);
    case 'librarySnapshot':
      return snapshotObservation(order, provider, payload.value.kind, payload.value.providerIds, payload.value.complete);
    default:
      throw new InvalidEventError(`unknown payload type ${(payload as { $case: string }).$case}`);
  }
}
