import { describe, expect, it } from 'vitest';
import { escapeLike, foldSql, foldText } from './text-fold';

describe('foldText', () => {
  it('removes case and accents from Latin, Greek and Cyrillic text', () => {
    expect(foldText('Beyoncé')).toBe('beyonce');
    expect(foldText('MOTÖRHEAD')).toBe('motorhead');
    expect(foldText('Sigur Rós — Ágætis byrjun')).toBe('sigur ros — agætis byrjun');
    expect(foldText('Øystein Łukasz Đorđe')).toBe('oystein lukasz dorde');
    expect(foldText('Ελληνικά ЁЛКА')).toBe('ελληνικα елка');
  });

  it('keeps the length of the text (one character for one), as SQL translate() does', () => {
    const text = 'ÀÉÎÕÜçñåØ Ωμέγα Йогурт';
    expect([...foldText(text)].length).toBe([...text].length);
  });

  it('folds character by character as SQL does: final sigma, dotted capital I', () => {
    expect(foldText('ΟΔΟΣ')).toBe('οδοσ');
    expect(foldText('οδος')).toBe('οδοσ');
    expect(foldText('İstanbul')).toBe('istanbul');
  });

  it('drops combining marks, so decomposed text matches its precomposed form', () => {
    expect(foldText('Beyonce\u0301')).toBe(foldText('Beyoncé'));
    expect(foldText('Mo\u0308tley Cru\u0308e')).toBe('motley crue');
  });
});

describe('foldSql', () => {
  it('builds a translate() over lower() with equally long tables and no quotes inside', () => {
    const sql = foldSql('a.name');
    const match = /^translate\(lower\(a\.name\), '([^']*)', '([^']*)'\)$/.exec(sql);
    expect(match).not.toBeNull();
    // every letter has its counterpart; the 112 combining marks after them have none (translate deletes them)
    expect([...match![1]].length).toBe([...match![2]].length + 0x70);
  });
});

describe('escapeLike', () => {
  it('escapes LIKE wildcards and the escape character', () => {
    expect(escapeLike('50%_off\\')).toBe('50\\%\\_off\\\\');
  });
});
