import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError } from './invalid-identifier-error';
import { isValidIsrc, normalizeIsrc, parseIsrc } from './isrc';

describe('parseIsrc', () => {
  it('canonicalizes case, hyphens and spaces to 12 upper-case characters', () => {
    expect(parseIsrc('usrc17607839')).toBe('USRC17607839');
    expect(parseIsrc('US-RC1-76-07839')).toBe('USRC17607839');
    expect(parseIsrc('  GB A7W 1300001 ')).toBe('GBA7W1300001');
  });

  it('treats blank input as no ISRC', () => {
    expect(parseIsrc(undefined)).toBeNull();
    expect(parseIsrc(null)).toBeNull();
    expect(parseIsrc('  ')).toBeNull();
  });

  it.each(['USRC1760783', 'USRC176078390', '1SRC17607839', 'US-RC1-76-0783X', 'USRC!7607839', 'ÜSRC17607839'])(
    'rejects %s',
    (raw) => {
      expect(() => parseIsrc(raw)).toThrow(InvalidIdentifierError);
      expect(normalizeIsrc(raw)).toBeNull();
      expect(isValidIsrc(raw)).toBe(false);
    },
  );

  it('does not let non-ASCII letters upper-case into a valid ISRC', () => {
    // 'ı'.toUpperCase() === 'I' and 'ſ'.toUpperCase() === 'S': these are not the ISRCs USRCI7607839 / USRC17607839.
    for (const raw of ['usrcı7607839', 'uſrc17607839']) {
      expect(() => parseIsrc(raw)).toThrow(InvalidIdentifierError);
      expect(normalizeIsrc(raw)).toBeNull();
    }
  });

  it('reports the kind and the offending value', () => {
    try {
      parseIsrc('nope');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ kind: 'isrc', value: 'nope' });
    }
  });
});
