import { Registry, collectDefaultMetrics } from 'prom-client';

/** A prom-client registry with the process/runtime default metrics; each service exposes it on /metrics. */
export function createMetricsRegistry(prefix = 'soulspot_'): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return registry;
}
