import { InvalidIdentifierError } from './invalid-identifier-error';

/** ISO 3901: 2-letter country code, 3 alphanumeric registrant chars, 2-digit year, 5-digit designation. */
const ISRC_RE = /^[A-Z]{2}[A-Z0-9]{3}\d{7}$/;

/**
 * Parses an ISRC as providers send it ("usrc17607839", "US-RC1-76-07839", " USRC17607839 ") into its
 * canonical 12-character upper-case form. Blank input means "no ISRC" and yields null; anything else that
 * is not an ISRC throws InvalidIdentifierError (the projection dead-letters such events).
 */
export function parseIsrc(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const compact = raw.replace(/[\s-]/g, '');
  if (compact === '') return null;
  // Check before upper-casing: toUpperCase maps some non-ASCII letters to ASCII ('ı' -> 'I', 'ſ' -> 'S').
  if (!/^[A-Za-z0-9]+$/.test(compact)) throw new InvalidIdentifierError('isrc', raw);
  const upper = compact.toUpperCase();
  if (!ISRC_RE.test(upper)) throw new InvalidIdentifierError('isrc', raw);
  return upper;
}

/** Like parseIsrc, but invalid input also yields null (for callers that only want a usable ISRC or nothing). */
export function normalizeIsrc(raw: string | null | undefined): string | null {
  try {
    return parseIsrc(raw);
  } catch {
    return null;
  }
}

export function isValidIsrc(raw: string | null | undefined): boolean {
  return normalizeIsrc(raw) !== null;
}
