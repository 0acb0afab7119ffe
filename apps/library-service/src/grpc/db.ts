import { createConnection } from 'node:net';
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
    async query<T = Row>(sql: string, params: unknown[], signal: AbortSignal, name?: string): Promise<T[]> {
      if (signal.aborted) throw cancelledError();
      if (pool.waitingCount >= maxWaiting) throw new ApiError(Status.UNAVAILABLE, 'the library service is overloaded; retry with backoff');
      const client = await connectUnlessAborted(pool, signal);
      let broken: Error | undefined;
      let running = true;
      let cancelled: Promise<void> | undefined;
      const onAbort = () => {
        if (running) cancelled = sendCancelRequest(client);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const result = await client.query<T & pg.QueryResultRow>({ text: sql, values: params, name });
        return result.rows;
      } catch (error) {
        if (!(error as { code?: string }).code) broken = error as Error;
        if (signal.aborted) throw cancelledError();
        throw error;
      } finally {
        running = false;
        signal.removeEventListener('abort', onAbort);
        if (cancelled) await cancelled;
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
