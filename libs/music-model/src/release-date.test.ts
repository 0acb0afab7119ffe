import { describe, expect, it } from 'vitest';
import { capReleaseDatePrecision, parseReleaseDate } from './release-date';

describe('parseReleaseDate', () => {
  it('reads the three precisions', () => {
    expect(parseReleaseDate('1997')).toEqual({ date: '1997', precision: 'year', year: 1997 });
    expect(parseReleaseDate('1997-05')).toEqual({ date: '1997-05', precision: 'month', year: 1997 });
    expect(parseReleaseDate(' 1997-05-21 ')).toEqual({ date: '1997-05-21', precision: 'day', year: 1997 });
  });

  it('cuts a timestamp to its date', () => {
    expect(parseReleaseDate('2001-02-03T00:00:00Z')).toEqual({ date: '2001-02-03', precision: 'day', year: 2001 });
  });

  it('accepts 29 February only in leap years', () => {
    expect(parseReleaseDate('2024-02-29')?.precision).toBe('day');
    expect(parseReleaseDate('2023-02-29')).toBeNull();
  });

  it('reads zero month/day as a coarser precision (Deezer "1999-00-00", "2001-01-00")', () => {
    expect(parseReleaseDate('1999-00-00')).toEqual({ date: '1999', precision: 'year', year: 1999 });
    expect(parseReleaseDate('1999-00')).toEqual({ date: '1999', precision: 'year', year: 1999 });
    expect(parseReleaseDate('2001-01-00')).toEqual({ date: '2001-01', precision: 'month', year: 2001 });
  });

  it.each(['', '  ', '97', '1997-13', '1997-13-00', '1997-00-05', '1997-04-31', '0000-00-00', '0000', '0000-05-01', '1997/05/21', 'soon'])(
    'rejects %j',
    (raw) => {
      expect(parseReleaseDate(raw)).toBeNull();
    },
  );

  it('treats null as unknown', () => {
    expect(parseReleaseDate(null)).toBeNull();
  });
});

describe('capReleaseDatePrecision', () => {
  const day = parseReleaseDate('1999-05-14');
  it('cuts a date to a coarser stated precision', () => {
    expect(capReleaseDatePrecision(day, 'year')).toEqual({ date: '1999', precision: 'year', year: 1999 });
    expect(capReleaseDatePrecision(day, 'month')).toEqual({ date: '1999-05', precision: 'month', year: 1999 });
  });

  it('never makes a date finer than its text, and leaves it alone without a statement', () => {
    const year = parseReleaseDate('1999');
    expect(capReleaseDatePrecision(year, 'day')).toEqual(year);
    expect(capReleaseDatePrecision(day, 'day')).toEqual(day);
    expect(capReleaseDatePrecision(day, null)).toEqual(day);
    expect(capReleaseDatePrecision(null, 'year')).toBeNull();
  });
});
