import pg from 'pg';

/**
 * A pg pool whose connections may fail without taking the process with them. pg emits 'error' on a client whose
 * connection drops (a failover, PostgreSQL restarting, pg_terminate_backend, idle_in_transaction_session_timeout), and
 * the pool listens for it only while the client is idle: on a checked-out client — a transaction between two of its
 * statements, a query in flight — the event had no listener, which makes it an uncaught exception that ends the
 * process. Here every client has a listener from its first connection on. The client's own queries still fail (the
 * next one with "not queryable"), the caller's error handling runs as for any failed query, and the pool drops the
 * client when it is released; `onError` only hears about it (once per failure, idle or not).
 *
 * Imported as `@soulspot/library-db/pool`, so that processes without the ORM (the connectors) do not load it.
 */
export function createPgPool(config: pg.PoolConfig, onError: (error: Error) => void = () => undefined): pg.Pool {
  const pool = new pg.Pool(config);
  // (the pool re-emits an idle client's failure, which the client's own listener below has reported already)
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}
