/** Latency summary of one measured run, in milliseconds. */
export interface RunStats {
  targetRate: number;
  achievedRate: number;
  requests: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export function summarize(latenciesMs: number[], errors: number, targetRate: number, elapsedMs: number): RunStats {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    targetRate,
    achievedRate: Math.round(((sorted.length + errors) / elapsedMs) * 1000 * 10) / 10,
    requests: sorted.length + errors,
    errors,
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    p999: round(at(0.999)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate whether or not earlier ones finished, and
 * its latency counts from when it was due (so a stalled server is not hidden by a client that waits — no
 * coordinated omission). Runs `warmupMs` unmeasured first.
 */
export async function openLoop(
  rate: number,
  durationMs: number,
  warmupMs: number,
  send: (i: number) => Promise<unknown>,
  hooks: { measureStart?: () => void; measureEnd?: () => void } = {},
): Promise<RunStats> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: unknown;
  const inflight = new Set<Promise<void>>();
  const run = async (phaseMs: number, measure: boolean) => {
    const start = performance.now();
    const total = Math.floor((rate * phaseMs) / 1000);
    let issued = 0;
    while (issued < total) {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) * rate) / 1000) + 1);
      for (; issued < due; issued++) {
        const dueAt = start + (issued * 1000) / rate;
        const p: Promise<void> = send(issued).then(
          () => {
            if (measure) latencies.push(performance.now() - dueAt);
          },
          (error) => {
            if (measure) errors++;
            firstError ??= error;
          },
        ).finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inflight);
    return performance.now() - start;
  };
  if (warmupMs > 0) await run(warmupMs, false);
  hooks.measureStart?.();
  const elapsed = await run(durationMs, true);
  hooks.measureEnd?.();
  if (firstError && errors > 0) process.stderr.write(`first error: ${(firstError as Error).message}\n`);
  return summarize(latencies, errors, rate, elapsed);
}
