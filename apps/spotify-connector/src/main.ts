import { configureShutdown, createLogger, handleServiceArgs, onShutdown, startService } from '@soulspot/observability';
import { configSpec, loadConfig } from './config';
import { createSpotifyConnector } from './connector';

/** Spotify connector service: validated config, then HTTP server + scheduler; SIGTERM drains and exits. */
handleServiceArgs({
  usage: 'spotify-connector [--help]',
  summary:
    "Talks to the Spotify Web API for the users who log in through it (OAuth), normalizes their followed artists and saved albums (with the artists' albums and every album's tracks) and publishes them as library events to Kafka. Configured by the environment variables below; stops gracefully on SIGTERM.",
  spec: configSpec,
});
const config = loadConfig();
const logger = createLogger('spotify-connector', { level: config.LOG_LEVEL });
configureShutdown({ timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000, logger });
await startService(async () => {
  const connector = await createSpotifyConnector(config, logger);
  onShutdown(() => connector.close());
  const address = await connector.listen();
  logger.info({ address, publicUrl: config.PUBLIC_URL }, 'spotify connector listening');
});
