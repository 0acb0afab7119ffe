/** Industry identifiers: UPC/EAN barcodes (GTIN check digit) and ISRCs, unique per canonical entity. */

/** GTIN mod-10 check digit (weights 3/1 from the right) for the body without its check digit. */
export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

function withCheckDigit(body: string): string {
  return body + String(gtinCheckDigit(body));
}

/**
 * The canonical barcode of an album. A US-style UPC-A has 12 digits; a European EAN-13 has 13 and does
 * not start with 0. `catalogueNumber` must be unique per album (< 10^8), `labelPrefix` in [0, 999].
 */
export function albumBarcode(kind: 'upc-a' | 'ean-13', labelPrefix: number, catalogueNumber: number): string {
  const catalogue = String(catalogueNumber).padStart(8, '0');
  if (kind === 'upc-a') return withCheckDigit(String(labelPrefix % 1000).padStart(3, '0') + catalogue);
  // "40"-"44" is Germany's GS1 range: a realistic non-zero EAN-13 prefix that can never collide with a padded UPC-A.
  return withCheckDigit(`4${labelPrefix % 5}` + String(labelPrefix % 100).padStart(2, '0') + catalogue);
}

/** Deezer always reports the 13-digit EAN form: UPC-A gets a leading zero. */
export function toEan13(barcode: string): string {
  return barcode.padStart(13, '0');
}

const REGISTRANT_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * An ISRC (CC-XXX-YY-NNNNN). Unique per `trackNumber` as long as it is < 100,000 * 36^3 (4.6 billion):
 * the registrant code carries the high part, the designation the low five digits.
 */
export function isrc(country: string, year: number, trackNumber: number, registrantOffset: number): string {
  let high = (Math.floor(trackNumber / 100_000) + registrantOffset) % 36 ** 3;
  let registrant = '';
  for (let i = 0; i < 3; i++) {
    registrant = REGISTRANT_ALPHABET[high % 36] + registrant;
    high = Math.floor(high / 36);
  }
  const designation = String(trackNumber % 100_000).padStart(5, '0');
  return `${country}${registrant}${String(year % 100).padStart(2, '0')}${designation}`;
}
