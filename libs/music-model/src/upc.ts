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
 * Parses a UPC/EAN as providers send it into a 13-digit GTIN-13. Blank input and an all-zero placeholder
 * ("000000000000") yield null; anything else invalid throws InvalidIdentifierError. The check digit must be right.
 */
export function parseUpc(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const compact = raw.replace(/[\s-]/g, '');
  if (compact === '') return null;
  if (!/^\d+$/.test(compact)) throw new InvalidIdentifierError('upc', raw);
  // A placeholder, not a barcode: all zeros passes the check digit, and keying on it would merge unrelated albums.
  if (/^0+$/.test(compact)) return null;
  const digits = asGtin13(compact);
  if (digits === null || gtinCheckDigit(digits.slice(0, 12)) !== Number(digits[12])) throw new InvalidIdentifierError('upc', raw);
  return digits;
}

/**
 * GS1 right-justifies every GTIN (8, 12, 13, 14 digits) in a 14-digit field padded with leading zeros, and keeps the
 * padded forms of different GTINs distinct, so left-padding is exact: a UPC-A that lost its leading zeros on the way
 * (stored as a number upstream: 036000291452 -> 36000291452) is the same barcode again, check digit included.
 * Accepted: 8 to 13 digits, and 14 when the first is 0 (a non-zero GTIN-14 indicator names a shipping unit, not a
 * release, and has no GTIN-13 form). Fewer than 8 digits is refused: padded, they land among GTIN-8s starting with 0,
 * which GS1 keeps for numbers used inside one company, never a release's barcode; such a value is far more likely a
 * catalog or track number, and one in ten of those passes the check digit and would merge unrelated albums.
 */
function asGtin13(digits: string): string | null {
  if (digits.length >= 8 && digits.length <= 13) return digits.padStart(13, '0');
  if (digits.length === 14 && digits.startsWith('0')) return digits.slice(1);
  return null;
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
