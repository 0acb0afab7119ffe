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

  it('keeps marks that are part of the letter in scripts where they are not accents', () => {
    // Japanese dakuten, Devanagari vowel signs, Thai vowels/tone marks: dropping them makes different names equal.
    expect(normalizeName('ガクト')).not.toBe(normalizeName('カクト'));
    expect(normalizeName('कुमार')).not.toBe(normalizeName('कमार'));
    expect(normalizeName('ทวีศักดิ์')).not.toBe(normalizeName('ทวศกด'));
    // ...while the same name in composed, decomposed and half-width spelling still matches.
    expect(normalizeName('ガクト')).toBe(normalizeName('ｶﾞｸﾄ'));
    expect(normalizeName('ガクト')).toBe(normalizeName('ガクト'.normalize('NFD')));
  });

  it('still drops accents on Latin, Greek and Cyrillic letters and Hebrew/Arabic vowel points', () => {
    expect(normalizeName('Sơn Tùng M-TP')).toBe('son tung m tp');
    expect(normalizeName('Άλκηστις')).toBe(normalizeName('Αλκηστις'));
    expect(normalizeName('שָׁלוֹם')).toBe(normalizeName('שלום'));
  });

  it('ignores invisible format characters (zero-width space, soft hyphen, BOM)', () => {
    expect(normalizeName('Beyoncé\u200b')).toBe('beyonce');
    expect(normalizeName('Bey\u00adonce')).toBe('beyonce');
    expect(normalizeName('\ufeffSigur Rós')).toBe('sigur ros');
  });
});
