import { invalidArgument } from './errors';
import { echo } from './resource-names';

/** A sortable field: the SQL sort expression, how to render its value for a page token, and how to read it back. */
export interface SortSpec {
  expression: string;
  /** SQL rendering the sort value as text that `cast` turns back into the same value (no precision lost). */
  cursorText: string;
  cast: string;
}

export interface OrderBy {
  field: string;
  descending: boolean;
  /** Normalized form ("name", "last_synced_at desc"), bound into page tokens. */
  canonical: string;
}

/**
 * Parses AIP-132 order_by: one field, optionally followed by "asc" or "desc". The entity id is always the
 * implicit last sort key, which makes the order total and keyset pagination exact.
 */
export function parseOrderBy(value: string, fields: Record<string, SortSpec>, aliases: Record<string, string>, defaultField: string): OrderBy {
  const trimmed = value.trim();
  if (trimmed === '') return { field: defaultField, descending: false, canonical: defaultField };
  if (trimmed.includes(',')) throw invalidArgument('order_by', 'only one sort field is supported');
  const parts = trimmed.split(/\s+/);
  if (parts.length > 2) throw invalidArgument('order_by', `expected "<field> [asc|desc]", got ${echo(value)}`);
  const field = aliases[parts[0]] ?? parts[0];
  if (!Object.hasOwn(fields, field)) {
    throw invalidArgument('order_by', `cannot sort by ${echo(parts[0])}; sortable fields: ${Object.keys(fields).join(', ')}`);
  }
  const direction = (parts[1] ?? 'asc').toLowerCase();
  if (direction !== 'asc' && direction !== 'desc') {
    throw invalidArgument('order_by', `direction must be asc or desc, got ${echo(parts[1])}`);
  }
  const descending = direction === 'desc';
  return { field, descending, canonical: descending ? `${field} desc` : field };
}
