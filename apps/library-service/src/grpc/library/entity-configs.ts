import { Provider } from '@soulspot/contracts';
import { hashedKeyEquals } from '@soulspot/library-db';
import { Source, type Album, type Artist, type Provenance, type Track } from '@soulspot/contracts/library';
import { spotifyIdFromUri } from '@soulspot/music-model';
import type { FieldSpecs } from '../filter/compile';
import type { SortSpec } from '../order-by';
import type { Row } from '../db';
import { resourceName, type Collection } from '../resource-names';
import { isMusicBrainzId, parseIsrcOrThrow, parseUpcOrThrow } from './identifiers';

export type EntityType = 'artist' | 'album' | 'track';

/** Everything the generic read queries need to know about one entity table. */
export interface EntityConfig<M> {
  type: EntityType;
  collection: Extract<Collection, 'artists' | 'albums' | 'tracks'>;
  /** The entity table and its alias in `from`; its id column is `${alias}.id`. */
  table: string;
  alias: string;
  from: string;
  columns: string;
  filterFields: FieldSpecs;
  sortFields: Record<string, SortSpec>;
  sortAliases: Record<string, string>;
  defaultSort: string;
  toMessage(row: Row): M;
}

const SOURCES: Record<string, Source> = {
  spotify: Source.SOURCE_SPOTIFY,
  deezer: Source.SOURCE_DEEZER,
  local: Source.SOURCE_LOCAL,
  hybrid: Source.SOURCE_HYBRID,
  tidal: Source.SOURCE_TIDAL,
};
const SOURCE_VALUES = Object.keys(SOURCES);
const PROVIDERS: Record<string, Provider> = { spotify: Provider.PROVIDER_SPOTIFY, deezer: Provider.PROVIDER_DEEZER, local: Provider.PROVIDER_LOCAL };

/**
 * Provenance of entity `alias`: every provider observation merged into it, with the identifiers that provider
 * reported, as one JSON array (a correlated subquery, so a page needs a single round trip). Each observation is a
 * positional array — see PROVENANCE_FIELDS — rather than an object: a page of 100 entities parses about half the
 * JSON without the repeated key names.
 */
function provenanceColumn(alias: string, type: EntityType): string {
  return `(SELECT coalesce(json_agg(json_build_array(
      o.provider, o.provider_key, o.observed_at,
      coalesce(o.data->>'musicbrainzId', o.data->>'musicbrainz_id'), o.data->>'isrc', o.data->>'upc') ORDER BY o.provider_key), '[]'::json)
    FROM projection_entity_members m JOIN projection_observations o ON o.provider_key = m.member_key
    WHERE ${hashedKeyEquals('m.entity_id', `${alias}.id`)} AND m.entity_type = '${type}') AS provenance`;
}

/** Positions in one provenance array built by provenanceColumn. */
const PROVENANCE_FIELDS = { provider: 0, providerKey: 1, observedAt: 2, musicbrainzId: 3, isrc: 4, upc: 5 } as const;

/**
 * Sort on the timestamp with microseconds kept in the cursor (a JS Date would round them and repeat rows). to_char()
 * gives NULL for ±infinity, valid timestamptz values: those (and NULL, sorted as -infinity) travel as their own text.
 */
function lastSyncedSort(alias: string): SortSpec {
  const column = `${alias}.last_synced_at`;
  return {
    expression: `coalesce(${column}, '-infinity'::timestamptz)`,
    cursorText: `CASE WHEN isfinite(${column}) THEN to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE coalesce(${column}::text, '-infinity') END`,
    cast: 'timestamptz',
  };
}

function textSort(column: string): SortSpec {
  return { expression: column, cursorText: column, cast: 'text' };
}

function str(value: unknown): string {
  return value == null ? '' : String(value);
}

function optionalNumber(value: unknown): number | undefined {
  return value == null ? undefined : Number(value);
}

function parseGenres(value: unknown): string[] {
  if (typeof value !== 'string' || value === '') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((g): g is string => typeof g === 'string') : [];
  } catch {
    return [];
  }
}

function providerIds(row: Row, type: EntityType) {
  const spotifyUri = str(row.spotify_uri);
  return { spotifyUri, spotifyId: spotifyIdFromUri(spotifyUri, type) ?? '', deezerId: str(row.deezer_id) };
}

function provenance(value: unknown): Provenance[] {
  const items = (typeof value === 'string' ? JSON.parse(value) : value) as Array<Array<string | null>> | null;
  const f = PROVENANCE_FIELDS;
  return (items ?? []).map((item) => {
    const key = str(item[f.providerKey]);
    const observedAt = item[f.observedAt];
    return {
      provider: PROVIDERS[str(item[f.provider])] ?? Provider.PROVIDER_UNSPECIFIED,
      providerId: key.split(':').slice(2).join(':'),
      providerKey: key,
      musicbrainzId: str(item[f.musicbrainzId]),
      isrc: str(item[f.isrc]),
      upc: str(item[f.upc]),
      observedAt: date(observedAt),
    };
  });
}

/** A google.protobuf.Timestamp cannot hold ±infinity (pg gives them as numbers) or an invalid date: left unset. */
function date(value: unknown): Date | undefined {
  const parsed = value instanceof Date ? value : value == null ? undefined : new Date(typeof value === 'number' ? value : String(value));
  return parsed && Number.isFinite(parsed.getTime()) ? parsed : undefined;
}

const mbidField = (column: string) =>
  ({
    kind: 'identifier',
    column,
    normalize: (value: string) => {
      if (!isMusicBrainzId(value)) throw new Error('is not a MusicBrainz id (UUID)');
      return value.toLowerCase();
    },
  }) as const;

export const ARTISTS: EntityConfig<Artist> = {
  type: 'artist',
  collection: 'artists',
  table: 'soulspot_artists',
  alias: 'a',
  from: 'soulspot_artists a',
  columns: `a.id, a.name, a.source, a.spotify_uri, a.deezer_id, a.musicbrainz_id, a.genres, a.image_url, a.image_path,
    a.popularity, a.follower_count, a.disambiguation, a.is_followed, a.last_synced_at, ${provenanceColumn('a', 'artist')}`,
  filterFields: {
    source: { kind: 'enum', column: 'a.source', values: SOURCE_VALUES },
    name: { kind: 'text', column: 'a.name' },
    followed: { kind: 'bool', expression: 'a.is_followed' },
    musicbrainz_id: mbidField('a.musicbrainz_id'),
  },
  sortFields: { name: textSort('a.name'), last_synced_at: lastSyncedSort('a') },
  sortAliases: {},
  defaultSort: 'name',
  toMessage: (row) => ({
    name: resourceName('artists', str(row.id)),
    id: str(row.id),
    displayName: str(row.name),
    source: SOURCES[str(row.source)] ?? Source.SOURCE_UNSPECIFIED,
    providerIds: providerIds(row, 'artist'),
    musicbrainzId: str(row.musicbrainz_id),
    genres: parseGenres(row.genres),
    imageUrl: str(row.image_url),
    imagePath: str(row.image_path),
    popularity: optionalNumber(row.popularity),
    followerCount: optionalNumber(row.follower_count),
    disambiguation: str(row.disambiguation),
    followed: row.is_followed === true,
    lastSyncedAt: date(row.last_synced_at),
    provenance: provenance(row.provenance),
  }),
};

export const ALBUMS: EntityConfig<Album> = {
  type: 'album',
  collection: 'albums',
  table: 'soulspot_albums',
  alias: 'b',
  from: 'soulspot_albums b JOIN soulspot_artists ba ON ba.id = b.artist_id',
  columns: `b.id, b.title, b.source, b.spotify_uri, b.deezer_id, b.musicbrainz_id, b.upc, b.artist_id, ba.name AS artist_name,
    b.release_date, b.release_date_precision, b.primary_type, b.total_tracks, b.cover_url, b.image_path, b.is_saved,
    b.last_synced_at, ${provenanceColumn('b', 'album')}`,
  filterFields: {
    source: { kind: 'enum', column: 'b.source', values: SOURCE_VALUES },
    title: { kind: 'text', column: 'b.title' },
    name: { kind: 'text', column: 'b.title' },
    saved: { kind: 'bool', expression: 'b.is_saved' },
    upc: { kind: 'identifier', column: 'b.upc', normalize: parseUpcOrThrow },
    musicbrainz_id: mbidField('b.musicbrainz_id'),
  },
  sortFields: { title: textSort('b.title'), last_synced_at: lastSyncedSort('b') },
  sortAliases: { name: 'title' },
  defaultSort: 'title',
  toMessage: (row) => ({
    name: resourceName('albums', str(row.id)),
    id: str(row.id),
    title: str(row.title),
    source: SOURCES[str(row.source)] ?? Source.SOURCE_UNSPECIFIED,
    providerIds: providerIds(row, 'album'),
    musicbrainzId: str(row.musicbrainz_id),
    upc: str(row.upc),
    artist: resourceName('artists', str(row.artist_id)),
    artistDisplayName: str(row.artist_name),
    releaseDate: str(row.release_date),
    releaseDatePrecision: str(row.release_date_precision),
    albumType: str(row.primary_type).toLowerCase(),
    totalTracks: optionalNumber(row.total_tracks),
    coverUrl: str(row.cover_url),
    imagePath: str(row.image_path),
    saved: row.is_saved === true,
    lastSyncedAt: date(row.last_synced_at),
    provenance: provenance(row.provenance),
  }),
};

export const TRACKS: EntityConfig<Track> = {
  type: 'track',
  collection: 'tracks',
  table: 'soulspot_tracks',
  alias: 't',
  from: 'soulspot_tracks t JOIN soulspot_artists ta ON ta.id = t.artist_id LEFT JOIN soulspot_albums tb ON tb.id = t.album_id',
  columns: `t.id, t.title, t.source, t.spotify_uri, t.deezer_id, t.musicbrainz_id, t.isrc, t.artist_id, ta.name AS artist_name,
    t.album_id, tb.title AS album_title, t.duration_ms, t.track_number, t.disc_number, t.explicit, t.preview_url,
    t.last_synced_at, ${provenanceColumn('t', 'track')}`,
  filterFields: {
    source: { kind: 'enum', column: 't.source', values: SOURCE_VALUES },
    title: { kind: 'text', column: 't.title' },
    name: { kind: 'text', column: 't.title' },
    explicit: { kind: 'bool', expression: 't.explicit' },
    isrc: { kind: 'identifier', column: 't.isrc', normalize: parseIsrcOrThrow },
    musicbrainz_id: mbidField('t.musicbrainz_id'),
  },
  sortFields: { title: textSort('t.title'), last_synced_at: lastSyncedSort('t') },
  sortAliases: { name: 'title' },
  defaultSort: 'title',
  toMessage: (row) => ({
    name: resourceName('tracks', str(row.id)),
    id: str(row.id),
    title: str(row.title),
    source: SOURCES[str(row.source)] ?? Source.SOURCE_UNSPECIFIED,
    providerIds: providerIds(row, 'track'),
    musicbrainzId: str(row.musicbrainz_id),
    isrc: str(row.isrc),
    artist: resourceName('artists', str(row.artist_id)),
    artistDisplayName: str(row.artist_name),
    album: row.album_id ? resourceName('albums', str(row.album_id)) : '',
    albumTitle: str(row.album_title),
    durationMs: Number(row.duration_ms ?? 0),
    trackNumber: optionalNumber(row.track_number),
    discNumber: Number(row.disc_number ?? 1),
    explicit: row.explicit === true,
    previewUrl: str(row.preview_url),
    lastSyncedAt: date(row.last_synced_at),
    provenance: provenance(row.provenance),
  }),
};
