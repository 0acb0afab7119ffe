/**
 * Client-side token bucket: at most `capacity` requests back-to-back, then `refillPerSecond` per second.
 * Waiters are served strictly in arrival order, so a burst of concurrent callers cannot starve one another.
 *
 * Over ANY window of length W the bucket lets through at most `capacity + refillPerSecond * W` requests; use
 * `bucketForWindow` to derive a bucket that can never exceed a provider's "N requests per window" quota.
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface TokenBucketOptions {
  capacity: number;
  refillPerSecond: number;
}

export interface RateLimiter {
  /** Resolves when one request may be sent. */
  acquire(signal?: AbortSignal): Promise<void>;
}

export class TokenBucket implements RateLimiter {
  private tokens: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly options: TokenBucketOptions,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(options.capacity >= 1)) throw new Error(`token bucket capacity must be >= 1 (got ${options.capacity})`);
    if (!(options.refillPerSecond > 0)) throw new Error(`token bucket refill must be > 0 (got ${options.refillPerSecond})`);
    this.tokens = options.capacity;
    this.updatedAt = clock.now();
  }

  acquire(signal?: AbortSignal): Promise<void> {
    // Chain on the previous waiter: FIFO without a hand-written queue.
    const turn = this.queue.then(() => this.takeOne(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async takeOne(signal?: AbortSignal): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const waitMs = Math.ceil(((1 - this.tokens) / this.options.refillPerSecond) * 1000);
      await this.clock.sleep(Math.max(1, waitMs), signal);
    }
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.options.capacity, this.tokens + (elapsed / 1000) * this.options.refillPerSecond);
    this.updatedAt = now;
  }
}

/**
 * The bucket for a provider quota of `limit` requests per `windowMs` (e.g. Deezer: 50 per 5 s), keeping a safety
 * `margin` (fraction of the limit) for clock skew and network jitter between our send time and the provider's
 * arrival time. Guarantees capacity + rate * window <= limit * (1 - margin).
 */
export function bucketForWindow(limit: number, windowMs: number, margin = 0.1): TokenBucketOptions {
  const budget = Math.floor(limit * (1 - margin));
  if (budget < 2) throw new Error(`quota ${limit}/${windowMs}ms leaves no budget after a ${margin} margin`);
  const capacity = Math.max(1, Math.floor(budget / 10));
  return { capacity, refillPerSecond: ((budget - capacity) * 1000) / windowMs };
}

/** Parses "50/5s", "100/30s", "50/500ms" into { limit, windowMs }. */
export function parseRateSpec(spec: string): { limit: number; windowMs: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(spec);
  if (!match) throw new Error(`rate must look like "50/5s" or "50/500ms" (got ${JSON.stringify(spec)})`);
  const unit = { ms: 1, s: 1000, m: 60_000 }[match[3] as 'ms' | 's' | 'm'];
  const limit = Number(match[1]);
  const windowMs = Number(match[2]) * unit;
  if (limit < 1 || windowMs <= 0) throw new Error(`rate must be positive (got ${JSON.stringify(spec)})`);
  return { limit, windowMs };
}
