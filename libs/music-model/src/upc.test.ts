import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError } from './invalid-identifier-error';
import { isValidUpc, normalizeUpc, parseUpc } from './upc';

describe('parseUpc', () => {
  it('pads a 12-digit UPC-A to GTIN-13', () => {
    expect(parseUpc('036000291452')).toBe('0036000291452');
  });

  it('keeps a valid EAN-13 and strips separators', () => {
    expect(parseUpc('4006381333931')).toBe('4006381333931');
    expect(parseUpc('400 638-133393 1')).toBe('4006381333931');
  });

  it('pads EAN-8 and drops the leading zero of a GTIN-14', () => {
    expect(parseUpc('73513537')).toBe('0000073513537');
    expect(parseUpc('00036000291452')).toBe('0036000291452');
  });

  it('gives the same GTIN-13 for the UPC-A and EAN-13 spellings of one release', () => {
    expect(parseUpc('036000291452')).toBe(parseUpc('0036000291452'));
  });

  it('treats an all-zero barcode as no UPC: it passes the check digit but names no release', () => {
    // Otherwise every album sent with a placeholder barcode would share upc:0000000000000 and merge into one.
    for (const raw of ['000000000000', '0000000000000', '00000000000000', '00000000', '0000-0000 0000']) {
      expect(parseUpc(raw)).toBeNull();
      expect(normalizeUpc(raw)).toBeNull();
    }
  });

  it('treats blank input as no UPC', () => {
    expect(parseUpc('')).toBeNull();
    expect(parseUpc(undefined)).toBeNull();
  });

  it.each(['036000291453', '4006381333932', '12345', '1036000291452X', '10036000291452', 'abcdefghijkl'])(
    'rejects %s',
    (raw) => {
      expect(() => parseUpc(raw)).toThrow(InvalidIdentifierError);
      expect(normalizeUpc(raw)).toBeNull();
      expect(isValidUpc(raw)).toBe(false);
    },
  );
});
