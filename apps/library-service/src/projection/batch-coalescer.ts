export interface CoalescerOptions<B> {
  /** Upper bound on the summed weight of one group (a single heavier item still goes alone). */
  maxWeight: number;
  weight(item: B): number;
  /**
   * Like a producer's linger: when nothing is running, a group starts once no new item has arrived for `lingerMs`
   * (default 0: the next turn of the event loop), but no later than `maxLingerMs` after its first item. This lets
   * items that concurrent callers hand over in quick succession, not just in the same turn, share a group.
   */
  lingerMs?: number;
  maxLingerMs?: number;
}

/**
 * Turns many concurrent single-item calls into few group calls: items that arrive while a group is being applied
 * wait and go together into the next group. The projector uses it to apply the batches of all partitions fetched at
 * about the same time in one transaction: an album and the tracks that refer to it usually sit in different
 * partitions, and resolving them together avoids naming the album twice (and rewriting its tracks). It also cuts
 * the fixed cost per transaction. Groups run one at a time; a failed group fails each of its callers.
 */
export function createCoalescer<B, R>(apply: (group: B[]) => Promise<R[]>, options: CoalescerOptions<B>): (item: B) => Promise<R> {
  interface Waiting {
    item: B;
    resolve(result: R): void;
    reject(error: unknown): void;
  }
  const queue: Waiting[] = [];
  let running = false;
  let scheduled = false;

  const takeGroup = (): Waiting[] => {
    const group: Waiting[] = [];
    let weight = 0;
    while (queue.length > 0) {
      const next = options.weight(queue[0].item);
      if (group.length > 0 && weight + next > options.maxWeight) break;
      group.push(queue.shift()!);
      weight += next;
    }
    return group;
  };

  const run = async (): Promise<void> => {
    scheduled = false;
    if (running || queue.length === 0) return;
    running = true;
    const group = takeGroup();
    try {
      const results = await apply(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(results[i]));
    } catch (error) {
      for (const w of group) w.reject(error);
    } finally {
      running = false;
      schedule();
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let firstQueuedAt = 0;
  // never a microtask: batches handed over in the same turn of the event loop (or within the linger) join one group
  const schedule = () => {
    if (running || queue.length === 0) return;
    if (!options.lingerMs) {
      if (!scheduled) setImmediate(() => void run());
      scheduled = true;
      return;
    }
    const now = performance.now();
    if (!scheduled) firstQueuedAt = now;
    scheduled = true;
    clearTimeout(timer);
    const deadline = firstQueuedAt + (options.maxLingerMs ?? options.lingerMs);
    timer = setTimeout(() => void run(), Math.max(0, Math.min(options.lingerMs, deadline - now)));
  };

  return (item: B) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
