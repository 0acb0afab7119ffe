import { InvalidIdentifierError } from './invalid-identifier-error';

/** GTIN check digit (mod 10, weights 3/1 from the right, excluding the check digit itself). */
function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Parses a UPC/EAN as providers send it into a 13-digit GTIN-13: UPC-A (12 digits) and EAN-8 are
 * left-padded with zeros, a GTIN-14 with a leading 0 loses it. The check digit must be right (padding
 * with zeros does not change it). Blank input and an all-zero placeholder ("000000000000") yield null; anything
 * else invalid throws InvalidIdentifierError.
 */
export function parseUpc(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const compact = raw.replace(/[\s-]/g, '');
  if (compact === '') return null;
  if (!/^\d+$/.test(compact)) throw new InvalidIdentifierError('upc', raw);
  // A placeholder, not a barcode: all zeros passes the check digit, and keying on it would merge unrelated albums.
  if (/^0+$/.test(compact)) return null;
  let digits: string;
  if (compact.length === 8 || compact.length === 12 || compact.length === 13) digits = compact.padStart(13, '0');
  else if (compact.length === 14 && compact.startsWith('0')) digits = compact.slice(1);
  else throw new InvalidIdentifierError('upc', raw);
  if (gtinCheckDigit(digits.slice(0, 12)) !== Number(digits[12])) throw new InvalidIdentifierError('upc', raw);
  return digits;
}

/** Like parseUpc, but invalid input also yields null. */
export function normalizeUpc(raw: string | null | undefined): string | null {
  try {
    return parseUpc(raw);
  } catch {
    return null;
  }
}

export function isValidUpc(raw: string | null | undefined): boolean {
  return normalizeUpc(raw) !== null;
}
