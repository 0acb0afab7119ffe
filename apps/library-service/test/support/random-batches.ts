import type { Observation } from '../../src/domain/observation';
import { prng } from './library-generator';

/**
 * A random interleaving of `events` that keeps each key's events in their order (Kafka's per-partition guarantee),
 * cut into batches of 1..maxBatch events; the same seed gives the same batches.
 */
export function splitRandomly(events: readonly Observation[], seed: number, maxBatch: number): Observation[][] {
  const rnd = prng(seed);
  const shuffled = [...events];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const queues = new Map<string, Observation[]>();
  for (const event of events) {
    const queue = queues.get(event.key);
    if (queue) queue.push(event);
    else queues.set(event.key, [event]);
  }
  const ordered = shuffled.map((event) => queues.get(event.key)!.shift()!);
  const batches: Observation[][] = [];
  for (let i = 0; i < ordered.length; ) {
    const size = 1 + Math.floor(rnd() * maxBatch);
    batches.push(ordered.slice(i, i + size));
    i += size;
  }
  return batches;
}
