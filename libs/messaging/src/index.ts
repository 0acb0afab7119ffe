export * from './kafka';
export * from './producer';
export * from './partitioner';
export * from './topics';
export * from './checkpointed-consumer';
export * from './dlq';
