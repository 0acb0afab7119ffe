import pg from 'pg';
import { ApiError } from './errors';
import { status as Status } from '@grpc/grpc-js';

export type Row = Record<string, unknown>;

/** The read side's view of PostgreSQL: one parameterised query, cancelled on the server when `signal` aborts. */
export interface Db {
  query<T = Row>(sql: string, params: unknown[], signal: AbortSignal, name?: string): Promise<T[]>;
}

export function cancelledError(): ApiError {
  return new ApiError(Status.CANCELLED, 'the request was cancelled or its deadline passed');
}

/**
 * Runs queries on a pg.Pool so that a client that gives up (cancel or deadline) also stops the work in
 * PostgreSQL: the abort sends a protocol-level CancelRequest for the running statement (no pool slot needed), and
 * a request still waiting for a pooled connection gives up its place.
 */
export function poolDb(pool: pg.Pool): Db {
  return {
    async query<T = Row>(sql: string, params: unknown[], signal: AbortSignal, name?: string): Promise<T[]> {
      if (signal.aborted) throw cancelledError();
      const client = await connectUnlessAborted(pool, signal);
      let broken: Error | undefined;
      const onAbort = () => sendCancelRequest(pool, client);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const result = await client.query<T & pg.QueryResultRow>({ text: sql, values: params, name });
        return result.rows;
      } catch (error) {
        if (!(error as { code?: string }).code) broken = error as Error;
        if (signal.aborted) throw cancelledError();
        throw error;
      } finally {
        signal.removeEventListener('abort', onAbort);
        // A connection-level failure destroys the client instead of returning it to the pool.
        client.release(broken);
      }
    },
  };
}

async function connectUnlessAborted(pool: pg.Pool, signal: AbortSignal): Promise<pg.PoolClient> {
  const connecting = pool.connect();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([connecting, aborted]);
  } catch (error) {
    // If we gave up waiting, hand the connection back as soon as it arrives.
    connecting.then((client) => client.release(), () => undefined);
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/** Asks PostgreSQL to cancel the statement `client` is running (a CancelRequest on a fresh socket). */
function sendCancelRequest(pool: pg.Pool, client: pg.PoolClient): void {
  const active = (client as unknown as { activeQuery?: unknown }).activeQuery;
  if (!active) return;
  const canceller = new pg.Client(pool.options as pg.ClientConfig) as unknown as { cancel(c: unknown, q: unknown): void };
  try {
    canceller.cancel(client, active);
  } catch {
    // Best effort: the statement_timeout safety net still bounds the query.
  }
}
