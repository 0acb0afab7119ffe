import { createLogger, onShutdown } from '@soulspot/observability';
import { loadConfig } from './config';
import { createDeezerConnector } from './connector';

/** Deezer connector service: validated config, then HTTP server + scheduler; SIGTERM drains and exits. */
const config = loadConfig();
const logger = createLogger('deezer-connector', { level: config.LOG_LEVEL });
try {
  const connector = await createDeezerConnector(config, logger);
  onShutdown(async () => {
    logger.info('shutting down');
    await connector.close();
  });
  const address = await connector.listen();
  logger.info({ address, publicUrl: config.PUBLIC_URL }, 'deezer connector listening');
} catch (error) {
  logger.fatal({ err: error }, 'deezer connector failed to start');
  process.exit(1);
}
