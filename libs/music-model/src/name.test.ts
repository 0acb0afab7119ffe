import { describe, expect, it } from 'vitest';
import { normalizeEvidenceName, normalizeName } from './name';

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

  it('stays conservative: articles and "&" are kept (local entities are keyed by this form)', () => {
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

describe('normalizeEvidenceName', () => {
  it('spells "&" and "+" between words the same as "and", so one artist on two providers gets one evidence key', () => {
    expect(normalizeEvidenceName('Simon & Garfunkel')).toBe(normalizeEvidenceName('Simon and Garfunkel'));
    expect(normalizeEvidenceName('Earth, Wind & Fire')).toBe(normalizeEvidenceName('Earth, Wind AND Fire'));
    expect(normalizeEvidenceName('Mike + The Mechanics')).toBe(normalizeEvidenceName('Mike and the Mechanics'));
    expect(normalizeEvidenceName('C and C Music Factory')).toBe(normalizeEvidenceName('C+C Music Factory'));
  });

  it('still matches every spelling normalizeName matches: "&" and "+" stay punctuation', () => {
    expect(normalizeEvidenceName('C&C Music Factory')).toBe(normalizeEvidenceName('C+C Music Factory'));
    expect(normalizeEvidenceName('Crosby, Stills & Nash')).toBe(normalizeEvidenceName('Crosby / Stills / Nash'));
    expect(normalizeEvidenceName('  Beyoncé ')).toBe('beyonce');
    expect(normalizeEvidenceName('!!!')).toBe('!!!');
    expect(normalizeEvidenceName('&')).toBe('&');
    expect(normalizeEvidenceName(undefined)).toBe('');
  });

  it('keeps an "and" that is part of the name: first or last word, or inside a word', () => {
    expect(normalizeEvidenceName('And One')).toBe('and one');
    expect(normalizeEvidenceName('And One')).not.toBe(normalizeEvidenceName('One'));
    expect(normalizeEvidenceName('Grime and')).not.toBe(normalizeEvidenceName('Grime'));
    expect(normalizeEvidenceName('and')).toBe('and');
    expect(normalizeEvidenceName('Band of Horses')).toBe('band of horses');
    expect(normalizeEvidenceName('Andy and Sandy')).toBe('andy sandy');
  });

  it("leaves articles and other languages' conjunctions alone", () => {
    expect(normalizeEvidenceName('The Beatles')).not.toBe(normalizeEvidenceName('Beatles'));
    expect(normalizeEvidenceName('Simon und Garfunkel')).not.toBe(normalizeEvidenceName('Simon & Garfunkel'));
    expect(normalizeEvidenceName('Charles et Eddie')).not.toBe(normalizeEvidenceName('Charles & Eddie'));
    expect(normalizeEvidenceName('Ana y Mía')).not.toBe(normalizeEvidenceName('Ana & Mía'));
  });
});
