/*
 * The projector's batch sizes, shared by the service's configuration (the defaults of its environment variables) and
 * `startProjector` (when a caller passes none), so a projector started anywhere batches as the service does.
 */

/**
 * Bytes fetched per partition and batch. Larger fetches hold more of the heap live for a whole transaction, for no gain
 * in throughput: 512 KiB ran as fast as 768 KiB with ~65 MB less peak RSS (BENCHMARKS.md, bench:projection run P).
 */
export const DEFAULT_MAX_BYTES_PER_PARTITION = 512 * 1024;

/**
 * Events one transaction applies at most (the batches of several partitions go together up to this): bounds the memory
 * of a catch-up. A whole fetch of 12 partitions at the default size is ~14,000 events.
 */
export const DEFAULT_MAX_EVENTS_PER_TRANSACTION = 30_000;
