import { status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { CallCancellation, type CallSignal } from '../call';
import type { Db, Row } from '../db';
import { ByIdBatcher } from './by-id-batcher';

/** Records each statement and answers it when the test says so (unit test of the coalescing logic only). */
function recordingDb() {
  const statements: Array<{ ids: string[]; signal: CallSignal; answer(rows: Row[]): void; fail(error: Error): void }> = [];
  const db: Db = {
    query<T>(_sql: string, params: unknown[], signal: CallSignal): Promise<T[]> {
      return new Promise((resolve, reject) => {
        statements.push({ ids: params[0] as string[], signal, answer: (rows) => resolve(rows as T[]), fail: reject });
      });
    },
  };
  return { db, statements };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A caller's signal that counts the listeners still attached to it. */
function countingSignal(): CallSignal & { listening(): number } {
  const cancellation = new CallCancellation();
  let listening = 0;
  return {
    get aborted() {
      return cancellation.aborted;
    },
    onAbort(listener) {
      listening++;
      const unsubscribe = cancellation.onAbort(listener);
      let subscribed = true;
      return () => {
        if (subscribed) listening--;
        subscribed = false;
        unsubscribe();
      };
    },
    listening: () => listening,
  };
}

describe('ByIdBatcher', () => {
  it('answers the loads of one event-loop turn with one statement, each caller with its own row', async () => {
    const { db, statements } = recordingDb();
    const batcher = new ByIdBatcher(db, 'SELECT', 'get_artists');
    const loads = ['a', 'b', 'a', 'missing'].map((id) => batcher.load(id, new CallCancellation()));
    await turn();
    expect(statements.map((s) => s.ids)).toEqual([['a', 'b', 'missing']]);
    statements[0].answer([{ id: 'b', name: 'B' }, { id: 'a', name: 'A' }]);
    expect(await Promise.all(loads)).toEqual([{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }, { id: 'a', name: 'A' }, undefined]);
    batcher.load('c', new CallCancellation()).catch(() => undefined);
    await turn();
    expect(statements.map((s) => s.ids)).toEqual([['a', 'b', 'missing'], ['c']]);
  });

  it('leaves no listener on the signal of a caller once the caller is answered or its statement failed', async () => {
    const { db, statements } = recordingDb();
    const batcher = new ByIdBatcher(db, 'SELECT', 'get_artists');
    const answered = countingSignal();
    const failed = countingSignal();
    const first = batcher.load('a', answered);
    await turn();
    expect(answered.listening()).toBeGreaterThan(0);
    statements[0].answer([{ id: 'a' }]);
    await first;
    const second = batcher.load('b', failed).catch((error: Error) => error.message);
    await turn();
    statements[1].fail(new Error('database down'));
    expect(await second).toBe('database down');
    // A listener left behind would keep the statement's rows reachable from the finished call.
    expect([answered.listening(), failed.listening()]).toEqual([0, 0]);
  });

  it('splits a turn into statements of at most maxBatch ids and gives every caller a failed statement its error', async () => {
    const { db, statements } = recordingDb();
    const batcher = new ByIdBatcher(db, 'SELECT', 'get_artists', 2);
    const loads = ['a', 'b', 'c'].map((id) => batcher.load(id, new CallCancellation()).catch((error: Error) => error.message));
    await turn();
    expect(statements.map((s) => s.ids)).toEqual([['a', 'b'], ['c']]);
    statements[0].fail(new Error('database down'));
    statements[1].answer([{ id: 'c' }]);
    expect(await Promise.all(loads)).toEqual(['database down', 'database down', { id: 'c' }]);
  });

  it('answers a cancelled caller CANCELLED at once and cancels the statement only when every caller has gone', async () => {
    const { db, statements } = recordingDb();
    const batcher = new ByIdBatcher(db, 'SELECT', 'get_artists');
    const first = new CallCancellation();
    const second = new CallCancellation();
    const firstLoad = batcher.load('a', first).catch((error: { code?: number }) => error.code);
    const secondLoad = batcher.load('b', second);
    await turn();
    first.abort();
    expect(await firstLoad).toBe(Status.CANCELLED);
    expect(statements[0].signal.aborted).toBe(false);
    statements[0].answer([{ id: 'b' }]);
    expect(await secondLoad).toEqual({ id: 'b' });

    const third = new CallCancellation();
    const thirdLoad = batcher.load('c', third).catch((error: { code?: number }) => error.code);
    await turn();
    third.abort();
    expect(statements[1].signal.aborted).toBe(true);
    expect(await thirdLoad).toBe(Status.CANCELLED);
  });

  it('sends no statement when every caller of a turn was cancelled before it went out', async () => {
    const { db, statements } = recordingDb();
    const batcher = new ByIdBatcher(db, 'SELECT', 'get_artists');
    const cancellation = new CallCancellation();
    const load = batcher.load('a', cancellation).catch((error: { code?: number }) => error.code);
    cancellation.abort();
    expect(await load).toBe(Status.CANCELLED);
    await turn();
    expect(statements).toHaveLength(0);
  });

  it('holds loads back while maxInFlight statements run and sends them together when one finishes', async () => {
    const { db, statements } = recordingDb();
    const batcher = new ByIdBatcher(db, 'SELECT', 'get_artists', 1000, 2);
    const first = batcher.load('a', new CallCancellation());
    await turn();
    const second = batcher.load('b', new CallCancellation());
    await turn();
    // Two statements run; the next loads queue up across turns instead of becoming statements of their own.
    const queued = ['c', 'd', 'c'].map((id) => batcher.load(id, new CallCancellation()));
    await turn();
    const cancelled = new CallCancellation();
    const leaving = batcher.load('e', cancelled).catch((error: { code?: number }) => error.code);
    await turn();
    cancelled.abort();
    expect(await leaving).toBe(Status.CANCELLED);
    expect(statements.map((s) => s.ids)).toEqual([['a'], ['b']]);
    statements[1].answer([{ id: 'b' }]);
    expect(await second).toEqual({ id: 'b' });
    await turn();
    // The queued loads (without the cancelled one) went out as one statement as soon as a slot was free.
    expect(statements.map((s) => s.ids)).toEqual([['a'], ['b'], ['c', 'd']]);
    statements[2].answer([{ id: 'c' }, { id: 'd' }]);
    expect(await Promise.all(queued)).toEqual([{ id: 'c' }, { id: 'd' }, { id: 'c' }]);
    statements[0].answer([{ id: 'a' }]);
    expect(await first).toEqual({ id: 'a' });
    // Idle again: a new load goes out after its own turn.
    batcher.load('f', new CallCancellation()).catch(() => undefined);
    await turn();
    expect(statements.map((s) => s.ids)).toEqual([['a'], ['b'], ['c', 'd'], ['f']]);
  });

  it('frees the slot of a statement that failed', async () => {
    const { db, statements } = recordingDb();
    const batcher = new ByIdBatcher(db, 'SELECT', 'get_artists', 1000, 1);
    const failing = batcher.load('a', new CallCancellation()).catch((error: Error) => error.message);
    await turn();
    const next = batcher.load('b', new CallCancellation());
    await turn();
    expect(statements).toHaveLength(1);
    statements[0].fail(new Error('database down'));
    expect(await failing).toBe('database down');
    await turn();
    expect(statements.map((s) => s.ids)).toEqual([['a'], ['b']]);
    statements[1].answer([{ id: 'b' }]);
    expect(await next).toEqual({ id: 'b' });
  });

  it('rejects a maxInFlight below 1', () => {
    expect(() => new ByIdBatcher(recordingDb().db, 'SELECT', 'get_artists', 1000, 0)).toThrow(/at least 1/);
  });
});
