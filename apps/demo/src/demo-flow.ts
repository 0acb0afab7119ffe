import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { provisionKafka, provisionPostgres, freePort } from '@soulspot/devstack';
import { createLegacyDatabase, type LegacyDatabase } from '@soulspot/legacy-fixtures';
import { generateLibraries, startFakeDeezer, startFakeSpotify, type GenerateOptions, type UnifiedCounts } from '@soulspot/provider-fakes';
import { syncAndWait, type SyncRun } from './connector-sync';
import { LibraryReader, type LibraryReport } from './library-reader';
import { loginThroughConnector } from './oauth-login';
import { Progress } from './progress';
import { Supervisor, httpReady, workspaceRoot, type RunningService } from './supervisor';

export interface DemoOptions {
  /** Fake provider libraries (seeded, deterministic). */
  library?: GenerateOptions;
  /** Legacy SoulSpot database to migrate. */
  legacy?: { artists: number; albums: number; tracks: number; overlapWithSoulspot?: number };
  logDir?: string;
  progress?: Progress;
  /** Called between steps (tests use it to restart services mid-flow). */
  hooks?: Partial<Record<'afterLogin' | 'afterMigration' | 'afterSync', (stack: DemoStack) => Promise<void>>>;
}

export interface DemoStack {
  supervisor: Supervisor;
  services: Record<ServiceName, RunningService>;
  env: Record<ServiceName, Record<string, string>>;
  urls: { spotifyConnector: string; deezerConnector: string; grpc: string };
  restart(name: ServiceName): Promise<void>;
}

export type ServiceName = 'library-service' | 'spotify-connector' | 'deezer-connector';

export interface DemoResult {
  expected: { fakes: UnifiedCounts; legacy: LegacyDatabase['expected'] };
  syncs: { spotify: SyncRun; deezer: SyncRun };
  library: LibraryReport;
  seconds: number;
}

export const DEMO_LIBRARY: GenerateOptions = { seed: 7, artists: 16, albumsPerArtist: 2, tracksPerAlbum: 5, overlap: 0.4, sameNameDifferentArtists: 2, savedAlbums: 4 };
export const DEMO_LEGACY = { artists: 40, albums: 120, tracks: 600, overlapWithSoulspot: 0.15 };

/**
 * The whole platform on one machine: embedded PostgreSQL + Kafka, a legacy SoulSpot database, fake Spotify and
 * Deezer accounts, the four services as separate processes with their real entry points and env configuration,
 * OAuth logins through the connectors, the migration, both syncs — then the unified library read back over gRPC.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const progress = options.progress ?? new Progress();
  const libraryOptions = options.library ?? DEMO_LIBRARY;
  const legacyOptions = options.legacy ?? DEMO_LEGACY;
  const cleanups: Array<() => Promise<unknown>> = [];
  const supervisor = new Supervisor(options.logDir ?? join(workspaceRoot, 'tmp/demo-logs', String(Date.now())));
  try {
    const [postgres, kafka] = await progress.step(
      'provisioning PostgreSQL and Kafka (libs/devstack)',
      () => Promise.all([provisionPostgres(), provisionKafka({ defaultPartitions: 12 })]),
      ([pg, k]) => `PostgreSQL: ${pg.mode}, Kafka: ${k.mode} at ${k.brokers.join(',')}`,
    );
    cleanups.push(() => postgres.stop(), () => kafka.stop());
    // (cleanups run in reverse: the services, started on this infrastructure, stop before it does)
    cleanups.push(() => supervisor.stopAll());

    const legacy = await progress.step(
      'building a legacy SoulSpot database (spotify_* cache tables + existing soulspot_* rows)',
      () => createLegacyDatabase(postgres.url, legacyOptions),
      (db) => `${db.expected.legacy.artists} artists, ${db.expected.legacy.albums} albums, ${db.expected.legacy.tracks} tracks in spotify_*`,
    );

    const libraries = generateLibraries(libraryOptions);
    const [spotify, deezer] = await progress.step('starting fake Spotify and Deezer accounts', async () =>
      // An extended-quota Spotify app (batch endpoints allowed); Deezer keeps its real 50 requests / 5 s quota.
      Promise.all([startFakeSpotify({ library: libraries.spotify, devMode: false }), startFakeDeezer({ library: libraries.deezer })]),
    );
    cleanups.push(() => spotify.close(), () => deezer.close());

    const common = { DATABASE_URL: postgres.url, KAFKA_BROKERS: kafka.brokers.join(','), LOG_LEVEL: 'info' };
    await progress.step('migrator schema (legacy database -> final schema)', () =>
      supervisor.run('migrator-schema', 'apps/migrator/src/main.ts', ['schema'], common),
    );

    const [grpcPort, spotifyPort, deezerPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const urls = {
      spotifyConnector: `http://127.0.0.1:${spotifyPort}`,
      deezerConnector: `http://127.0.0.1:${deezerPort}`,
      grpc: `127.0.0.1:${grpcPort}`,
    };
    const encryptionKey = randomBytes(32).toString('base64');
    const env: DemoStack['env'] = {
      'library-service': { ...common, GRPC_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort), PAGE_TOKEN_SECRET: randomBytes(24).toString('hex') },
      'spotify-connector': {
        ...common,
        HOST: '127.0.0.1',
        PORT: String(spotifyPort),
        PUBLIC_URL: urls.spotifyConnector,
        SPOTIFY_CLIENT_ID: spotify.clientId,
        SPOTIFY_CLIENT_SECRET: spotify.clientSecret,
        SPOTIFY_ACCOUNTS_URL: spotify.accountsUrl,
        SPOTIFY_API_URL: spotify.baseUrl,
        SPOTIFY_RATE_LIMIT: '1000/30s',
        TOKEN_ENCRYPTION_KEY: encryptionKey,
      },
      'deezer-connector': {
        ...common,
        HOST: '127.0.0.1',
        PORT: String(deezerPort),
        PUBLIC_URL: urls.deezerConnector,
        DEEZER_APP_ID: deezer.appId,
        DEEZER_APP_SECRET: deezer.appSecret,
        DEEZER_CONNECT_URL: deezer.accountsUrl,
        DEEZER_API_URL: deezer.baseUrl,
        TOKEN_ENCRYPTION_KEY: encryptionKey,
      },
    };
    const reader = new LibraryReader(urls.grpc);
    cleanups.push(async () => reader.close());
    const specs = {
      'library-service': { entry: 'apps/library-service/src/main.ts', ready: () => reader.serving() },
      'spotify-connector': { entry: 'apps/spotify-connector/src/main.ts', ready: httpReady(`${urls.spotifyConnector}/healthz`) },
      'deezer-connector': { entry: 'apps/deezer-connector/src/main.ts', ready: httpReady(`${urls.deezerConnector}/healthz`) },
    } as const;
    const start = (name: ServiceName) => supervisor.start({ name, entry: specs[name].entry, env: env[name], ready: specs[name].ready });
    const services = {} as Record<ServiceName, RunningService>;
    await progress.step('starting library-service, spotify-connector and deezer-connector', async () => {
      for (const name of Object.keys(specs) as ServiceName[]) services[name] = await start(name);
    });
    const stack: DemoStack = {
      supervisor,
      services,
      env,
      urls,
      restart: async (name) => {
        await services[name].stop();
        services[name] = await start(name);
      },
    };

    await progress.step('logging in to Spotify and Deezer through the connectors (OAuth)', async () => {
      await loginThroughConnector(urls.spotifyConnector);
      await loginThroughConnector(urls.deezerConnector);
    });
    await options.hooks?.afterLogin?.(stack);

    await progress.step('migrator run (replay legacy spotify_* as events, verify, back up and drop)', () =>
      supervisor.run('migrator-run', 'apps/migrator/src/main.ts', ['run'], common),
    );
    await options.hooks?.afterMigration?.(stack);

    const syncs = await progress.step(
      'syncing both providers (followed artists -> albums -> tracks, saved albums)',
      async () => {
        const [s, d] = await Promise.all([syncAndWait(urls.spotifyConnector), syncAndWait(urls.deezerConnector)]);
        return { spotify: s, deezer: d };
      },
      ({ spotify: s, deezer: d }) => `spotify: ${s.eventsPublished} events, deezer: ${d.eventsPublished} events`,
    );
    await options.hooks?.afterSync?.(stack);

    await progress.step('waiting for the projection to catch up', () => reader.waitCaughtUp(kafka.brokers));
    const library = await progress.step('reading the unified library back over gRPC', () => reader.report());
    return {
      expected: { fakes: libraries.expectedUnifiedCounts(), legacy: legacy.expected },
      syncs,
      library,
      seconds: progress.elapsedSeconds,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}
