import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { int, str } from '@soulspot/observability';
import { startGrpcServer, type GrpcServerHandle } from './index';
import type { ProjectionPort } from './projection-port';
import type { RebuildController } from '../rebuild';
import { createPgPool } from '@soulspot/library-db/pool';

/** Environment of the gRPC server (merged into library-service's config spec). */
export const grpcConfigSpec = {
  GRPC_PORT: int({ default: 50051, min: 0, max: 65535, doc: 'gRPC listen port' }),
  GRPC_HOST: str({ default: '0.0.0.0', doc: 'gRPC listen address' }),
  PAGE_TOKEN_SECRET: str({
    required: false,
    secret: true,
    doc: 'HMAC key of page tokens (>= 16 bytes; same on every replica). Unset: a random key per process, so tokens do not survive restarts',
  }),
  GRPC_TLS_CERT: str({ required: false, doc: 'PEM certificate chain file; with GRPC_TLS_KEY enables TLS' }),
  GRPC_TLS_KEY: str({ required: false, secret: true, doc: 'PEM private key file for GRPC_TLS_CERT' }),
  GRPC_DB_POOL_SIZE: int({ default: 10, min: 1, doc: 'PostgreSQL connections for gRPC reads' }),
  GRPC_STATEMENT_TIMEOUT_MS: int({ default: 30_000, min: 100, doc: 'upper bound for any read query (deadlines cancel earlier)' }),
};

export interface GrpcConfig {
  DATABASE_URL: string;
  PROJECTION_NAME?: string;
  GRPC_PORT: number;
  GRPC_HOST: string;
  PAGE_TOKEN_SECRET?: string;
  GRPC_TLS_CERT?: string;
  GRPC_TLS_KEY?: string;
  GRPC_DB_POOL_SIZE: number;
  GRPC_STATEMENT_TIMEOUT_MS: number;
}

/**
 * Starts the gRPC server with its own read pool (so projection batches never queue reads). `stop` stops the
 * server gracefully, then closes the pool.
 */
export async function startGrpcFromConfig(config: GrpcConfig, deps: { logger: Logger; projection?: ProjectionPort; rebuild?: RebuildController }): Promise<GrpcServerHandle> {
  if ((config.GRPC_TLS_CERT === undefined) !== (config.GRPC_TLS_KEY === undefined)) {
    throw new Error('GRPC_TLS_CERT and GRPC_TLS_KEY must be set together');
  }
  if (config.PAGE_TOKEN_SECRET !== undefined && config.PAGE_TOKEN_SECRET.length < 16) throw new Error('PAGE_TOKEN_SECRET must be at least 16 bytes');
  if (config.PAGE_TOKEN_SECRET === undefined) deps.logger.warn('PAGE_TOKEN_SECRET is not set: using a random key, page tokens will not survive a restart');
  const pool = createPgPool(
    {
      connectionString: config.DATABASE_URL,
      max: config.GRPC_DB_POOL_SIZE,
      statement_timeout: config.GRPC_STATEMENT_TIMEOUT_MS,
      connectionTimeoutMillis: 5_000,
      application_name: 'library-service-grpc',
    },
    (error) => deps.logger.warn({ err: error.message }, 'read connection to PostgreSQL lost'),
  );
  const server = await startGrpcServer({
    pool,
    logger: deps.logger,
    port: config.GRPC_PORT,
    host: config.GRPC_HOST,
    pageTokenSecret: config.PAGE_TOKEN_SECRET ?? randomBytes(32).toString('base64url'),
    projection: deps.projection,
    rebuild: deps.rebuild,
    projectionName: config.PROJECTION_NAME,
    tls: config.GRPC_TLS_CERT && config.GRPC_TLS_KEY ? { cert: readFileSync(config.GRPC_TLS_CERT), key: readFileSync(config.GRPC_TLS_KEY) } : undefined,
  });
  return {
    ...server,
    async stop(graceful = true) {
      await server.stop(graceful);
      await pool.end();
    },
  };
}
