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
  const compact = raw.replace(/[\s-]/g, '').toUpperCase();
  if (compact === '') return null;
  if (!ISRC_RE.test(compact)) throw new InvalidIdentifierError('isrc', raw);
  return compact;
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
