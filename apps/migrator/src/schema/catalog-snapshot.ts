import type { Queryable } from '../db';

/**
 * A comparable description of a schema read from pg_catalog: tables, columns (type with modifiers, default,
 * nullability), constraints (kind + definition), indexes (definition) and sequences. Column order is not
 * part of it (a converted table keeps its physical order; nothing depends on it).
 */
export interface CatalogSnapshot {
  tables: string[];
  columns: string[];
  constraints: string[];
  indexes: string[];
  sequences: string[];
}

export async function catalogSnapshot(db: Queryable, schema = 'public', excludeTables: readonly string[] = []): Promise<CatalogSnapshot> {
  const exclude = [...excludeTables];
  const tables = await db.query<{ t: string }>(
    `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT (c.relname = ANY($2)) ORDER BY 1`,
    [schema, exclude],
  );
  const columns = await db.query<{ t: string }>(
    `SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
            || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END
            || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') AS t
     FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND NOT (c.relname = ANY($2))
     ORDER BY 1`,
    [schema, exclude],
  );
  const constraints = await db.query<{ t: string }>(
    `SELECT c.relname || ' ' || k.conname || ' ' || k.contype::text || ' ' || pg_get_constraintdef(k.oid) AS t
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND NOT (c.relname = ANY($2)) ORDER BY 1`,
    [schema, exclude],
  );
  const indexes = await db.query<{ t: string }>(
    `SELECT tablename || ' ' || indexname || ' ' || indexdef AS t FROM pg_indexes
     WHERE schemaname = $1 AND NOT (tablename = ANY($2)) ORDER BY 1`,
    [schema, exclude],
  );
  const sequences = await db.query<{ t: string }>(
    `SELECT sequencename || ' ' || data_type::text || ' ' || start_value::text || ' ' || increment_by::text AS t FROM pg_sequences
     WHERE schemaname = $1 ORDER BY 1`,
    [schema],
  );
  return {
    tables: tables.rows.map((r) => r.t),
    columns: columns.rows.map((r) => r.t),
    constraints: constraints.rows.map((r) => r.t),
    indexes: indexes.rows.map((r) => r.t),
    sequences: sequences.rows.map((r) => r.t),
  };
}
