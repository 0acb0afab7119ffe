/** Pure progress arithmetic of a rebuild: offsets vs target, throughput, ETA, the "stuck" rule. */

export interface PartitionProgress {
  partition: number;
  /** Next offset the rebuilding projection will apply. */
  offset: number;
  /** Offset the replay has to reach (the log end when the rebuild started, or the live checkpoint if later). */
  target: number;
}

export function partitionProgress(current: ReadonlyMap<number, bigint>, target: ReadonlyMap<number, bigint>): PartitionProgress[] {
  const partitions = [...new Set([...current.keys(), ...target.keys()])].sort((a, b) => a - b);
  return partitions.map((partition) => ({
    partition,
    offset: Number(current.get(partition) ?? 0n),
    target: Number(target.get(partition) ?? 0n),
  }));
}

/** Events still to apply before every partition reaches its target. */
export const remaining = (progress: readonly PartitionProgress[]): number =>
  progress.reduce((sum, p) => sum + Math.max(0, p.target - p.offset), 0);

export const applied = (progress: readonly PartitionProgress[]): number => progress.reduce((sum, p) => sum + p.offset, 0);

/** Every partition of `ahead` has reached the offset of the same partition in `behind`. */
export function hasReached(ahead: ReadonlyMap<number, bigint>, behind: ReadonlyMap<number, bigint>): boolean {
  for (const [partition, offset] of behind) if ((ahead.get(partition) ?? 0n) < offset) return false;
  return true;
}

/** Sum over partitions of how far `ahead` still is behind `behind` (0 when it has reached it everywhere). */
export function lagBehind(ahead: ReadonlyMap<number, bigint>, behind: ReadonlyMap<number, bigint>): number {
  let lag = 0n;
  for (const [partition, offset] of behind) {
    const gap = offset - (ahead.get(partition) ?? 0n);
    if (gap > 0n) lag += gap;
  }
  return Number(lag);
}

export interface Sample {
  atMs: number;
  applied: number;
}

/**
 * Throughput over a sliding window of (time, events applied) samples. Keeps the samples of the last `windowMs`
 * (at least two), remembers when the count last moved, and answers events/s, ETA and "stuck".
 */
export class ThroughputMeter {
  private samples: Sample[] = [];
  private lastProgressAtMs: number | undefined;
  private warnedAtMs: number | undefined;

  constructor(private readonly windowMs = 10_000) {}

  record(sample: Sample): void {
    const last = this.samples[this.samples.length - 1];
    if (!last || sample.applied !== last.applied) this.lastProgressAtMs = sample.atMs;
    this.samples.push(sample);
    while (this.samples.length > 2 && sample.atMs - this.samples[0].atMs > this.windowMs) this.samples.shift();
  }

  eventsPerSecond(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = (last.atMs - first.atMs) / 1000;
    return seconds > 0 ? Math.max(0, last.applied - first.applied) / seconds : 0;
  }

  /** Seconds to apply `remainingEvents` at the current rate; undefined while the rate is unknown. */
  etaSeconds(remainingEvents: number): number | undefined {
    if (remainingEvents === 0) return 0;
    const rate = this.eventsPerSecond();
    return rate > 0 ? remainingEvents / rate : undefined;
  }

  /** Seconds since the applied count last changed (0 before any sample). */
  secondsWithoutProgress(nowMs: number): number {
    return this.lastProgressAtMs === undefined ? 0 : (nowMs - this.lastProgressAtMs) / 1000;
  }

  /** No progress for `thresholdSeconds` while work remains. */
  isStuck(nowMs: number, remainingEvents: number, thresholdSeconds: number): boolean {
    return remainingEvents > 0 && this.secondsWithoutProgress(nowMs) >= thresholdSeconds;
  }

  /**
   * Whether to log "stuck" now: once when the rebuild becomes stuck, then once per further `thresholdSeconds` without
   * progress, however irregular the calls (a check per poll can take longer than the poll interval).
   */
  stuckWarningDue(nowMs: number, remainingEvents: number, thresholdSeconds: number): boolean {
    if (!this.isStuck(nowMs, remainingEvents, thresholdSeconds)) return false;
    // (a warning from before the last progress does not count)
    if (this.warnedAtMs !== undefined && this.warnedAtMs > (this.lastProgressAtMs ?? 0) && nowMs - this.warnedAtMs < thresholdSeconds * 1000) return false;
    this.warnedAtMs = nowMs;
    return true;
  }
}
