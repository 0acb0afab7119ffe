import { setFlagsFromString } from 'node:v8';

/** Old space may grow to this multiple of what the last full GC found live (V8's default grows it up to 4x, lazily). */
export const HEAP_GROWING_PERCENT = 100;

/**
 * Keeps the migrator's heap proportional to what is live. The replay streams: what is live is a few pages of rows
 * and their encoded events (tens of MB), but each page lives until the broker acknowledges it, so it is promoted
 * to old space, and V8 lets old space grow up to 4x between full GCs when the process has no heap cap — a
 * million-row replay reached 301 MB RSS. With a cap (`--max-old-space-size=128`, as the Job and the benchmark
 * run it) V8 instead grows old space conservatively and ran ~60 full GCs per 100,000 rows, a third of the replay's
 * CPU. A fixed factor of 2 bounds RSS to about twice the live set with or without a cap, at ~15 full GCs per
 * 100,000 rows. V8 reads this flag whenever it sets the next GC limit, so setting it at start-up takes effect;
 * only the CLI entry point calls this (not the tests that import the commands).
 */
export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
