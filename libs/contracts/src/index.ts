export * from './generated/soulspot/events/v1/dto';
export * from './generated/soulspot/events/v1/events';
export * from './envelope';
export * from './provider-key';
export * from './topics';
export * from './uuid-v5';
