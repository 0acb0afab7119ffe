import { describe, expect, it } from 'vitest';
import { StatementNames, statementName } from './db';

describe('StatementNames', () => {
  it('names each distinct SQL text once and stops naming new texts at the bound', () => {
    const names = new StatementNames('list_artist', 2);
    const first = names.nameFor('SELECT 1');
    expect(first).toMatch(/^list_artist_[0-9a-f]{32}$/);
    expect(names.nameFor('SELECT 1')).toBe(first);
    const second = names.nameFor('SELECT 2');
    expect(second).toMatch(/^list_artist_[0-9a-f]{32}$/);
    expect(second).not.toBe(first);
    expect(names.nameFor('SELECT 3')).toBeUndefined();
    expect(names.nameFor('SELECT 2')).toBe(second);
  });

  it('leaves long texts unnamed, and stops naming once the named texts reach their total length', () => {
    const names = new StatementNames('list_artist', 200, 10, 25);
    expect(names.nameFor('SELECT 123456')).toBeUndefined();
    expect(names.nameFor('SELECT 1')).toMatch(/^list_artist_/);
    expect(names.nameFor('SELECT 12')).toMatch(/^list_artist_/);
    expect(names.nameFor('SELECT 13')).toBeUndefined();
    expect(names.nameFor('SELECT 1')).toMatch(/^list_artist_/);
  });

  it('gives a text the same name in every instance whatever order the texts came in, and two texts two names', () => {
    const a = new StatementNames('list_artist');
    const b = new StatementNames('list_artist');
    const inA = ['SELECT 1', 'SELECT 2'].map((sql) => a.nameFor(sql));
    const inB = ['SELECT 2', 'SELECT 1'].map((sql) => b.nameFor(sql)).reverse();
    expect(inB).toEqual(inA);
    expect(inA[0]).not.toBe(inA[1]);
    expect(inA[0]).toBe(statementName('list_artist', 'SELECT 1'));
    // PostgreSQL truncates names to 63 bytes: two names may not differ only after that
    expect(statementName('list_artist', 'SELECT 1').length).toBeLessThanOrEqual(63);
  });
});
