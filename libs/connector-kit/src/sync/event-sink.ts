import type { KafkaEvent } from '@soulspot/contracts';

/** The part of @soulspot/messaging's EventPublisher the sink needs. */
export interface Publisher {
  publish(events: KafkaEvent[]): Promise<void>;
}

interface PendingBatch {
  events: KafkaEvent[];
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/**
 * Batches events from concurrent sync tasks into produce requests, with at most `maxInFlight` requests outstanding.
 * `emit` resolves only once the broker acknowledged the events, so a task marks its entity synced after — and
 * only after — its events are durable. Callers awaiting `emit` are the backpressure: memory stays bounded by
 * batchSize * (maxInFlight + 1) events whatever the library size.
 */
export class BatchingEventSink {
  private pending: PendingBatch = { events: [], waiters: [] };
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();
  private dispatchChain: Promise<void> = Promise.resolve();
  private acked = 0;

  constructor(
    private readonly publisher: Publisher,
    private readonly options: { batchSize?: number; lingerMs?: number; maxInFlight?: number } = {},
  ) {}

  /** Events acknowledged by the broker so far. */
  get published(): number {
    return this.acked;
  }

  emit(events: KafkaEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => {
      this.pending.events.push(...events);
      this.pending.waiters.push({ resolve, reject });
    });
    if (this.pending.events.length >= (this.options.batchSize ?? 500)) this.dispatch();
    else this.timer ??= setTimeout(() => this.dispatch(), this.options.lingerMs ?? 10);
    return done;
  }

  /** Sends whatever is buffered and waits for every outstanding acknowledgement. */
  async flush(): Promise<void> {
    this.dispatch();
    await this.dispatchChain;
    await Promise.allSettled([...this.inFlight]);
  }

  private dispatch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    if (batch.events.length === 0) return;
    this.pending = { events: [], waiters: [] };
    // Serialize the admission of batches so "at most maxInFlight" holds and batches go out in emit order.
    this.dispatchChain = this.dispatchChain.then(async () => {
      while (this.inFlight.size >= (this.options.maxInFlight ?? 2)) await Promise.race(this.inFlight);
      const request = this.publisher.publish(batch.events).then(
        () => {
          this.acked += batch.events.length;
          for (const waiter of batch.waiters) waiter.resolve();
        },
        (error) => {
          for (const waiter of batch.waiters) waiter.reject(error);
        },
      );
      const tracked = request.finally(() => this.inFlight.delete(tracked));
      this.inFlight.add(tracked);
    });
  }
}
