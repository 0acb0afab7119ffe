import { Origin, Provider, type AlbumDTO, type ArtistDTO, type EnvelopePayload, type EntityRef, type TrackDTO } from '@soulspot/contracts';
import { encodeReplayEvent, type ReplayEvent } from './encode-event';
import { albumTypeOf, bareSpotifyId, cleanIsrc, cleanMbid, cleanProviderId, cleanUpc, legacyReleaseDate, optionalInt, parseGenres, unifiedDeezerId } from './normalize';
import type { SpotifyAlbumRow, SpotifyArtistRow, SpotifyTrackRow, UnifiedAlbumRow, UnifiedArtistRow, UnifiedIds, UnifiedTrackRow } from './rows';

export const MIGRATOR_PRODUCER = 'migrator';
/** Constant on purpose: a re-run (or a resumed run) publishes byte-identical events. */
export const LEGACY_CORRELATION_ID = 'legacy-migration';
/** observed_at of a legacy row without any timestamp: older than any live observation, so live data wins. */
export const UNKNOWN_OBSERVED_AT = new Date(0);

/** What one legacy row became: its events, and what had to be left out (counted in the replay report). */
export interface Built {
  events: ReplayEvent[];
  /** Row not replayable at all (reason); verify will list it as missing. */
  skipped?: string;
  droppedIsrc?: boolean;
  /** Provider ids of a pre-existing row that could not be carried (no matching reference ids). */
  droppedProviders?: string[];
}

const skip = (reason: string): Built => ({ events: [], skipped: reason });
const text = (value: string | null | undefined): string => value?.trim() ?? '';

function event(provider: Provider, origin: Origin, observedAt: Date | null, payload: EnvelopePayload): ReplayEvent {
  return encodeReplayEvent({
    observedAt: observedAt ?? UNKNOWN_OBSERVED_AT,
    provider,
    origin,
    producer: MIGRATOR_PRODUCER,
    correlationId: LEGACY_CORRELATION_ID,
    payload,
  });
}

// ---- spotify_* (origin LEGACY_MIGRATION) ----

export function spotifyArtistEvent(row: SpotifyArtistRow): Built {
  const id = bareSpotifyId(row.key, 'artist');
  if (!id) return skip(`invalid spotify artist id ${JSON.stringify(row.key)}`);
  if (!text(row.name)) return skip('artist without name');
  const artist: ArtistDTO = {
    provider: Provider.PROVIDER_SPOTIFY,
    providerId: id,
    name: text(row.name),
    musicbrainzId: '',
    genres: parseGenres(row.genres),
    imageUrl: text(row.image_url),
    popularity: optionalInt(row.popularity),
    followerCount: optionalInt(row.follower_count),
    disambiguation: '',
  };
  return { events: [event(Provider.PROVIDER_SPOTIFY, Origin.ORIGIN_LEGACY_MIGRATION, row.observed_at, { $case: 'artistObserved', value: { artist } })] };
}

export function spotifyAlbumEvent(row: SpotifyAlbumRow): Built {
  const id = bareSpotifyId(row.key, 'album');
  if (!id) return skip(`invalid spotify album id ${JSON.stringify(row.key)}`);
  // a blank title is sent as it is: Spotify names taken-down albums "" and the projection keeps such an album (title
  // unstated); skipping it lost the album (saved flag, date, type) and failed verify
  const artistId = bareSpotifyId(row.artist_id, 'artist');
  if (!artistId || !text(row.artist_name)) return skip(`album's artist ${JSON.stringify(row.artist_id)} not found in spotify_artists`);
  const album: AlbumDTO = {
    provider: Provider.PROVIDER_SPOTIFY,
    providerId: id,
    title: text(row.title),
    musicbrainzId: '',
    upc: cleanUpc(row.upc),
    artists: [{ providerId: artistId, name: text(row.artist_name), musicbrainzId: '' }],
    ...legacyReleaseDate(row.release_date, row.release_date_precision),
    albumType: albumTypeOf(row.album_type),
    totalTracks: optionalInt(row.total_tracks),
    imageUrl: text(row.image_url),
    genres: [],
    label: '',
  };
  return {
    events: [
      event(Provider.PROVIDER_SPOTIFY, Origin.ORIGIN_LEGACY_MIGRATION, row.observed_at, {
        $case: 'albumObserved',
        value: { album, saved: row.is_saved === true },
      }),
    ],
  };
}

/** Legacy tracks have no artist column: the album's artist is the track's artist. */
export function spotifyTrackEvent(row: SpotifyTrackRow): Built {
  const id = bareSpotifyId(row.key, 'track');
  if (!id) return skip(`invalid spotify track id ${JSON.stringify(row.key)}`);
  // a blank title is sent as it is (a track taken down on Spotify): the projection keeps the track, title unstated
  const artistId = bareSpotifyId(row.artist_id, 'artist');
  if (!artistId || !text(row.artist_name)) return skip(`track's album ${JSON.stringify(row.album_id)} or its artist not found`);
  const albumId = bareSpotifyId(row.album_id, 'album');
  const { isrc, dropped } = cleanIsrc(row.isrc);
  const track: TrackDTO = {
    provider: Provider.PROVIDER_SPOTIFY,
    providerId: id,
    title: text(row.title),
    musicbrainzId: '',
    isrc,
    artists: [{ providerId: artistId, name: text(row.artist_name), musicbrainzId: '' }],
    album: albumId ? { providerId: albumId, name: text(row.album_title), musicbrainzId: '' } : undefined,
    durationMs: optionalInt(row.duration_ms) ?? 0,
    trackNumber: optionalInt(row.track_number),
    discNumber: optionalInt(row.disc_number),
    explicit: row.explicit === true,
    previewUrl: text(row.preview_url),
    albumUpc: '',
  };
  return {
    events: [event(Provider.PROVIDER_SPOTIFY, Origin.ORIGIN_LEGACY_MIGRATION, row.observed_at, { $case: 'trackObserved', value: { track } })],
    droppedIsrc: dropped,
  };
}

// ---- pre-existing soulspot_* rows (origin BACKFILL) ----

type ProviderName = 'spotify' | 'deezer' | 'local';
const PROVIDERS: Record<ProviderName, Provider> = {
  spotify: Provider.PROVIDER_SPOTIFY,
  deezer: Provider.PROVIDER_DEEZER,
  local: Provider.PROVIDER_LOCAL,
};

/** The id a unified row has at a provider; for 'local' that is the SoulSpot row id itself. */
function idAt(provider: ProviderName, ids: UnifiedIds, rowId: string | null, type: 'artist' | 'album' | 'track'): string | null {
  if (provider === 'spotify') return bareSpotifyId(ids.spotify_uri, type);
  if (provider === 'deezer') return unifiedDeezerId(ids.deezer_id, ids.spotify_uri);
  return cleanProviderId(rowId);
}

/**
 * Which providers a pre-existing row was observed by: Spotify when it has a spotify_uri, Deezer when it has a
 * deezer_id, local when its source is 'local', it points at a file, or it has no provider id at all. One
 * BACKFILL observation per provider, so the projection computes `source` (hybrid when > 1) itself.
 */
export function observingProviders(ids: UnifiedIds, rowId: string, type: 'artist' | 'album' | 'track', filePath?: string | null): ProviderName[] {
  const out: ProviderName[] = [];
  if (idAt('spotify', ids, rowId, type)) out.push('spotify');
  if (idAt('deezer', ids, rowId, type)) out.push('deezer');
  if (ids.source?.trim().toLowerCase() === 'local' || text(filePath) !== '' || out.length === 0) out.push('local');
  return out;
}

function artistRef(provider: ProviderName, row: UnifiedAlbumRow | UnifiedTrackRow): EntityRef | null {
  const id = idAt(
    provider,
    { source: row.artist_source, spotify_uri: row.artist_spotify_uri, deezer_id: row.artist_deezer_id, musicbrainz_id: row.artist_musicbrainz_id },
    row.artist_id,
    'artist',
  );
  if (!id || !text(row.artist_name)) return null;
  return { providerId: id, name: text(row.artist_name), musicbrainzId: cleanMbid(row.artist_musicbrainz_id) };
}

/**
 * Providers whose observation can be built: the row's providers whose reference ids exist too (a Deezer
 * observation needs the artist's deezer_id). If none remains, a local observation keeps the row represented.
 */
function usableProviders(wanted: ProviderName[], row: UnifiedAlbumRow | UnifiedTrackRow): { use: ProviderName[]; dropped: ProviderName[] } {
  const use = wanted.filter((p) => artistRef(p, row) !== null);
  const dropped = wanted.filter((p) => !use.includes(p));
  if (use.length === 0 && artistRef('local', row)) use.push('local');
  return { use, dropped };
}

export function unifiedArtistEvents(row: UnifiedArtistRow): Built {
  if (!text(row.name)) return skip('artist without name');
  const events = observingProviders(row, row.key, 'artist').map((p) => {
    const artist: ArtistDTO = {
      provider: PROVIDERS[p],
      providerId: idAt(p, row, row.key, 'artist')!,
      name: text(row.name),
      musicbrainzId: cleanMbid(row.musicbrainz_id),
      genres: parseGenres(row.genres),
      imageUrl: text(row.image_url),
      popularity: optionalInt(row.popularity),
      followerCount: optionalInt(row.follower_count),
      disambiguation: text(row.disambiguation),
    };
    return event(PROVIDERS[p], Origin.ORIGIN_BACKFILL, row.observed_at, { $case: 'artistObserved', value: { artist } });
  });
  return { events };
}

export function unifiedAlbumEvents(row: UnifiedAlbumRow): Built {
  const { use, dropped } = usableProviders(observingProviders(row, row.key, 'album'), row);
  if (use.length === 0) return skip(`album's artist ${JSON.stringify(row.artist_id)} not found`);
  const events = use.map((p) => {
    const album: AlbumDTO = {
      provider: PROVIDERS[p],
      providerId: idAt(p, row, row.key, 'album') ?? row.key,
      title: text(row.title),
      musicbrainzId: cleanMbid(row.musicbrainz_id),
      upc: cleanUpc(row.upc),
      artists: [artistRef(p, row)!],
      ...legacyReleaseDate(row.release_date, row.release_date_precision, row.release_year),
      albumType: albumTypeOf(row.primary_type, row.secondary_types),
      totalTracks: optionalInt(row.total_tracks),
      imageUrl: text(row.image_url),
      genres: [],
      label: '',
    };
    return event(PROVIDERS[p], Origin.ORIGIN_BACKFILL, row.observed_at, { $case: 'albumObserved', value: { album, saved: row.is_saved === true } });
  });
  return { events, droppedProviders: dropped.length ? dropped : undefined };
}

export function unifiedTrackEvents(row: UnifiedTrackRow): Built {
  const { use, dropped } = usableProviders(observingProviders(row, row.key, 'track', row.file_path), row);
  if (use.length === 0) return skip(`track's artist ${JSON.stringify(row.artist_id)} not found`);
  const { isrc: ownIsrc, dropped: droppedIsrc } = cleanIsrc(row.isrc);
  // a row without its own ISRC takes the one of the Spotify track the old app linked to it, so the two merge
  const isrc = ownIsrc || cleanIsrc(row.linked_isrc).isrc;
  const albumIds = { source: row.album_source, spotify_uri: row.album_spotify_uri, deezer_id: row.album_deezer_id, musicbrainz_id: row.album_musicbrainz_id };
  const events = use.map((p) => {
    const albumId = row.album_id ? idAt(p, albumIds, row.album_id, 'album') : null;
    const track: TrackDTO = {
      provider: PROVIDERS[p],
      providerId: idAt(p, row, row.key, 'track') ?? row.key,
      title: text(row.title),
      musicbrainzId: cleanMbid(row.musicbrainz_id),
      isrc,
      artists: [artistRef(p, row)!],
      album: albumId ? { providerId: albumId, name: text(row.album_title), musicbrainzId: cleanMbid(row.album_musicbrainz_id) } : undefined,
      durationMs: optionalInt(row.duration_ms) ?? 0,
      trackNumber: optionalInt(row.track_number),
      discNumber: optionalInt(row.disc_number),
      explicit: row.explicit === true,
      previewUrl: text(row.preview_url),
      albumUpc: cleanUpc(row.album_upc),
    };
    return event(PROVIDERS[p], Origin.ORIGIN_BACKFILL, row.observed_at, { $case: 'trackObserved', value: { track } });
  });
  return { events, droppedIsrc, droppedProviders: dropped.length ? dropped : undefined };
}
