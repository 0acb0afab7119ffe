import { describe, expect, it } from 'vitest';
import { createCoalescer } from './batch-coalescer';

function recorder(options: { failOn?: number } = {}) {
  const groups: number[][] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const apply = async (group: number[]) => {
    groups.push(group);
    if (gate) await gate;
    if (options.failOn !== undefined && group.includes(options.failOn)) throw new Error(`group with ${options.failOn} failed`);
    return group.map((n) => n * 10);
  };
  return {
    groups,
    apply,
    hold() {
      gate = new Promise((r) => (release = r));
    },
    release() {
      gate = undefined;
      release?.();
    },
  };
}

describe('createCoalescer', () => {
  it('applies items handed over in the same turn as one group and answers each caller with its own result', async () => {
    const r = recorder();
    const handle = createCoalescer(r.apply, { maxWeight: 100, weight: () => 1 });
    expect(await Promise.all([handle(1), handle(2), handle(3)])).toEqual([10, 20, 30]);
    expect(r.groups).toEqual([[1, 2, 3]]);
  });

  it('items that arrive while a group runs wait and go together into the next group', async () => {
    const r = recorder();
    r.hold();
    const handle = createCoalescer(r.apply, { maxWeight: 100, weight: () => 1 });
    const first = handle(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [handle(2), handle(3)];
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(r.groups).toEqual([[1]]); // one group at a time
    r.release();
    expect(await Promise.all([first, ...later])).toEqual([10, 20, 30]);
    expect(r.groups).toEqual([[1], [2, 3]]);
  });

  it('splits by weight, and a single item heavier than the bound still goes alone', async () => {
    const r = recorder();
    const handle = createCoalescer(r.apply, { maxWeight: 10, weight: (n) => n });
    await Promise.all([handle(4), handle(5), handle(3), handle(30), handle(1)]);
    expect(r.groups).toEqual([[4, 5], [3], [30], [1]]);
  });

  it('a failed group fails its own callers only; the next group still runs', async () => {
    const r = recorder({ failOn: 2 });
    r.hold();
    const handle = createCoalescer(r.apply, { maxWeight: 100, weight: () => 1 });
    const first = handle(2);
    await new Promise((resolve) => setImmediate(resolve));
    const second = handle(3);
    r.release();
    await expect(first).rejects.toThrow('group with 2 failed');
    expect(await second).toBe(30);
    expect(r.groups).toEqual([[2], [3]]);
  });
});
