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

  it('restores a UPC-A whose leading zeros were lost upstream (stored as a number): GS1 pads GTINs with zeros', () => {
    expect(parseUpc('36000291452')).toBe('0036000291452');
    expect(parseUpc('1234567895')).toBe('0001234567895'); // from 001234567895
    expect(parseUpc('123456784')).toBe('0000123456784'); // from 000123456784
    expect(parseUpc('36000291452')).toBe(parseUpc('036000291452'));
  });

  it('still checks the check digit of a shortened UPC-A', () => {
    expect(() => parseUpc('36000291453')).toThrow(InvalidIdentifierError);
    expect(() => parseUpc('1234567894')).toThrow(InvalidIdentifierError);
  });

  it('refuses fewer than 8 digits even when the check digit happens to match (a catalog number, not a GTIN)', () => {
    // '1234565' and '17' pad to GTIN-13s whose check digit is right
    for (const raw of ['1234565', '17', '0017']) {
      expect(() => parseUpc(raw)).toThrow(InvalidIdentifierError);
      expect(normalizeUpc(raw)).toBeNull();
    }
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

  it.each(['036000291453', '4006381333932', '12345', '1036000291452X', '10036000291452', '000036000291452', 'abcdefghijkl', '3600029145-X'])(
    'rejects %s',
    (raw) => {
      expect(() => parseUpc(raw)).toThrow(InvalidIdentifierError);
      expect(normalizeUpc(raw)).toBeNull();
      expect(isValidUpc(raw)).toBe(false);
    },
  );
});
