import { Gauge, type Registry } from 'prom-client';
import type { RebuildPhase } from './state';

const PHASES: readonly (RebuildPhase | 'idle')[] = ['idle', 'replaying', 'catching_up', 'swapping', 'done', 'cancelled', 'failed'];

export interface RebuildMetricsSnapshot {
  phase: RebuildPhase | 'idle';
  applied: number;
  target: number;
  eventsPerSecond: number;
  etaSeconds: number | undefined;
  secondsWithoutProgress: number;
  stuck: boolean;
}

/** Prometheus gauges of the rebuild: progress, throughput, ETA and the "stuck" signal (alert on it). */
export class RebuildMetrics {
  private readonly phase: Gauge<'phase'>;
  private readonly applied: Gauge;
  private readonly target: Gauge;
  private readonly rate: Gauge;
  private readonly eta: Gauge;
  private readonly idle: Gauge;
  private readonly stuck: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.phase = new Gauge({ name: 'soulspot_rebuild_phase', help: '1 for the current rebuild phase', labelNames: ['phase'], registers });
    this.applied = new Gauge({ name: 'soulspot_rebuild_offsets_applied', help: 'events the rebuild has applied (sum of its checkpoints)', registers });
    this.target = new Gauge({ name: 'soulspot_rebuild_offsets_target', help: 'events the rebuild has to apply (sum of target offsets)', registers });
    this.rate = new Gauge({ name: 'soulspot_rebuild_events_per_second', help: 'rebuild throughput over the last seconds', registers });
    this.eta = new Gauge({ name: 'soulspot_rebuild_eta_seconds', help: 'estimated seconds until the rebuild caught up (-1 unknown)', registers });
    this.idle = new Gauge({ name: 'soulspot_rebuild_seconds_without_progress', help: 'seconds since the rebuild last applied an event', registers });
    this.stuck = new Gauge({ name: 'soulspot_rebuild_stuck', help: '1 when an active rebuild made no progress for the configured time', registers });
    this.update({ phase: 'idle', applied: 0, target: 0, eventsPerSecond: 0, etaSeconds: undefined, secondsWithoutProgress: 0, stuck: false });
  }

  update(s: RebuildMetricsSnapshot): void {
    for (const phase of PHASES) this.phase.set({ phase }, phase === s.phase ? 1 : 0);
    this.applied.set(s.applied);
    this.target.set(s.target);
    this.rate.set(s.eventsPerSecond);
    this.eta.set(s.etaSeconds ?? -1);
    this.idle.set(s.secondsWithoutProgress);
    this.stuck.set(s.stuck ? 1 : 0);
  }
}

/**
 * Serves the registry as Prometheus text on http://host:port/metrics. Returns a stop function.
 */
export async function serveMetrics(registry: Registry, port: number, host = '0.0.0.0'): Promise<{ port: number; stop(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: Error) => response.writeHead(500).end(error.message),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
