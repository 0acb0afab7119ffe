import type pg from 'pg';
import { columnExpr as col } from '../replay/mapping';
import { legacyReleaseDate, optionalInt } from '../replay/normalize';
import { observedAtOf, type Mappings } from '../replay/queries';
import { SPOTIFY_ALBUMS, SPOTIFY_ARTISTS, SPOTIFY_TRACKS, sourceName, type SourceTable } from '../replay/sources';
import { spotifyUriSql } from './checks';

/**
 * Field spot-checks: a repeatable sample (TABLESAMPLE SYSTEM … REPEATABLE: whole random pages, so it costs a
 * few page reads, not a scan of a million rows) of legacy Spotify rows is compared with
 * the projected row holding the same URI. A projected row legitimately shows other values than its legacy row when
 * the merge rules chose them, so these rows are set aside: merged with another provider (source not 'spotify'), or
 * whose own provider key has a fresher observation than the legacy row (a live sync, or a pre-existing soulspot_*
 * row of the same key, seen later). Of the rest only the values the legacy row states are compared: one that
 * does not say (NULL, a duration of 0) is filled from another member, e.g. a Spotify twin with the same ISRC.
 */
export interface SpotCheckResult {
  source: string;
  sampled: number;
  compared: number;
  /** Rows whose fields the merge rules took from another observation (another provider, or a fresher one). */
  mergedSkipped: number;
  mismatches: string[];
}

const norm = (v: unknown): string => (v == null ? '' : String(v).trim());

/** Mismatching pairs; a legacy value that says nothing (null, blank) matches whatever the projection knows. */
export function compareFields(id: string, pairs: Array<[field: string, legacy: unknown, projected: unknown]>): string[] {
  return pairs
    .filter(([, a, b]) => norm(a) !== '' && norm(a) !== norm(b))
    .map(([field, a, b]) => `${id}.${field}: legacy ${JSON.stringify(a)} != projected ${JSON.stringify(b)}`);
}

/**
 * Free text as the projection stores it: trimmed and cut to its column's width in characters (code points, what
 * varchar(n) counts). A variant layout's text column can hold more than SoulSpot's varchar(255).
 */
const asStored = (value: string | null, width = 255): string | null => {
  if (value == null) return null;
  const trimmed = value.trim();
  return trimmed.length <= width ? trimmed : Array.from(trimmed).slice(0, width).join('');
};

interface Spec {
  source: SourceTable;
  table: string;
  type: string;
  select: (m: Mappings) => string;
  compare: (row: any) => Array<[string, unknown, unknown]>;
}

const SPECS: Spec[] = [
  {
    source: SPOTIFY_ARTISTS,
    table: 'soulspot_artists',
    type: 'artist',
    select: (m) => `${col(m.get(SPOTIFY_ARTISTS)!, 'l', 'name')}::text AS l_name, s.name AS s_name`,
    compare: (r) => [['name', asStored(r.l_name), r.s_name]],
  },
  {
    source: SPOTIFY_ALBUMS,
    table: 'soulspot_albums',
    type: 'album',
    select: (m) => {
      const a = m.get(SPOTIFY_ALBUMS)!;
      return `${col(a, 'l', 'title')}::text AS l_title, s.title AS s_title, ${col(a, 'l', 'release_date')}::text AS l_date,
              ${col(a, 'l', 'release_date_precision')}::text AS l_precision, s.release_date AS s_date,
              ${col(a, 'l', 'total_tracks', 'integer')}::integer AS l_total, s.total_tracks AS s_total`;
    },
    compare: (r) => [
      ['title', asStored(r.l_title), r.s_title],
      ['release_date', legacyReleaseDate(r.l_date, r.l_precision).releaseDate, r.s_date],
      ['total_tracks', optionalInt(r.l_total), r.s_total],
    ],
  },
  {
    source: SPOTIFY_TRACKS,
    table: 'soulspot_tracks',
    type: 'track',
    select: (m) => {
      const t = m.get(SPOTIFY_TRACKS)!;
      return `${col(t, 'l', 'title')}::text AS l_title, s.title AS s_title, ${col(t, 'l', 'duration_ms', 'integer')}::integer AS l_duration,
              s.duration_ms AS s_duration, ${col(t, 'l', 'track_number', 'integer')}::integer AS l_number, s.track_number AS s_number,
              ${col(t, 'l', 'explicit', 'boolean')}::boolean AS l_explicit, s.explicit AS s_explicit`;
    },
    compare: (r) => [
      ['title', asStored(r.l_title), r.s_title],
      // 0 is how the legacy tables (and the events) say "unknown"
      ['duration_ms', optionalInt(r.l_duration) || null, r.s_duration],
      ['track_number', r.l_number, r.s_number],
      ['explicit', r.l_explicit === true, r.s_explicit],
    ],
  },
];

export async function spotChecks(db: pg.Pool, present: readonly SourceTable[], mappings: Mappings, sampleSize: number): Promise<SpotCheckResult[]> {
  const results: SpotCheckResult[] = [];
  if (sampleSize <= 0) return results;
  for (const spec of SPECS) {
    if (!present.includes(spec.source)) continue;
    const m = mappings.get(spec.source)!;
    const id = `${col(m, 'l', 'id')}::text`;
    const table = `${spec.source.schema}."${spec.source.table}"`;
    const total = Number((await db.query(`SELECT reltuples::bigint AS n FROM pg_class WHERE oid = '${table}'::regclass`)).rows[0].n);
    const percent = total > 0 ? Math.min(100, Math.max(0.01, ((sampleSize * 4) / total) * 100)) : 100;
    const { rows } = await db.query(
      `SELECT ${id} AS id, s.source AS s_source, ${spec.select(mappings)},
              EXISTS (SELECT 1 FROM projection_observations o WHERE o.provider_key = s.spotify_uri
                      AND o.observed_at > coalesce(${observedAtOf(spec.source, m, 'l')}, 'epoch'::timestamptz)) AS superseded
       FROM ${table} l TABLESAMPLE SYSTEM (${percent.toFixed(4)}) REPEATABLE (7)
       JOIN ${spec.table} s ON s.spotify_uri = ${spotifyUriSql(id, spec.type)}
       ORDER BY ${id} LIMIT $1`,
      [sampleSize],
    );
    const result: SpotCheckResult = { source: sourceName(spec.source), sampled: rows.length, compared: 0, mergedSkipped: 0, mismatches: [] };
    for (const row of rows) {
      if (row.s_source !== 'spotify' || row.superseded) {
        result.mergedSkipped++;
        continue;
      }
      result.compared++;
      result.mismatches.push(...compareFields(row.id, spec.compare(row)));
    }
    results.push(result);
  }
  return results;
}
