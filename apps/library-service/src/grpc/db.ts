import { createHash } from 'node:crypto';
import { createConnection } from 'node:net';
import pg from 'pg';
import { ApiError } from './errors';
import { status as Status } from '@grpc/grpc-js';
import type { CallSignal } from './call';

export type Row = Record<string, unknown>;

/** The read side's view of PostgreSQL: one parameterised query, cancelled on the server when `signal` aborts. */
export interface Db {
  query<T = Row>(sql: string, params: unknown[], signal: CallSignal, name?: string): Promise<T[]>;
}

export function cancelledError(): ApiError {
  return new ApiError(Status.CANCELLED, 'the request was cancelled or its deadline passed');
}

export const DEFAULT_MAX_WAITING_QUERIES = 500;

/**
 * Runs queries on a pg.Pool so that a client that gives up (cancel or deadline) also stops the work in
 * PostgreSQL: the abort sends a protocol-level CancelRequest for the running statement (no pool slot needed), and
 * a request still waiting for a pooled connection gives up its place. When more than `maxWaiting` queries already
 * wait for a connection the request is shed at once with UNAVAILABLE (retryable) instead of joining a queue whose
 * wait would outlast its deadline anyway.
 */
export function poolDb(pool: pg.Pool, options: { maxWaiting?: number } = {}): Db {
  const maxWaiting = options.maxWaiting ?? DEFAULT_MAX_WAITING_QUERIES;
  return {
    query<T = Row>(sql: string, params: unknown[], signal: CallSignal, name?: string): Promise<T[]> {
      if (signal.aborted) return Promise.reject(cancelledError());
      if (pool.waitingCount >= maxWaiting) return Promise.reject(new ApiError(Status.UNAVAILABLE, 'the library service is overloaded; retry with backoff'));
      return runQuery<T>(pool, { text: sql, values: params, name }, signal);
    },
  };
}

/**
 * One query on a pooled connection, written with callbacks and a single abort listener for its whole life (this is
 * the per-request hot path: one promise instead of pg's and pg-pool's own plus a race). While the request waits for
 * a connection an abort gives up its place; while the statement runs an abort cancels it in PostgreSQL.
 */
function runQuery<T>(pool: pg.Pool, query: pg.QueryConfig, signal: CallSignal): Promise<T[]> {
  return new Promise<T[]>((resolve, reject) => {
    let state: 'waiting' | 'running' | 'done' = 'waiting';
    let client: pg.PoolClient | undefined;
    let cancelled: Promise<void> | undefined;
    const onAbort = () => {
      if (state === 'waiting') {
        state = 'done';
        reject(cancelledError());
      } else if (state === 'running') {
        cancelled = sendCancelRequest(client!);
      }
    };
    const unsubscribe = signal.onAbort(onAbort);
    pool.connect((connectError, connected, release) => {
      if (state === 'done') {
        // We gave up waiting: hand the connection straight back.
        if (!connectError) release();
        return;
      }
      if (connectError || !connected) {
        state = 'done';
        unsubscribe();
        reject(connectError ?? new Error('the pool returned no connection'));
        return;
      }
      client = connected;
      state = 'running';
      connected.query<T & pg.QueryResultRow>(query, (queryError, result) => {
        state = 'done';
        unsubscribe();
        // A connection-level failure (no SQLSTATE) destroys the client instead of returning it to the pool.
        const broken = queryError && !(queryError as { code?: string }).code ? queryError : undefined;
        const settle = () => {
          release(broken);
          if (!queryError) resolve(result.rows);
          else reject(signal.aborted ? cancelledError() : queryError);
        };
        // The connection is not handed to another request while a late cancel could still hit it.
        if (cancelled) void cancelled.then(settle);
        else settle();
      });
    });
  });
}

/**
 * Sends a protocol-level CancelRequest for the statement `client` is running: a fresh socket carrying the backend's
 * pid and secret key (no authentication, no pool slot). Resolves when PostgreSQL has processed it (it closes the
 * socket), so the connection is not handed to another request while a late cancel could still hit it.
 */
function sendCancelRequest(client: pg.PoolClient): Promise<void> {
  const { host, port, processID, secretKey } = client as unknown as { host: string; port: number; processID: number; secretKey: number };
  return new Promise((resolve) => {
    const socket = host.startsWith('/') ? createConnection(`${host}/.s.PGSQL.${port}`) : createConnection(port, host);
    const timer = setTimeout(() => socket.destroy(), 2000);
    socket.on('connect', () => {
      const packet = Buffer.alloc(16);
      packet.writeInt32BE(16, 0);
      packet.writeInt32BE(80877102, 4); // CancelRequest code
      packet.writeInt32BE(processID, 8);
      packet.writeInt32BE(secretKey, 12);
      socket.end(packet);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The name of a prepared statement for `sql`: `prefix` (for the reader of pg_stat views and logs) and a digest of the
 * text. Prepared statements live per connection, and node-postgres refuses to prepare a name it has already
 * prepared on that connection for another text ("Prepared statements must be unique"): a name derived from the
 * text can never mean two texts, whichever server, reader or request order prepared it first on a shared pool.
 * Short enough for PostgreSQL's 63-byte names.
 */
export function statementName(prefix: string, sql: string): string {
  return `${prefix}_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
}

/**
 * Statement names for SQL assembled per request (list pages: parent, filter, order and position shape the text;
 * values are always parameters), so PostgreSQL parses and plans each distinct text once per connection instead of
 * on every call. Bounded: filters can be combined into many shapes, and every named statement keeps its parse tree
 * and plan in every backend that ran it, about five times its text (a filter of 62 text comparisons: 400 KB of SQL,
 * 2 MB per backend). So only texts up to `maxTextLength` are named, while all named texts together stay within
 * `maxTotalLength` and `max`; the rest run unnamed (planned per call, nothing kept).
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private totalLength = 0;

  constructor(
    private readonly prefix: string,
    private readonly max = 200,
    private readonly maxTextLength = 32 * 1024,
    private readonly maxTotalLength = 512 * 1024,
  ) {}

  nameFor(sql: string): string | undefined {
    const known = this.names.get(sql);
    if (known !== undefined) return known;
    if (this.names.size >= this.max || sql.length > this.maxTextLength || this.totalLength + sql.length > this.maxTotalLength) return undefined;
    const name = statementName(this.prefix, sql);
    this.names.set(sql, name);
    this.totalLength += sql.length;
    return name;
  }
}
