import { describe, expect, it } from 'vitest';
import { escapeLike, foldSql } from './text-fold';

describe('foldSql', () => {
  it('builds a translate() over lower() with equally long tables and no quotes inside', () => {
    const sql = foldSql('a.name');
    const match = /^translate\(lower\(a\.name\), '([^']*)', '([^']*)'\)$/.exec(sql);
    expect(match).not.toBeNull();
    // every letter has its counterpart; the 112 combining marks after them have none (translate deletes them)
    expect([...match![1]].length).toBe([...match![2]].length + 0x70);
  });

  it('maps upper-case, accented and stroked letters of Latin, Greek and Cyrillic to their plain lower-case letter', () => {
    const [, from, to] = /^translate\(lower\(x\), '([^']*)', '([^']*)'\)$/.exec(foldSql('x'))!;
    const table = new Map([...to].map((char, i) => [[...from][i], char]));
    const fold = (text: string) => [...text].map((char) => table.get(char) ?? char).join('');
    expect(fold('BEYONCÉ')).toBe('BEYONCe');
    expect(fold('Ø Ł Đ ı ς Ё Ά ẞ')).toBe('o l d i σ е α ß');
  });
});

describe('escapeLike', () => {
  it('escapes LIKE wildcards and the escape character', () => {
    expect(escapeLike('50%_off\\')).toBe('50\\%\\_off\\\\');
  });
});
