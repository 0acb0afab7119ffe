/**
 * Exponential backoff with full jitter (AWS architecture blog): the wait before retry `attempt` (1-based) is
 * uniform in [0, min(cap, base * 2^(attempt-1))]. Full jitter spreads concurrent retries so they do not hit the
 * provider again in lock-step.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (attempt < 1) throw new Error(`attempt must be >= 1 (got ${attempt})`);
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Parses a Retry-After header value into milliseconds from `now`: delta-seconds ("120") or an HTTP-date.
 * Returns undefined for a missing or unparseable value (the caller falls back to backoff); negative or past
 * values become 0.
 */
export function parseRetryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(trimmed) * 1000));
  if (/^-\d+$/.test(trimmed)) return 0;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - now));
}

/**
 * The longest Retry-After taken literally: a day. A larger value (or one past the largest date) would put the pause's
 * end beyond what a Date can hold, and every later request of the process would fail on it.
 */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
