import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { allBranches, StatementPipeline, type Sql } from './sql';

/** A connection that answers each statement after a tick and fails the ones named in `failing`. */
function scriptedConnection(failing: Set<string>) {
  const sent: string[] = [];
  const sql: Sql = {
    async query<T extends pg.QueryResultRow>(text: string) {
      sent.push(text);
      await new Promise((resolve) => setImmediate(resolve));
      if (failing.has(text)) throw Object.assign(new Error(`${text} failed`), { code: '23505' });
      return { rows: [{ text }] as unknown as T[] } as pg.QueryResult<T>;
    },
  };
  return { sql, sent };
}

describe('StatementPipeline', () => {
  it('sends statements in order, one at a time, and resolves each with its rows', async () => {
    const { sql, sent } = scriptedConnection(new Set());
    const pipe = new StatementPipeline(sql);
    const results = ['a', 'b', 'c'].map((text) => pipe.send<{ text: string }>(text));
    await pipe.flush();
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(await Promise.all(results)).toEqual([[{ text: 'a' }], [{ text: 'b' }], [{ text: 'c' }]]);
  });

  it('sends nothing after a failure, throws that failure (the same error) at flush, and leaves no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { sql, sent } = scriptedConnection(new Set(['b']));
      const pipe = new StatementPipeline(sql);
      // results nobody awaits once flush() has failed, as a caller that stops at the error leaves them
      pipe.send('a');
      pipe.send('b');
      pipe.send('c');
      const error = await pipe.flush().catch((caught: unknown) => caught);
      expect((error as { message: string; code: string }).message).toBe('b failed');
      expect((error as { code: string }).code).toBe('23505');
      // a statement issued after the failure is refused with the same error, without reaching the connection
      await expect(pipe.send('d')).rejects.toBe(error);
      expect(sent).toEqual(['a', 'b']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('allBranches', () => {
  it('settles only after every branch has, then throws the first failure in branch order', async () => {
    const finished: string[] = [];
    const slow = new Promise<string>((resolve) => setTimeout(() => (finished.push('slow'), resolve('slow')), 30));
    const failing = Promise.reject(new Error('first'));
    const error = await allBranches([failing, slow]).catch((caught: Error) => caught);
    expect((error as Error).message).toBe('first');
    expect(finished).toEqual(['slow']);
  });

  it('returns every branch value in order', async () => {
    expect(await allBranches([Promise.resolve(1), Promise.resolve('two')])).toEqual([1, 'two']);
  });
});
