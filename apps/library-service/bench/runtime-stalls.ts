import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

/** What held up this process's event loop during a measured phase (milliseconds). */
export interface StallStats {
  eventLoopDelayP50: number;
  eventLoopDelayP99: number;
  eventLoopDelayMax: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** Pauses of the main thread by kind (scavenge = young generation, mark-compact = full). */
  gcByKind: Record<string, { count: number; totalMs: number; maxMs: number }>;
}

const GC_KINDS: Record<number, string> = { 1: 'scavenge', 2: 'minor-mark-sweep', 4: 'mark-compact', 8: 'incremental', 16: 'weak-callbacks' };
const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * Records event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution) and garbage-collection pauses
 * between `start()` and `stop()`: the two in-process causes of a latency tail that CPU time alone does not show.
 */
export function stallRecorder(): { start(): void; stop(): StallStats } {
  let histogram: IntervalHistogram | undefined;
  let observer: PerformanceObserver | undefined;
  const pauses: Array<{ kind: string; ms: number }> = [];
  return {
    start() {
      pauses.length = 0;
      histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          const detail = (entry as unknown as { detail?: { kind?: number } }).detail;
          const kind = GC_KINDS[detail?.kind ?? 0] ?? 'other';
          pauses.push({ kind, ms: entry.duration });
        }
      });
      observer.observe({ entryTypes: ['gc'] });
    },
    stop() {
      histogram?.disable();
      observer?.disconnect();
      const byKind: StallStats['gcByKind'] = {};
      for (const { kind, ms } of pauses) {
        const entry = (byKind[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
        entry.count++;
        entry.totalMs = round(entry.totalMs + ms);
        entry.maxMs = round(Math.max(entry.maxMs, ms));
      }
      const nsToMs = (ns: number) => round(ns / 1e6);
      return {
        eventLoopDelayP50: nsToMs(histogram?.percentile(50) ?? 0),
        eventLoopDelayP99: nsToMs(histogram?.percentile(99) ?? 0),
        eventLoopDelayMax: nsToMs(histogram?.max ?? 0),
        gcCount: pauses.length,
        gcTotalMs: round(pauses.reduce((sum, p) => sum + p.ms, 0)),
        gcMaxMs: round(Math.max(0, ...pauses.map((p) => p.ms))),
        gcByKind: byKind,
      };
    },
  };
}
