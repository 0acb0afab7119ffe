/**
 * Column mapping by introspection: each logical field of a legacy source lists the column names it may have
 * (the real SoulSpot layout first, then the variants the seed plan's SQL assumed: `title`, `cover_url`,
 * `artist_spotify_id`, `spotify_uri` holding bare ids, …). The first candidate present wins.
 */
export interface FieldSpec {
  field: string;
  candidates: readonly string[];
  required?: boolean;
}

export type ColumnMapping = Record<string, string | null>;

export class UnmappableLayoutError extends Error {
  constructor(
    readonly table: string,
    readonly field: string,
    readonly candidates: readonly string[],
    readonly columns: readonly string[],
    /** Why a present column cannot serve (instead of "none exists"). */
    reason?: string,
  ) {
    super(
      reason
        ? `legacy table ${table}: cannot use field '${field}': ${reason}`
        : `legacy table ${table}: cannot map required field '${field}' — none of the columns ${candidates.join(', ')} exists ` +
            `(the table has: ${columns.join(', ') || 'no columns'})`,
    );
    this.name = 'UnmappableLayoutError';
  }
}

export function mapColumns(table: string, specs: readonly FieldSpec[], columns: readonly string[]): ColumnMapping {
  const present = new Set(columns);
  const mapping: ColumnMapping = {};
  for (const spec of specs) {
    const column = spec.candidates.find((c) => present.has(c)) ?? null;
    if (!column && spec.required) throw new UnmappableLayoutError(table, spec.field, spec.candidates, columns);
    mapping[spec.field] = column;
  }
  return mapping;
}

/** `alias."column"` for a mapped field, or a typed NULL when the layout lacks it. */
export function columnExpr(mapping: ColumnMapping, alias: string, field: string, nullType = 'text'): string {
  if (!(field in mapping)) throw new Error(`no such field in mapping: ${field}`);
  const column = mapping[field];
  return column ? `${alias}."${column.replace(/"/g, '""')}"` : `NULL::${nullType}`;
}

/** The first mapped timestamp among fields, as timestamptz (naive legacy timestamps are UTC). */
export function observedAtExpr(mapping: ColumnMapping, alias: string, fields: readonly string[]): string {
  const parts = fields.filter((f) => mapping[f]).map((f) => `${columnExpr(mapping, alias, f)}::timestamptz`);
  return parts.length === 0 ? `NULL::timestamptz` : `coalesce(${parts.join(', ')})`;
}
