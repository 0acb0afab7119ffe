import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RequestObserver } from '../http/provider-http-client';

export interface ConnectorMetrics {
  httpRequests: Counter<'provider' | 'endpoint' | 'status'>;
  httpDuration: Histogram<'provider' | 'endpoint'>;
  syncRuns: Counter<'status'>;
  syncDuration: Histogram<string>;
  eventsPublished: Gauge<string>;
  /** Feeds the HTTP client's per-request observations into the counters. */
  observeRequest: RequestObserver;
}

/** Connector metrics on the service's registry (from @soulspot/observability's createMetricsRegistry). */
export function createConnectorMetrics(registry: Registry, eventsPublished: () => number): ConnectorMetrics {
  const httpRequests = new Counter({
    name: 'soulspot_connector_http_requests_total',
    help: 'Requests to the provider API by endpoint and HTTP status (network-error when none)',
    labelNames: ['provider', 'endpoint', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'soulspot_connector_http_request_duration_seconds',
    help: 'Provider API request latency',
    labelNames: ['provider', 'endpoint'] as const,
    buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [registry],
  });
  const syncRuns = new Counter({
    name: 'soulspot_connector_sync_runs_total',
    help: 'Finished sync runs by final status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const syncDuration = new Histogram({
    name: 'soulspot_connector_sync_duration_seconds',
    help: 'Sync run duration',
    buckets: [1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  const published = new Gauge({
    name: 'soulspot_connector_events_published',
    help: 'Events acknowledged by the broker since the process started',
    registers: [registry],
    collect() {
      this.set(eventsPublished());
    },
  });
  return {
    httpRequests,
    httpDuration,
    syncRuns,
    syncDuration,
    eventsPublished: published,
    observeRequest: ({ provider, endpoint, status, durationMs }) => {
      httpRequests.inc({ provider, endpoint, status: String(status) });
      httpDuration.observe({ provider, endpoint }, durationMs / 1000);
    },
  };
}
