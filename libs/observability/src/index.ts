export * from './config';
export * from './logger';
export * from './metrics';
export * from './service-args';
export * from './shutdown';
