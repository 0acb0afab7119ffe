export { provisionPostgres, POSTGRES_IMAGE_ENV, type ProvisionedPostgres, type ProvisionMode } from './postgres';
export { provisionKafka, KAFKA_IMAGE_ENV, type ProvisionedKafka } from './kafka';
export { freePort } from './free-port';
export { containerRuntimeAvailable } from './container-runtime';
export { startKafkaProcess, type KafkaProcess } from './kafka-process';
export { buildDeployedService, deployedNodeOptions, deployedProcessEnv, type DeployedService } from './deployed-service';
export { provisionStack, type ProvisionedStack } from './stack';
