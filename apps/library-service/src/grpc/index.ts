import { Server, ServerCredentials, type ChannelOptions } from '@grpc/grpc-js';
import type pg from 'pg';
import type { Logger } from 'pino';
import { LibraryServiceService, ProjectionAdminService } from '@soulspot/contracts/library';
import { createProjectionAdmin } from './admin/projection-admin';
import { CallRegistry } from './call';
import { poolDb } from './db';
import { ServerHealth } from './health';
import { createLibraryService } from './library/library-service';
import { DEFAULT_WATCH_OPTIONS, type WatchOptions } from './library/watch';
import { PageTokenCodec } from './page-token';
import { decodeRequestsLeniently } from './request-decoding';
import type { ProjectionPort } from './projection-port';
import { addReflection, findDescriptorSet } from './reflection';
import type { RebuildController } from '../rebuild';

export type { ProjectionPort, ProjectionStatusView, ProjectionPartitionView } from './projection-port';
export { ServerHealth, LIBRARY_SERVICE, PROJECTION_ADMIN } from './health';
export { decodeFieldViolations } from './status-details';

export interface GrpcTlsOptions {
  cert: Buffer;
  key: Buffer;
  /** When set, clients must present a certificate signed by this CA (mutual TLS). */
  clientCa?: Buffer;
}

export interface GrpcServerOptions {
  pool: pg.Pool;
  logger: Logger;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** HMAC key for page tokens; at least 16 bytes. Keep it stable across restarts and replicas. */
  pageTokenSecret: string;
  projection?: ProjectionPort;
  /** Checkpoint/dead-letter rows of this projection are reported by ProjectionAdmin. */
  projectionName?: string;
  tls?: GrpcTlsOptions;
  watch?: Partial<WatchOptions>;
  /** How long a graceful stop waits for in-flight unary calls before closing connections. */
  drainTimeoutMs?: number;
  /** grpc-js channel options, merged over the defaults below. */
  channelOptions?: ChannelOptions;
  /** How often to ask the projection whether it has caught up (until it has). */
  caughtUpPollMs?: number;
  /** Queries allowed to wait for a pooled connection before new requests are shed with UNAVAILABLE. */
  maxWaitingQueries?: number;
  /**
   * Get-by-id statements (GetArtist/GetAlbum/GetTrack) running at once per entity type; reads arriving meanwhile
   * are coalesced into the next statement (library/by-id-batcher.ts). Default 2.
   */
  byIdStatementsInFlight?: number;
  /** Serves StartRebuild/GetRebuildStatus/CancelRebuild/RollbackLastSwap (UNIMPLEMENTED without it). */
  rebuild?: RebuildController;
}

export interface GrpcServerHandle {
  port: number;
  health: ServerHealth;
  /** Graceful: health NOT_SERVING, end streams (UNAVAILABLE, resumable), drain unary calls, then close. */
  stop(graceful?: boolean): Promise<void>;
}

/**
 * Keepalive so dead clients are noticed and NATs keep idle connections; a maximum connection age so clients
 * re-resolve and spread over replicas (streams get a grace period, then resume from their cursor).
 */
export const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  'grpc.max_connection_idle_ms': 15 * 60_000,
  'grpc.max_connection_age_ms': 30 * 60_000,
  'grpc.max_connection_age_grace_ms': 60_000,
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
  // Channelz bookkeeping costs CPU on every call and nothing here reads it.
  'grpc.enable_channelz': 0,
};

export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServerHandle> {
  const logger = options.logger;
  const server = new Server({ ...DEFAULT_CHANNEL_OPTIONS, ...options.channelOptions });
  const registry = new CallRegistry();
  const db = poolDb(options.pool, { maxWaiting: options.maxWaitingQueries });
  const tokens = new PageTokenCodec(options.pageTokenSecret);
  const health = new ServerHealth();

  server.addService(
    decodeRequestsLeniently(LibraryServiceService),
    createLibraryService({
      db,
      tokens,
      logger,
      registry,
      watch: { ...DEFAULT_WATCH_OPTIONS, ...options.watch },
      byIdStatementsInFlight: options.byIdStatementsInFlight,
    }),
  );
  server.addService(
    decodeRequestsLeniently(ProjectionAdminService),
    createProjectionAdmin({
      db,
      tokens,
      logger,
      registry,
      projection: options.projection,
      projectionName: options.projectionName ?? 'library',
      rebuild: options.rebuild,
    }),
  );
  health.addToServer(server);
  const descriptorSet = findDescriptorSet();
  if (descriptorSet) addReflection(server, descriptorSet);
  else logger.warn('gRPC reflection disabled: descriptor set not found (set GRPC_DESCRIPTOR_SET)');

  const credentials = options.tls
    ? ServerCredentials.createSsl(options.tls.clientCa ?? null, [{ cert_chain: options.tls.cert, private_key: options.tls.key }], !!options.tls.clientCa)
    : ServerCredentials.createInsecure();
  const host = options.host ?? '0.0.0.0';
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${options.port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  logger.info({ host, port, tls: !!options.tls, reflection: !!descriptorSet }, 'gRPC server listening');

  const stopWatching = watchCaughtUp(options, health, logger);
  let stopping: Promise<void> | undefined;

  return {
    port,
    health,
    stop(graceful = true) {
      stopping ??= (async () => {
        stopWatching();
        health.markStopping();
        if (!graceful) {
          registry.abortAll();
          server.forceShutdown();
          return;
        }
        // Our streams end now (UNAVAILABLE, resumable); no new calls from here on; in-flight unary calls finish.
        // Health Watch streams never finish on their own, so once our calls are done (they have seen NOT_SERVING by
        // then) the rest is closed after a short grace.
        registry.beginShutdown();
        const shutdown = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
        const drained = await Promise.race([registry.idle().then(() => true), sleep(options.drainTimeoutMs ?? 10_000).then(() => false)]);
        if (!drained) {
          logger.warn('gRPC drain timed out; closing remaining calls');
          registry.abortAll();
        }
        if (!(await Promise.race([shutdown.then(() => true), sleep(drained ? 250 : 0).then(() => false)]))) server.forceShutdown();
        logger.info('gRPC server stopped');
      })();
      return stopping;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Flips the read API to SERVING the first time the projection reports it has caught up. */
function watchCaughtUp(options: GrpcServerOptions, health: ServerHealth, logger: Logger): () => void {
  if (!options.projection) {
    // A read-only replica without a projector serves whatever the database holds.
    health.markCaughtUp();
    return () => undefined;
  }
  const projection = options.projection;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    try {
      if ((await projection.status()).caughtUp) {
        logger.info('projection caught up; library API is SERVING');
        health.markCaughtUp();
        return;
      }
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'projection status unavailable');
    }
    if (!stopped) timer = setTimeout(poll, options.caughtUpPollMs ?? 500);
  };
  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
