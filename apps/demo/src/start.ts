// `npm start`: the same four services as the demo, without fakes — against real Spotify/Deezer accounts and the
// PostgreSQL / Kafka named by the environment. Each service validates its own variables at start-up.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { Supervisor, httpReady, workspaceRoot } from './supervisor';

const HELP = `Usage: npm start [-- --with-migration]

Starts library-service, spotify-connector and deezer-connector as separate processes after applying the
database schema (migrator schema), configured entirely from environment variables:
  DATABASE_URL, KAFKA_BROKERS                      (required by every service)
  TOKEN_ENCRYPTION_KEY, SPOTIFY_CLIENT_ID/SECRET, DEEZER_APP_ID/SECRET ...     (connectors)
  GRPC_PORT, PAGE_TOKEN_SECRET                     (library-service)
  SPOTIFY_CONNECTOR_PORT (8081), DEEZER_CONNECTOR_PORT (8082)   each connector's PORT
  SPOTIFY_PUBLIC_URL, DEEZER_PUBLIC_URL            each connector's PUBLIC_URL (default http://127.0.0.1:<its port>;
                                                   the OAuth redirect URI is <PUBLIC_URL>/auth/callback)
See each app's README for the full list. --with-migration also runs 'migrator run' (legacy replay,
verify, finalize) once the services are up. Logs go to tmp/logs/. Ctrl-C stops everything.`;

let values: { help?: boolean; 'with-migration'?: boolean };
try {
  ({ values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' }, 'with-migration': { type: 'boolean' } } }));
} catch (error) {
  console.error(`start: ${(error as Error).message}\n\n${HELP}`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
for (const name of ['DATABASE_URL', 'KAFKA_BROKERS']) {
  if (!process.env[name]) {
    console.error(`config error: ${name}: required but not set (see npm start -- --help)`);
    process.exit(2);
  }
}

const supervisor = new Supervisor(join(workspaceRoot, 'tmp/logs'));
const spotifyPort = process.env.SPOTIFY_CONNECTOR_PORT ?? '8081';
const deezerPort = process.env.DEEZER_CONNECTOR_PORT ?? '8082';
// Each connector needs its own PORT and PUBLIC_URL (a PUBLIC_URL in the environment would be shared by both).
const spotifyPublicUrl = process.env.SPOTIFY_PUBLIC_URL ?? `http://127.0.0.1:${spotifyPort}`;
const deezerPublicUrl = process.env.DEEZER_PUBLIC_URL ?? `http://127.0.0.1:${deezerPort}`;
try {
  await supervisor.run('migrator-schema', 'apps/migrator/src/main.ts', ['schema'], {});
  await supervisor.start({ name: 'library-service', entry: 'apps/library-service/src/main.ts', env: {}, ready: async () => true });
  await supervisor.start({ name: 'spotify-connector', entry: 'apps/spotify-connector/src/main.ts', env: { PORT: spotifyPort, PUBLIC_URL: spotifyPublicUrl }, ready: httpReady(`http://127.0.0.1:${spotifyPort}/healthz`) });
  await supervisor.start({ name: 'deezer-connector', entry: 'apps/deezer-connector/src/main.ts', env: { PORT: deezerPort, PUBLIC_URL: deezerPublicUrl }, ready: httpReady(`http://127.0.0.1:${deezerPort}/healthz`) });
  console.log(`running: spotify-connector http://127.0.0.1:${spotifyPort} (log in at /auth/login), deezer-connector http://127.0.0.1:${deezerPort}, library-service gRPC :${process.env.GRPC_PORT ?? '50051'}`);
  if (values['with-migration']) await supervisor.run('migrator-run', 'apps/migrator/src/main.ts', ['run'], {});
  console.log('Ctrl-C stops everything; logs in tmp/logs/.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
} catch (error) {
  console.error(`start failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await supervisor.stopAll();
}
