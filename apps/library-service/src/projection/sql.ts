import type pg from 'pg';

/** The one connection a projection transaction runs on (or a pipeline on it). */
export interface Sql {
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<T>>;
}

/** Rows of a query, typed. */
export async function rows<T extends pg.QueryResultRow>(sql: Sql, text: string, values: unknown[] = []): Promise<T[]> {
  return (await sql.query<T>(text, values)).rows;
}

/**
 * Bulk input for set-based statements: the rows travel as ONE jsonb parameter, an array of positional arrays, and
 * come back as a relation with named, typed columns:
 * `bulkInput({ k: 'varchar', n: 'int4' }).from('$1')` ->
 * `(select (e->>0)::varchar as k, (e->>1)::int4 as n from jsonb_array_elements($1::jsonb) as e) as r`.
 * Positional arrays are cheaper than objects on both sides: a smaller JSON.stringify here, and PostgreSQL neither
 * sorts nor matches keys (measured with every column read: ~9 µs per 17-column row against ~15 µs for
 * jsonb_to_recordset over objects; `json` instead of `jsonb` is slower still, as each `->>` rescans the element).
 * Scalars are read with `->>`, so a json null is SQL NULL; json/jsonb columns take the element as it is.
 */
export interface BulkInput {
  /** The relation, for a FROM clause (`param` is the placeholder holding `encode`'s output). */
  from(param: string, alias?: string): string;
  /** The parameter: `rows` (objects keyed by column name; a missing field is NULL) in column order. */
  encode(rows: readonly Record<string, unknown>[]): string;
}

function column(name: string, type: string, index: number): string {
  if (type === 'jsonb') return `nullif(e->${index}, 'null'::jsonb) as ${name}`;
  if (type === 'json') return `nullif(e->${index}, 'null'::jsonb)::json as ${name}`;
  return `(e->>${index})::${type} as ${name}`;
}

export function bulkInput(columns: Record<string, string>): BulkInput {
  const names = Object.keys(columns);
  for (const name of names) if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bulk input column name ${JSON.stringify(name)}`);
  const select = names.map((name, index) => column(name, columns[name], index)).join(', ');
  // One compiled accessor per input: fixed property names are fast loads, where reading `row[name]` in a loop over
  // the names is a megamorphic lookup per field (measured: 40% less time to encode 17-column rows).
  const tuple = new Function('row', `return [${names.map((name) => `row.${name} ?? null`).join(', ')}];`) as (
    row: Record<string, unknown>,
  ) => unknown[];
  return {
    from: (param, alias = 'r') => `(select ${select} from jsonb_array_elements(${param}::jsonb) as e) as ${alias}`,
    encode: (rows) => JSON.stringify(rows.map(tuple)),
  };
}

/**
 * A list of strings as ONE jsonb parameter, read back as an SQL array: `where k = any(${stringList.sql('$1')})`
 * with `stringList.encode(keys)`. pg would serialize a JS array itself, escaping each element in JavaScript and
 * concatenating one piece at a time (then flattening the result to measure it): with the tens of thousands of keys
 * a batch looks up, that was ~7% of everything the projector allocated. JSON.stringify does it natively. The array
 * is computed once per statement (an InitPlan), so index scans stay index scans.
 */
export const stringList = {
  sql: (param: string, type = 'varchar'): string => `array(select jsonb_array_elements_text(${param}::jsonb))::${type}[]`,
  encode: (values: Iterable<string>): string => JSON.stringify(Array.isArray(values) ? values : [...values]),
};

/** Milliseconds since the epoch -> ISO string PostgreSQL parses as timestamptz without loss. */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A timestamptz column read back as epoch milliseconds (selected as `(extract(epoch from x) * 1000)::float8`). */
export const epochMs = (column: string): string => `(extract(epoch from ${column}) * 1000)::float8`;

/**
 * Transaction-scoped locks of the projection writers. The state lock serializes identity resolution (one writer of
 * the projection state at a time); the rows lock serializes writers of the soulspot_* rows and the change feed. The
 * projector holds them in separate transactions (the state of one batch is prepared while the rows of the one before
 * are written); every other writer takes both, state first.
 */
export const PROJECTION_WRITER_LOCK = 0x50_52_4f_4a; // "PROJ"
export const PROJECTION_ROWS_LOCK = 0x50_52_4f_57; // "PROW"

/** The lock sets: the projector's state transaction, its row transaction, and any other writer (state first). */
export const PROJECTION_LOCKS = {
  state: [PROJECTION_WRITER_LOCK],
  rows: [PROJECTION_ROWS_LOCK],
  writer: [PROJECTION_WRITER_LOCK, PROJECTION_ROWS_LOCK],
} as const;
export type ProjectionLocks = keyof typeof PROJECTION_LOCKS;

/** The statements that take a lock set, in order (literal keys, so they can share a simple-protocol message). */
export function lockStatements(locks: ProjectionLocks): string[] {
  return PROJECTION_LOCKS[locks].map((key) => `select pg_advisory_xact_lock(${key})`);
}

/**
 * Takes a lock set inside the caller's transaction (`writer`: both, for a transaction that changes the state and
 * writes the rows itself).
 */
export async function lockProjection(sql: Sql, locks: ProjectionLocks): Promise<void> {
  await sql.query(lockStatements(locks).join('; '));
}

/**
 * Statements issued without waiting for each other on the transaction's connection: PostgreSQL executes one while
 * the projector computes the next, instead of the two taking turns. Each statement is sent as soon as the one before
 * it finishes, in the order issued (chained here rather than queued on the client, which pg deprecates). It is an
 * `Sql` itself, so readers can go through it too. `flush()` waits for all and throws the first failure.
 *
 * After a statement fails, the statements behind it are refused without being sent: the transaction is aborted (or
 * its savepoint about to be rolled back), and a statement that reached PostgreSQL after the caller's rollback would
 * apply half a batch outside the savepoint. Every promise it hands out counts as observed (see `observedAtFlush`): a
 * caller that stops at flush()'s error must not leave an unhandled rejection behind, which would end the process.
 */
export class StatementPipeline implements Sql {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly pending: Promise<unknown>[] = [];
  private failure: { error: unknown } | null = null;

  constructor(private readonly sql: Sql) {}

  query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<T>> {
    const result = this.tail.then(() => {
      // the same error, not a new one: callers classify it (infrastructure or the batch's data, transaction.ts)
      if (this.failure) throw this.failure.error;
      return this.sql.query<T>(text, values);
    });
    this.tail = result.catch((error: unknown) => {
      this.failure ??= { error };
    });
    this.pending.push(result);
    return observedAtFlush(result);
  }

  send<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    return observedAtFlush(this.query<T>(text, values).then((r) => r.rows));
  }

  async flush(): Promise<void> {
    const settled = await Promise.allSettled(this.pending.splice(0));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/**
 * Marks a promise that settles with the pipeline's statements (one of its results, or a value derived from them) as
 * observed: if it fails, so did a statement, and `flush()` throws that failure to the caller. Returns the promise.
 */
export function observedAtFlush<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Like Promise.all for branches that issue statements on one transaction, but it settles only when every branch has:
 * Promise.all rejects at the first failure while the other branches go on sending statements, which could reach
 * PostgreSQL after the caller has rolled back to its savepoint. Throws the first failure (in branch order).
 */
export async function allBranches<T extends readonly unknown[]>(branches: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(branches);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Splits `items` into consecutive chunks of at most `size`. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
