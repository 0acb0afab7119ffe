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
 * ISO timestamp is cut to its date). A zero month or day is read as "not known to that precision", the usual
 * placeholder convention: "1999-00-00" is the year 1999, "2001-01-00" the month 2001-01 (provider-apis.md documents
 * only Deezer's "0000-00-00", for an unknown date). Returns null for blank, malformed or impossible dates (month 13, February 30, a day without a
 * month) and for year 0000, which providers use as "unknown".
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
  const day = match[3] === undefined ? undefined : Number(match[3]);
  if (month === 0) return day === undefined || day === 0 ? { date: match[1], precision: 'year', year } : null;
  if (month > 12) return null;
  if (day === undefined || day === 0) return { date: `${match[1]}-${match[2]}`, precision: 'month', year };
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return { date: trimmed, precision: 'day', year };
}

const PRECISION_RANK: Record<ReleaseDatePrecisionName, number> = { year: 1, month: 2, day: 3 };

/**
 * The date cut to `stated` when that is coarser than what the text spells out: a source that says "year" but sends
 * "1999-01-01" (a padded date) knows only the year. A finer or absent statement changes nothing.
 */
export function capReleaseDatePrecision(release: ReleaseDate | null, stated: ReleaseDatePrecisionName | null): ReleaseDate | null {
  if (release === null || stated === null || PRECISION_RANK[stated] >= PRECISION_RANK[release.precision]) return release;
  return { date: release.date.slice(0, stated === 'year' ? 4 : 7), precision: stated, year: release.year };
}
