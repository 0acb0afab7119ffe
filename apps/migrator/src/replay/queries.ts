import { columnExpr as col, observedAtExpr, type ColumnMapping } from './mapping';
import { SOULSPOT_ALBUMS, SOULSPOT_ARTISTS, SOULSPOT_TRACKS, SPOTIFY_ALBUMS, SPOTIFY_ARTISTS, SPOTIFY_TRACKS, sourceName, type SourceTable } from './sources';

export type Mappings = Map<SourceTable, ColumnMapping>;

/**
 * Keyset page over one source: `WHERE key > $1 ORDER BY key LIMIT $2` on the table's id column (its primary
 * key index), with the joins the events need (album -> artist, track -> album -> artist). Every selected
 * column is cast to the type the event builders expect, so a legacy column of a surprising type fails here,
 * naming the column, instead of producing a wrong event.
 *
 * Tracks can instead be paged in album order, `WHERE (album, key) > ($1, $2) ORDER BY album, key` (see
 * `PageQueryOptions.tracksByAlbum`), so that an album's tracks are published together.
 */
export interface PageQuery {
  /** The first page; parameter: the page size. */
  first: string;
  /** The page after a position; parameters: `after(position)`, then the page size. */
  next: string;
  /** The position of a page's last row: what `migrator_replay_cursors.last_key` stores. */
  positionOf(row: Record<string, unknown>): string;
  /** The parameters of `next` that continue after a stored position. */
  after(position: string): string[];
  /** The columns of the keyset order, for the report. */
  order: string[];
}

export interface PageQueryOptions {
  /**
   * Page spotify_tracks in (album, track id) order instead of track id order. Legacy track ids are random, so in id
   * order every page holds tracks of as many albums as it has rows, and the projection rewrites each album (and its
   * artist) once per page that names it, inserting into the tracks' album/artist indexes all over. In album order a
   * page holds whole albums. Needs a NOT NULL album column that leads an index (the real layout has both).
   */
  tracksByAlbum?: boolean;
  /**
   * Columns of the source table to page by when its id column is not a key (nullable, or not unique on its own — a
   * variant layout with a surrogate primary key): in the id's order a NULL id ends or restarts the scan and rows
   * sharing an id are lost at a page boundary. The rows' ids are still read from the id column.
   */
  keyset?: string[];
}

const table = (s: SourceTable): string => `${s.schema}."${s.table}"`;

/**
 * The timestamps a source's observed_at comes from, first present wins (a spotify_* album's `tracks_synced_at` says
 * when its tracks were listed, not when the album was seen). Verify needs the same value to tell a row's own
 * observation from a fresher one.
 */
export function observedAtOf(source: SourceTable, m: ColumnMapping, alias: string): string {
  const fields = source === SPOTIFY_ALBUMS || source === SPOTIFY_TRACKS ? ['updated_at', 'created_at'] : ['synced_at', 'updated_at', 'created_at'];
  return observedAtExpr(m, alias, fields);
}

/** The column name of `alias."column"` (expressions are shown as they are). */
const columnName = (expr: string): string => /^\w+\."((?:[^"]|"")+)"$/.exec(expr)?.[1].replace(/""/g, '"') ?? expr;

/**
 * Keyset page over `keyset` (expressions of a unique, NOT NULL key) while `key` is the row's id; a position is the JSON
 * array of the key's values.
 */
function keysetPage(select: string, from: string, idExpr: string, keyset: string[], source: SourceTable): PageQuery {
  const cursor = keyset.map((expr, i) => `${expr}::text AS cursor_${i}`).join(', ');
  const base = `SELECT ${idExpr}::text AS key, ${cursor}, ${select} FROM ${from}`;
  const order = `ORDER BY ${keyset.join(', ')}`;
  const params = keyset.map((_, i) => `$${i + 1}`);
  return {
    first: `${base} ${order} LIMIT $1`,
    next: `${base} WHERE (${keyset.join(', ')}) > (${params.join(', ')}) ${order} LIMIT $${keyset.length + 1}`,
    positionOf: (row) => JSON.stringify(keyset.map((_, i) => row[`cursor_${i}`])),
    after: (position) => parseKeysetPosition(position, keyset.length, source),
    order: keyset.map(columnName),
  };
}

/** A stored position of `keysetPage`; anything else was written by a replay that paged this source another way. */
function parseKeysetPosition(position: string, length: number, source: SourceTable): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(position);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === length && parsed.every((part) => typeof part === 'string')) return parsed as string[];
  throw new Error(
    `replay cursor of ${sourceName(source)} (${JSON.stringify(position)}) is not a position of its primary key: it was written by a ` +
      `migrator that paged this table in another order; run 'migrator replay --restart' (identical events are skipped by the projection)`,
  );
}

function idPage(select: string, from: string, keyExpr: string): PageQuery {
  const base = `SELECT ${keyExpr}::text AS key, ${select} FROM ${from}`;
  return {
    first: `${base} ORDER BY ${keyExpr} LIMIT $1`,
    next: `${base} WHERE ${keyExpr} > $1 ORDER BY ${keyExpr} LIMIT $2`,
    positionOf: (row) => row.key as string,
    after: (position) => [position],
    order: [columnName(keyExpr)],
  };
}

/**
 * Keyset page in (group, key) order; a position is the JSON pair `[group, key]`. `from` receives the page's lower
 * bound on the group (null on the first page), which the joins can use: see the tracks' album join.
 */
function groupedPage(select: string, from: (groupFrom: string | null) => string, groupExpr: string, keyExpr: string, source: SourceTable): PageQuery {
  const base = (groupFrom: string | null) => `SELECT ${keyExpr}::text AS key, ${groupExpr}::text AS page_group, ${select} FROM ${from(groupFrom)}`;
  const order = `ORDER BY ${groupExpr}, ${keyExpr}`;
  return {
    first: `${base(null)} ${order} LIMIT $1`,
    next: `${base('$1')} WHERE (${groupExpr}, ${keyExpr}) > ($1, $2) ${order} LIMIT $3`,
    positionOf: (row) => JSON.stringify([row.page_group, row.key]),
    after: (position) => parseGroupedPosition(position, source),
    order: [columnName(groupExpr), columnName(keyExpr)],
  };
}

/** A stored `[group, key]` position; anything else was written by a replay that paged this source differently. */
export function parseGroupedPosition(position: string, source: SourceTable): [string, string] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(position);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((part) => typeof part === 'string')) return parsed as [string, string];
  throw new Error(
    `replay cursor of ${sourceName(source)} (${JSON.stringify(position)}) is not an (album, track) position: it was written by a ` +
      `migrator that paged this table in another order; run 'migrator replay --restart' (identical events are skipped by the projection)`,
  );
}

function mappingOf(mappings: Mappings, source: SourceTable): ColumnMapping {
  const m = mappings.get(source);
  if (!m) throw new Error(`replay: ${sourceName(source)} is needed for a join but is not present`);
  return m;
}

export function pageQuery(source: SourceTable, mappings: Mappings, options: PageQueryOptions = {}): PageQuery {
  const m = mappingOf(mappings, source);
  const keyset = options.keyset?.length ? options.keyset : null;
  const page = (select: string, from: string, idExpr: string): PageQuery => {
    if (!keyset) return idPage(select, from, idExpr);
    const alias = idExpr.slice(0, idExpr.indexOf('.'));
    return keysetPage(select, from, idExpr, keyset.map((c) => `${alias}."${c.replace(/"/g, '""')}"`), source);
  };
  switch (source) {
    case SPOTIFY_ARTISTS:
      return page(
        `${col(m, 'a', 'name')}::text AS name, ${col(m, 'a', 'image_url')}::text AS image_url, ${col(m, 'a', 'genres')}::text AS genres,
         ${col(m, 'a', 'popularity', 'integer')}::integer AS popularity, ${col(m, 'a', 'follower_count', 'bigint')}::bigint AS follower_count,
         ${observedAtOf(source, m, 'a')} AS observed_at`,
        `${table(source)} a`,
        col(m, 'a', 'id'),
      );
    case SPOTIFY_ALBUMS: {
      const ar = mappingOf(mappings, SPOTIFY_ARTISTS);
      return page(
        `${col(m, 'al', 'title')}::text AS title, ${col(m, 'al', 'artist_id')}::text AS artist_id, ${col(ar, 'ar', 'name')}::text AS artist_name,
         ${col(m, 'al', 'image_url')}::text AS image_url, ${col(m, 'al', 'release_date')}::text AS release_date,
         ${col(m, 'al', 'release_date_precision')}::text AS release_date_precision, ${col(m, 'al', 'album_type')}::text AS album_type,
         ${col(m, 'al', 'total_tracks', 'integer')}::integer AS total_tracks, ${col(m, 'al', 'is_saved', 'boolean')}::boolean AS is_saved,
         ${col(m, 'al', 'upc')}::text AS upc, ${observedAtOf(source, m, 'al')} AS observed_at`,
        `${table(source)} al LEFT JOIN ${table(SPOTIFY_ARTISTS)} ar ON ${col(ar, 'ar', 'id')} = ${col(m, 'al', 'artist_id')}`,
        col(m, 'al', 'id'),
      );
    }
    case SPOTIFY_TRACKS: {
      const al = mappingOf(mappings, SPOTIFY_ALBUMS);
      const ar = mappingOf(mappings, SPOTIFY_ARTISTS);
      const artistId = m.artist_id ? `coalesce(${col(m, 't', 'artist_id')}, ${col(al, 'al', 'artist_id')})` : col(al, 'al', 'artist_id');
      // In album order the planner likes a merge join of the tracks' album index with the albums' primary key, which
      // would scan the albums from the first one on every page; the page's lower album bound, repeated on the albums
      // side (implied by the keyset condition), lets that scan start at the page.
      const from = (albumFrom: string | null) =>
        `${table(source)} t LEFT JOIN ${table(SPOTIFY_ALBUMS)} al ON ${col(al, 'al', 'id')} = ${col(m, 't', 'album_id')}${albumFrom ? ` AND ${col(al, 'al', 'id')} >= ${albumFrom}` : ''}
         LEFT JOIN ${table(SPOTIFY_ARTISTS)} ar ON ${col(ar, 'ar', 'id')} = ${artistId}`;
      const paged = (select: string) =>
        options.tracksByAlbum && !keyset ? groupedPage(select, from, col(m, 't', 'album_id'), col(m, 't', 'id'), source) : page(select, from(null), col(m, 't', 'id'));
      return paged(
        `${col(m, 't', 'title')}::text AS title, ${col(m, 't', 'album_id')}::text AS album_id, ${col(al, 'al', 'title')}::text AS album_title,
         ${artistId}::text AS artist_id, ${col(ar, 'ar', 'name')}::text AS artist_name,
         ${col(m, 't', 'track_number', 'integer')}::integer AS track_number, ${col(m, 't', 'disc_number', 'integer')}::integer AS disc_number,
         ${col(m, 't', 'duration_ms', 'integer')}::integer AS duration_ms, ${col(m, 't', 'explicit', 'boolean')}::boolean AS explicit,
         ${col(m, 't', 'preview_url')}::text AS preview_url, ${col(m, 't', 'isrc')}::text AS isrc,
         ${observedAtOf(source, m, 't')} AS observed_at`,
      );
    }
    case SOULSPOT_ARTISTS:
      return page(
        `${unifiedIdColumns(m, 'a', '')}, ${col(m, 'a', 'name')}::text AS name, ${col(m, 'a', 'image_url')}::text AS image_url,
         ${col(m, 'a', 'genres')}::text AS genres, ${col(m, 'a', 'disambiguation')}::text AS disambiguation,
         ${col(m, 'a', 'popularity', 'integer')}::integer AS popularity, ${col(m, 'a', 'follower_count', 'bigint')}::bigint AS follower_count,
         ${observedAtOf(source, m, 'a')} AS observed_at`,
        `${table(source)} a`,
        col(m, 'a', 'id'),
      );
    case SOULSPOT_ALBUMS: {
      const ar = mappingOf(mappings, SOULSPOT_ARTISTS);
      return page(
        `${unifiedIdColumns(m, 'al', '')}, ${col(m, 'al', 'title')}::text AS title, ${col(m, 'al', 'upc')}::text AS upc,
         ${col(m, 'al', 'release_date')}::text AS release_date, ${col(m, 'al', 'release_date_precision')}::text AS release_date_precision,
         ${col(m, 'al', 'release_year', 'integer')}::integer AS release_year, ${col(m, 'al', 'image_url')}::text AS image_url,
         ${col(m, 'al', 'primary_type')}::text AS primary_type, ${col(m, 'al', 'secondary_types')}::text AS secondary_types,
         ${col(m, 'al', 'total_tracks', 'integer')}::integer AS total_tracks, ${col(m, 'al', 'is_saved', 'boolean')}::boolean AS is_saved,
         ${observedAtOf(source, m, 'al')} AS observed_at,
         ${col(m, 'al', 'artist_id')}::text AS artist_id, ${col(ar, 'ar', 'name')}::text AS artist_name, ${unifiedIdColumns(ar, 'ar', 'artist_')}`,
        `${table(source)} al LEFT JOIN ${table(SOULSPOT_ARTISTS)} ar ON ${col(ar, 'ar', 'id')} = ${col(m, 'al', 'artist_id')}`,
        col(m, 'al', 'id'),
      );
    }
    case SOULSPOT_TRACKS: {
      const al = mappingOf(mappings, SOULSPOT_ALBUMS);
      const ar = mappingOf(mappings, SOULSPOT_ARTISTS);
      return page(
        `${unifiedIdColumns(m, 't', '')}, ${col(m, 't', 'title')}::text AS title, ${col(m, 't', 'isrc')}::text AS isrc,
         ${col(m, 't', 'track_number', 'integer')}::integer AS track_number, ${col(m, 't', 'disc_number', 'integer')}::integer AS disc_number,
         ${col(m, 't', 'duration_ms', 'integer')}::integer AS duration_ms, ${col(m, 't', 'explicit', 'boolean')}::boolean AS explicit,
         ${col(m, 't', 'preview_url')}::text AS preview_url, ${col(m, 't', 'file_path')}::text AS file_path,
         ${observedAtOf(source, m, 't')} AS observed_at,
         ${col(m, 't', 'artist_id')}::text AS artist_id, ${col(ar, 'ar', 'name')}::text AS artist_name, ${unifiedIdColumns(ar, 'ar', 'artist_')},
         ${col(m, 't', 'album_id')}::text AS album_id, ${col(al, 'al', 'title')}::text AS album_title, ${unifiedIdColumns(al, 'al', 'album_')},
         ${col(al, 'al', 'upc')}::text AS album_upc, ${linkedIsrc(mappings, col(m, 't', 'id'))} AS linked_isrc`,
        `${table(source)} t LEFT JOIN ${table(SOULSPOT_ARTISTS)} ar ON ${col(ar, 'ar', 'id')} = ${col(m, 't', 'artist_id')}
         LEFT JOIN ${table(SOULSPOT_ALBUMS)} al ON ${col(al, 'al', 'id')} = ${col(m, 't', 'album_id')}`,
        col(m, 't', 'id'),
      );
    }
    default:
      throw new Error(`replay: no query for ${sourceName(source)}`);
  }
}

/**
 * The ISRC of the legacy Spotify track linked to a soulspot_tracks row (spotify_tracks.local_track_id), if any: the old
 * app's statement that a local file is that recording. The scanner read no ISRC from tags, so without it such a file
 * could never merge with its Spotify track. First link by Spotify id when several tracks point at one file.
 */
function linkedIsrc(mappings: Mappings, unifiedId: string): string {
  const st = mappings.get(SPOTIFY_TRACKS);
  if (!st?.local_track_id || !st.isrc) return 'NULL::text';
  return `(SELECT ${col(st, 'st', 'isrc')}::text FROM ${table(SPOTIFY_TRACKS)} st
           WHERE ${col(st, 'st', 'local_track_id')}::text = ${unifiedId}::text AND nullif(btrim(${col(st, 'st', 'isrc')}), '') IS NOT NULL
           ORDER BY ${col(st, 'st', 'id')} LIMIT 1)`;
}

function unifiedIdColumns(m: ColumnMapping, alias: string, prefix: string): string {
  return ['source', 'spotify_uri', 'deezer_id', 'musicbrainz_id'].map((f) => `${col(m, alias, f)}::text AS ${prefix}${f}`).join(', ');
}
