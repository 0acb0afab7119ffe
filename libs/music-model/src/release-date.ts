export type ReleaseDatePrecisionName = 'year' | 'month' | 'day';

export interface ReleaseDate {
  /** As stored in `release_date`: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'. */
  date: string;
  precision: ReleaseDatePrecisionName;
  year: number;
}

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses a provider release date ('YYYY', 'YYYY-MM', 'YYYY-MM-DD'; surrounding whitespace ignored; a full
 * ISO timestamp is cut to its date). Returns null for blank, malformed or impossible dates (month 13,
 * February 30) and for year 0000, which providers use as "unknown".
 */
export function parseReleaseDate(raw: string | null | undefined): ReleaseDate | null {
  if (raw == null) return null;
  const trimmed = raw.trim().replace(/T.*$/, '');
  const match = DATE_RE.exec(trimmed);
  if (!match) return null;
  const year = Number(match[1]);
  if (year === 0) return null;
  if (match[2] === undefined) return { date: match[1], precision: 'year', year };
  const month = Number(match[2]);
  if (month < 1 || month > 12) return null;
  if (match[3] === undefined) return { date: `${match[1]}-${match[2]}`, precision: 'month', year };
  const day = Number(match[3]);
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return { date: trimmed, precision: 'day', year };
}
