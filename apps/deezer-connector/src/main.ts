import { configureShutdown, createLogger, handleServiceArgs, onShutdown, startService } from '@soulspot/observability';
import { configSpec, loadConfig } from './config';
import { createDeezerConnector } from './connector';

/** Deezer connector service: validated config, then HTTP server + scheduler; SIGTERM drains and exits. */
handleServiceArgs({
  usage: 'deezer-connector [--help]',
  summary:
    "Talks to the Deezer API for the users who log in through it (OAuth), normalizes their favourite artists and albums (with the artists' albums and every album's tracks) and publishes them as library events to Kafka. Configured by the environment variables below; stops gracefully on SIGTERM.",
  spec: configSpec,
});
const config = loadConfig();
const logger = createLogger('deezer-connector', { level: config.LOG_LEVEL });
configureShutdown({ timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000, logger });
await startService(async () => {
  const connector = await createDeezerConnector(config, logger);
  onShutdown(() => connector.close());
  const address = await connector.listen();
  logger.info({ address, publicUrl: config.PUBLIC_URL }, 'deezer connector listening');
});
