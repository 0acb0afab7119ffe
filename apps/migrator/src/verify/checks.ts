import { columnExpr as col, type ColumnMapping } from '../replay/mapping';
import { deezerPseudoUriIdSql } from '../replay/normalize';
import { observedAtOf, type Mappings } from '../replay/queries';
import { SOULSPOT_ALBUMS, SOULSPOT_ARTISTS, SOULSPOT_TRACKS, SPOTIFY_ALBUMS, SPOTIFY_ARTISTS, SPOTIFY_TRACKS, sourceName, type SourceTable } from '../replay/sources';

/**
 * Set-based counterpart checks. A legacy row "has its counterpart" when a soulspot_* row holds its identity:
 *  - spotify_artists / spotify_albums: the full Spotify URI in `spotify_uri`;
 *  - spotify_tracks: its ISRC (normalized) in `isrc`, or its URI in `spotify_uri`;
 *  - pre-existing soulspot_* rows: one of their provider keys (spotify URI, deezer:<type>:<id>, local:<type>:<row id>),
 *    or their ISRC for tracks;
 * and, for every kind, through the projection's membership table (provider key -> entity id) when the entity's
 * row shows another member's identifiers (two Spotify albums merged by UPC keep one `spotify_uri`).
 */
export interface CounterpartCheck {
  source: string;
  entity: 'artists' | 'albums' | 'tracks';
  /** Rows of the source. */
  totalSql: string;
  /** Ids of rows without counterpart (ordered, limited by $1). */
  missingSql: string;
  missingCountSql: string;
  /** Rows represented by two different soulspot rows (URI row != ISRC row): should be 0. */
  splitCountSql?: string;
  /**
   * Legacy rows whose own event was never applied (skipped by the replay, dead-lettered or parked), by id: a soulspot
   * row can still carry their URI, built from what other rows' events said about them (a track's album), but their
   * own fields would be lost with the table. Only for the spotify_* tables finalize drops.
   */
  unobservedSql?: string;
  unobservedCountSql?: string;
}

/**
 * The ISRC as the replay normalizes it (music-model parseIsrc). The pattern is checked case-insensitively BEFORE
 * upper-casing, ASCII only: upper() maps 'ı' to 'I' and 'ſ' to 'S' in a UTF-8 database, so 'qzzzı2600003' would
 * become a valid ISRC here that the replay dropped — matching another track's and counting the row as split.
 */
const ISRC_ANY_CASE_RE = `'^[A-Za-z]{2}[A-Za-z0-9]{3}[0-9]{7}$'`;
export const normalizedIsrcSql = (expr: string): string => {
  const compact = `regexp_replace(${expr}, '[[:space:]-]', '', 'g')`;
  return `(CASE WHEN ${compact} ~ ${ISRC_ANY_CASE_RE} THEN upper(${compact}) END)`;
};

/** A legacy id as the replay reads it (bareSpotifyId trims it): a stray space must not make a published row "missing". */
const trimmedSql = (expr: string): string => `btrim(${expr}, E' \\t\\n\\r\\f\\x0B')`;

/** Full Spotify URI of a legacy id that may be bare or already a URI. */
export const spotifyUriSql = (raw: string, type: string): string => {
  const expr = trimmedSql(raw);
  return `(CASE WHEN ${expr} LIKE 'spotify:%' THEN ${expr} ELSE 'spotify:${type}:' || ${expr} END)`;
};

const memberExists = (keyExpr: string, table: string): string =>
  `EXISTS (SELECT 1 FROM projection_entity_members pm JOIN ${table} pe ON pe.id = pm.entity_id WHERE pm.member_key = ${keyExpr})`;

const TABLES = { artists: 'soulspot_artists', albums: 'soulspot_albums', tracks: 'soulspot_tracks' } as const;
const TYPES = { artists: 'artist', albums: 'album', tracks: 'track' } as const;

/**
 * A row is found when any of `found` holds. The first condition (an EXISTS that holds for nearly every row) is
 * checked as an anti-join, which PostgreSQL can run as one hash join over both tables instead of an index probe per
 * legacy row (a random page read each once the tables outgrow shared buffers: 18 s for a million tracks); the others
 * only for the rows it leaves (OFFSET 0 keeps them out of the scan's own filter). `split`, when given, is the FROM/
 * WHERE tail of a join that yields each split row once.
 */
function check(source: SourceTable, entity: CounterpartCheck['entity'], alias: string, idExpr: string, found: string[], split?: string): CounterpartCheck {
  const from = `${source.schema}."${source.table}" ${alias}`;
  const [first, ...rest] = found;
  const unmatched = `(SELECT * FROM ${from} WHERE NOT ${first} OFFSET 0) ${alias}${rest.length > 0 ? ` WHERE NOT (${rest.join(' OR ')})` : ''}`;
  return {
    source: sourceName(source),
    entity,
    totalSql: `SELECT count(*)::bigint AS n FROM ${from}`,
    missingSql: `SELECT ${idExpr}::text AS id FROM ${unmatched} ORDER BY ${idExpr} LIMIT $1`,
    missingCountSql: `SELECT count(*)::bigint AS n FROM ${unmatched}`,
    splitCountSql: split ? `SELECT count(*)::bigint AS n FROM ${from} ${split}` : undefined,
  };
}

function spotifyCheck(source: SourceTable, m: ColumnMapping, entity: CounterpartCheck['entity']): CounterpartCheck {
  const table = TABLES[entity];
  const id = col(m, 'l', 'id');
  const uri = spotifyUriSql(`${id}::text`, TYPES[entity]);
  const byUri = `EXISTS (SELECT 1 FROM ${table} s WHERE s.spotify_uri = ${uri})`;
  const unobserved = unobservedRows(source, m, id, uri);
  if (entity !== 'tracks') return { ...check(source, entity, 'l', id, [byUri, memberExists(uri, table)]), ...unobserved };
  const isrc = normalizedIsrcSql(`${col(m, 'l', 'isrc')}::text`);
  const byIsrc = `(${isrc} IS NOT NULL AND EXISTS (SELECT 1 FROM ${table} s WHERE s.isrc = ${isrc}))`;
  // spotify_uri and isrc are unique: a legacy row joins at most one row of each
  const split = `JOIN ${table} a ON a.spotify_uri = ${uri} JOIN ${table} b ON b.isrc = ${isrc} WHERE a.id <> b.id`;
  return { ...check(source, entity, 'l', id, [byUri, byIsrc, memberExists(uri, table)], split), ...unobserved };
}

/**
 * Legacy rows without an applied observation under their own provider key at least as new as the row (one anti-join,
 * like the checks above): an older one (a live sync from before the legacy app's last write) does not hold the row's
 * fields, whose own event was then dead-lettered or parked. The event carries observed_at to the millisecond, cut
 * (node-postgres truncates the fraction, in floating point: one millisecond below at worst), hence the margin.
 */
function unobservedRows(source: SourceTable, m: ColumnMapping, idExpr: string, uri: string): Pick<CounterpartCheck, 'unobservedSql' | 'unobservedCountSql'> {
  const observedAt = `coalesce(${observedAtOf(source, m, 'l')}, 'epoch'::timestamptz)`;
  const rows =
    `${source.schema}."${source.table}" l WHERE NOT EXISTS (SELECT 1 FROM projection_observations o WHERE o.provider_key = ${uri}` +
    ` AND o.observed_at >= date_trunc('milliseconds', ${observedAt}) - interval '1 millisecond')`;
  return {
    unobservedSql: `SELECT ${idExpr}::text AS id FROM ${rows} ORDER BY ${idExpr} LIMIT $1`,
    unobservedCountSql: `SELECT count(*)::bigint AS n FROM ${rows}`,
  };
}

function unifiedCheck(source: SourceTable, m: ColumnMapping, entity: CounterpartCheck['entity']): CounterpartCheck {
  const table = TABLES[entity];
  const type = TYPES[entity];
  const id = col(m, 'l', 'id');
  const spotifyUri = trimmedSql(`${col(m, 'l', 'spotify_uri')}::text`);
  const spotifyKey = `(CASE WHEN ${spotifyUri} LIKE 'spotify:${type}:%' THEN ${spotifyUri} END)`;
  const deezerId = `coalesce(nullif(trim(${col(m, 'l', 'deezer_id')}::text), ''), ${deezerPseudoUriIdSql(`${col(m, 'l', 'spotify_uri')}::text`)})`;
  const deezerKey = `('deezer:${type}:' || ${deezerId})`;
  const localKey = `('local:${type}:' || ${id}::text)`;
  const conditions = [memberExists(localKey, table), memberExists(spotifyKey, table), memberExists(deezerKey, table)];
  if (entity === 'tracks') {
    const isrc = normalizedIsrcSql(`${col(m, 'l', 'isrc')}::text`);
    conditions.push(`(${isrc} IS NOT NULL AND EXISTS (SELECT 1 FROM ${table} s WHERE s.isrc = ${isrc}))`);
  }
  return check(source, entity, 'l', id, conditions);
}

export function counterpartChecks(present: readonly SourceTable[], mappings: Mappings): CounterpartCheck[] {
  const out: CounterpartCheck[] = [];
  for (const source of present) {
    const m = mappings.get(source)!;
    if (source === SPOTIFY_ARTISTS) out.push(spotifyCheck(source, m, 'artists'));
    else if (source === SPOTIFY_ALBUMS) out.push(spotifyCheck(source, m, 'albums'));
    else if (source === SPOTIFY_TRACKS) out.push(spotifyCheck(source, m, 'tracks'));
    else if (source === SOULSPOT_ARTISTS) out.push(unifiedCheck(source, m, 'artists'));
    else if (source === SOULSPOT_ALBUMS) out.push(unifiedCheck(source, m, 'albums'));
    else if (source === SOULSPOT_TRACKS) out.push(unifiedCheck(source, m, 'tracks'));
  }
  return out;
}
