import { describe, expect, it } from 'vitest';
import { hasReached, lagBehind, partitionProgress, remaining, ThroughputMeter } from './progress';

const offsets = (entries: Array<[number, number]>) => new Map(entries.map(([p, o]) => [p, BigInt(o)]));

describe('rebuild progress', () => {
  it('lists every partition of the current offsets and of the target, missing ones at 0', () => {
    expect(partitionProgress(offsets([[1, 5]]), offsets([[0, 10], [1, 7]]))).toEqual([
      { partition: 0, offset: 0, target: 10 },
      { partition: 1, offset: 5, target: 7 },
    ]);
    expect(remaining(partitionProgress(offsets([[1, 9]]), offsets([[0, 10], [1, 7]])))).toBe(10);
  });

  it('has reached a set of offsets only when every partition has', () => {
    expect(hasReached(offsets([[0, 3], [1, 4]]), offsets([[0, 3], [1, 4]]))).toBe(true);
    expect(hasReached(offsets([[0, 9]]), offsets([[0, 3], [1, 1]]))).toBe(false);
    expect(lagBehind(offsets([[0, 9]]), offsets([[0, 3], [1, 2]]))).toBe(2);
    expect(lagBehind(offsets([[0, 1], [1, 5]]), offsets([[0, 3], [1, 2]]))).toBe(2);
  });
});

describe('throughput meter', () => {
  it('measures events per second over its window and derives the ETA', () => {
    const meter = new ThroughputMeter(10_000);
    expect(meter.eventsPerSecond()).toBe(0);
    expect(meter.etaSeconds(100)).toBeUndefined();
    meter.record({ atMs: 0, applied: 0 });
    meter.record({ atMs: 2_000, applied: 400 });
    expect(meter.eventsPerSecond()).toBe(200);
    expect(meter.etaSeconds(1_000)).toBe(5);
    expect(meter.etaSeconds(0)).toBe(0);
    // old samples leave the window
    meter.record({ atMs: 20_000, applied: 400 });
    meter.record({ atMs: 21_000, applied: 500 });
    expect(meter.eventsPerSecond()).toBe(100);
  });

  it('is stuck after the threshold without progress while work remains, not when done', () => {
    const meter = new ThroughputMeter();
    meter.record({ atMs: 0, applied: 10 });
    meter.record({ atMs: 30_000, applied: 10 });
    expect(meter.secondsWithoutProgress(30_000)).toBe(30);
    expect(meter.isStuck(30_000, 5, 60)).toBe(false);
    expect(meter.isStuck(61_000, 5, 60)).toBe(true);
    expect(meter.isStuck(61_000, 0, 60)).toBe(false);
    meter.record({ atMs: 62_000, applied: 11 });
    expect(meter.isStuck(62_000, 5, 60)).toBe(false);
  });

  it('warns of a stuck rebuild once, then once per threshold, whatever the call cadence; progress starts over', () => {
    const meter = new ThroughputMeter();
    meter.record({ atMs: 0, applied: 10 });
    // polled every 700 ms (slower than any 250 ms window): warnings at 60 s, 120 s, 180 s of no progress
    const due: number[] = [];
    for (let at = 0; at <= 200_000; at += 700) if (meter.stuckWarningDue(at, 5, 60)) due.push(at);
    expect(due.map((at) => Math.floor(at / 1000))).toEqual([60, 120, 180]);
    meter.record({ atMs: 200_500, applied: 11 });
    expect(meter.stuckWarningDue(230_000, 5, 60)).toBe(false);
    expect(meter.stuckWarningDue(260_500, 5, 60)).toBe(true);
    expect(meter.stuckWarningDue(261_000, 0, 60)).toBe(false);
  });
});
