import { describe, expect, it } from 'vitest';
import { StatementNames } from './db';

describe('StatementNames', () => {
  it('names each distinct SQL text once and stops naming new texts at the bound', () => {
    const names = new StatementNames('list_artist', 2);
    const first = names.nameFor('SELECT 1');
    expect(first).toBe('list_artist_1');
    expect(names.nameFor('SELECT 1')).toBe(first);
    expect(names.nameFor('SELECT 2')).toBe('list_artist_2');
    expect(names.nameFor('SELECT 3')).toBeUndefined();
    expect(names.nameFor('SELECT 2')).toBe('list_artist_2');
  });
});
