import { describe, expect, it } from 'vitest';
import { normalizeName } from './name';

describe('normalizeName', () => {
  it('removes accents, case, punctuation and extra spacing', () => {
    expect(normalizeName('  Beyoncé ')).toBe('beyonce');
    expect(normalizeName('AC/DC')).toBe('ac dc');
    expect(normalizeName('Sigur  Rós')).toBe('sigur ros');
    expect(normalizeName('Guns N’ Roses')).toBe(normalizeName("guns n' roses"));
  });

  it('folds compatibility characters (full-width, ligatures)', () => {
    expect(normalizeName('ＡＢＢＡ')).toBe('abba');
    expect(normalizeName('ﬁve')).toBe('five');
  });

  it('stays conservative: articles and "&" are kept', () => {
    expect(normalizeName('The Beatles')).not.toBe(normalizeName('Beatles'));
    expect(normalizeName('Simon & Garfunkel')).not.toBe(normalizeName('Simon and Garfunkel'));
  });

  it('keeps punctuation-only names distinguishable instead of empty', () => {
    expect(normalizeName('!!!')).toBe('!!!');
    expect(normalizeName('')).toBe('');
    expect(normalizeName(undefined)).toBe('');
  });

  it('keeps non-Latin scripts', () => {
    expect(normalizeName('坂本 龍一')).toBe('坂本 龍一');
  });
});
