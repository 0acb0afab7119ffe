import type { KafkaEvent } from '@soulspot/contracts';
import { describe, expect, it } from 'vitest';
import { BatchingEventSink, type Publisher } from './event-sink';

const event = (n: number) => ({ key: `k${n}` }) as unknown as KafkaEvent;

/** A publisher that records batches and acknowledges them when the test says so. */
function controllable() {
  const batches: KafkaEvent[][] = [];
  const pending: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  let maxOutstanding = 0;
  const publisher: Publisher = {
    publish: (events) =>
      new Promise<void>((resolve, reject) => {
        batches.push(events);
        pending.push({ resolve, reject });
        maxOutstanding = Math.max(maxOutstanding, pending.length);
      }),
  };
  return { publisher, batches, pending, maxOutstanding: () => maxOutstanding };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('BatchingEventSink', () => {
  it('resolves emit only once its batch is acknowledged', async () => {
    const fake = controllable();
    const sink = new BatchingEventSink(fake.publisher, { batchSize: 3, lingerMs: 1 });
    let done = false;
    const emitted = sink.emit([event(1), event(2), event(3)]).then(() => (done = true));
    await tick();
    expect(fake.batches).toHaveLength(1);
    expect(done).toBe(false);
    fake.pending.shift()!.resolve();
    await emitted;
    expect(sink.published).toBe(3);
  });

  it('never has more than maxInFlight batches outstanding and keeps emit order', async () => {
    const fake = controllable();
    const sink = new BatchingEventSink(fake.publisher, { batchSize: 2, lingerMs: 1, maxInFlight: 2 });
    const all = Promise.all(Array.from({ length: 5 }, (_, i) => sink.emit([event(2 * i), event(2 * i + 1)])));
    await tick();
    expect(fake.batches).toHaveLength(2);
    while (fake.pending.length > 0 || fake.batches.length < 5) {
      fake.pending.shift()?.resolve();
      await tick();
    }
    await all;
    expect(fake.maxOutstanding()).toBe(2);
    expect(fake.batches.flat().map((e) => e.key)).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
  });

  it('rejects the emits of a failed batch (the caller then does not mark its entities synced)', async () => {
    const fake = controllable();
    const sink = new BatchingEventSink(fake.publisher, { batchSize: 10, lingerMs: 1 });
    const emitted = sink.emit([event(1)]);
    await tick();
    fake.pending.shift()!.reject(new Error('broker down'));
    await expect(emitted).rejects.toThrow('broker down');
    expect(sink.published).toBe(0);
  });
});
