import { createLogger, onShutdown } from '@soulspot/observability';
import { loadConfig } from './config';
import { createSpotifyConnector } from './connector';

/** Spotify connector service: validated config, then HTTP server + scheduler; SIGTERM drains and exits. */
const config = loadConfig();
const logger = createLogger('spotify-connector', { level: config.LOG_LEVEL });
try {
  const connector = await createSpotifyConnector(config, logger);
  onShutdown(async () => {
    logger.info('shutting down');
    await connector.close();
  });
  const address = await connector.listen();
  logger.info({ address, publicUrl: config.PUBLIC_URL }, 'spotify connector listening');
} catch (error) {
  logger.fatal({ err: error }, 'spotify connector failed to start');
  process.exit(1);
}
