import { createLogger, onShutdown } from '@soulspot/observability';
import { loadProjectorConfig } from './config';
import { startProjector } from './projection';
import { startGrpcFromConfig } from './grpc/from-config';

/** library-service: projects the library events topic into the soulspot_* tables. */
async function main(): Promise<void> {
  const config = loadProjectorConfig();
  const logger = createLogger('library-service');
  const projector = await startProjector({
    databaseUrl: config.DATABASE_URL,
    brokers: config.KAFKA_BROKERS,
    topic: config.KAFKA_TOPIC,
    dlqTopic: config.KAFKA_DLQ_TOPIC,
    projection: config.PROJECTION_NAME,
    groupId: config.KAFKA_GROUP_ID,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    maxBytesPerPartition: config.PROJECTION_MAX_BATCH_BYTES,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    logger,
  });
  onShutdown(() => projector.stop());
  // Shutdown runs the latest registration first: gRPC drains before the projector stops.
  const grpc = await startGrpcFromConfig(config, { logger, projection: projector });
  onShutdown(() => grpc.stop(true));
}

main().catch((error: Error) => {
  process.stderr.write(`library-service failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
