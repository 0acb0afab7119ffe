import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { OAuthSessionStore, type SessionTable } from './auth/oauth-sessions';
import type { TokenStore } from './auth/token-store';
import type { ConnectorRuntime } from './runtime';
import { type ConnectorOAuth, createConnectorServer } from './server/connector-server';
import type { LibrarySource, LibrarySyncOptions } from './sync/library-sync';
import { startSyncScheduler } from './sync/scheduler';
import { SyncRunner } from './sync/sync-runner';

export interface AssembleOptions {
  provider: 'spotify' | 'deezer';
  producer: string;
  runtime: ConnectorRuntime;
  tokens: TokenStore;
  sessionsTable: SessionTable;
  oauth?: ConnectorOAuth;
  source: () => LibrarySource;
  sync: Omit<LibrarySyncOptions, 'force'>;
  syncIntervalMs: number;
  /** How long later runs stay away after a quota error that came without Retry-After. */
  quotaBackoffMs?: number;
  publicUrl: string;
  host: string;
  port: number;
  logger: Logger;
}

export interface AssembledConnector {
  server: FastifyInstance;
  runner: SyncRunner;
  listen(): Promise<string>;
  /** Stops the scheduler and the server, lets running syncs release their claims, then closes the runtime. */
  close(): Promise<void>;
}

/** The parts every connector wires the same way: runner, HTTP server, scheduler, orderly shutdown. */
export function assembleConnector(options: AssembleOptions): AssembledConnector {
  const { runtime, logger } = options;
  const runner = new SyncRunner({
    provider: options.provider,
    producer: options.producer,
    tokens: options.tokens,
    status: runtime.status,
    sink: runtime.sink,
    source: options.source,
    sync: options.sync,
    quotaBackoffMs: options.quotaBackoffMs,
    logger,
    metrics: runtime.metrics,
  });
  const server = createConnectorServer({
    provider: options.provider,
    publicUrl: options.publicUrl,
    oauth: options.oauth,
    sessions: new OAuthSessionStore({ pool: runtime.pool, cipher: runtime.cipher, table: options.sessionsTable }),
    tokens: options.tokens,
    runner,
    registry: runtime.registry,
    logger,
    checkDatabase: async () => {
      await runtime.pool.query('SELECT 1');
    },
  });
  const scheduler = startSyncScheduler(runner, options.syncIntervalMs, logger);
  if (!options.oauth) logger.warn({ provider: options.provider }, 'app credentials not configured: the connector runs but cannot log in or sync');
  return {
    server,
    runner,
    listen: () => server.listen({ port: options.port, host: options.host }),
    async close() {
      scheduler.stop();
      await server.close();
      await runner.close();
      await runtime.close();
    },
  };
}
