// Table-driven tests of the pure calendar rules (SPEC 4 dateFormat, 7.0, 7.2).

import { describe, expect, it } from 'vitest';
import {
  addDays,
  DATE_FORMATS,
  dateIn,
  dateProblem,
  daysInMonth,
  isoDate,
  parseDate,
  schoolYearBounds,
  schoolYearLabel,
  schoolYearOf,
  usDate,
  type DateFormat,
} from '../src/domain/dates.js';

type Case = [text: string, expected: string | null];

const CASES: Record<DateFormat, Case[]> = {
  'M/D/YYYY': [
    ['8/1/2026', '2026-08-01'],
    ['08/01/2026', '2026-08-01'],
    ['8/01/2026', '2026-08-01'],
    ['08/1/2026', '2026-08-01'],
    ['12/31/2026', '2026-12-31'],
    ['2/29/2028', '2028-02-29'],
    ['2/29/2027', null],
    ['2/29/2000', '2000-02-29'],
    ['2/29/1900', null],
    ['13/1/2026', null],
    ['0/1/2026', null],
    ['1/0/2026', null],
    ['9/31/2026', null],
    ['4/31/2027', null],
    ['8/1/26', null],
    ['008/1/2026', null],
    ['8/001/2026', null],
    ['8/1/20260', null],
    ['8/1/2026x', null],
    ['8/1/2026 ', null],
    ['8-1-2026', null],
    ['2026-08-01', null],
    ['8//2026', null],
    ['', null],
  ],
  'MM/DD/YYYY': [
    ['08/01/2026', '2026-08-01'],
    ['12/31/2026', '2026-12-31'],
    ['8/01/2026', null],
    ['08/1/2026', null],
    ['8/1/2026', null],
    ['02/29/2028', '2028-02-29'],
    ['02/29/2027', null],
    ['13/01/2026', null],
    ['06/31/2027', null],
    ['08/01/2026Z', null],
    ['', null],
  ],
  'D/M/YYYY': [
    ['1/8/2026', '2026-08-01'],
    ['01/08/2026', '2026-08-01'],
    ['31/12/2026', '2026-12-31'],
    ['12/31/2026', null],
    ['29/2/2028', '2028-02-29'],
    ['29/2/2027', null],
    ['1/13/2026', null],
    ['31/9/2026', null],
    ['1/8/2026.', null],
    ['', null],
  ],
  'YYYY-MM-DD': [
    ['2026-08-01', '2026-08-01'],
    ['2028-02-29', '2028-02-29'],
    ['2027-02-29', null],
    ['2026-8-1', null],
    ['2026-08-1', null],
    ['2026-13-01', null],
    ['2026-11-31', null],
    ['2026/08/01', null],
    ['2026-08-01T00:00', null],
    ['26-08-01', null],
    ['', null],
  ],
  MMDDYYYY: [
    ['08012026', '2026-08-01'],
    ['02292028', '2028-02-29'],
    ['02292027', null],
    ['8012026', null],
    ['13012026', null],
    ['04312027', null],
    ['080120261', null],
    ['08/01/2026', null],
    ['', null],
  ],
  YYYYMMDD: [
    ['20260801', '2026-08-01'],
    ['20280229', '2028-02-29'],
    ['20270229', null],
    ['2026081', null],
    ['20261301', null],
    ['20260931', null],
    ['202608011', null],
    ['2026-08-01', null],
    ['', null],
  ],
};

describe('parseDate', () => {
  it('has cases for every format in DATE_FORMATS', () => {
    expect(Object.keys(CASES).sort()).toEqual([...DATE_FORMATS].sort());
  });

  for (const format of DATE_FORMATS) {
    describe(format, () => {
      it.each(CASES[format])('%j -> %s', (text, expected) => {
        expect(parseDate(text, format)).toBe(expected);
      });
    });
  }
});

describe('dateProblem', () => {
  it.each([
    ['8/1/1899', 'M/D/YYYY', 'the year 1899 is out of range (1900-2200)'],
    ['12/31/2201', 'M/D/YYYY', 'the year 2201 is out of range (1900-2200)'],
    ['2/30/1850', 'M/D/YYYY', 'the year 1850 is out of range (1900-2200)'],
    ['01/08/0999', 'MM/DD/YYYY', 'the year 999 is out of range (1900-2200)'],
    ['31/12/9999', 'D/M/YYYY', 'the year 9999 is out of range (1900-2200)'],
    ['1850-08-01', 'YYYY-MM-DD', 'the year 1850 is out of range (1900-2200)'],
    ['08011850', 'MMDDYYYY', 'the year 1850 is out of range (1900-2200)'],
    ['22010101', 'YYYYMMDD', 'the year 2201 is out of range (1900-2200)'],
    ['2/30/2026', 'M/D/YYYY', 'expected a date as M/D/YYYY'],
    ['8/1/26', 'M/D/YYYY', 'expected a date as M/D/YYYY'],
    ['soon', 'YYYY-MM-DD', 'expected a date as YYYY-MM-DD'],
    ['', 'MM/DD/YYYY', 'expected a date as MM/DD/YYYY'],
  ] as [string, DateFormat, string][])('%j in %s: %s', (text, format, why) => {
    expect(parseDate(text, format)).toBeNull();
    expect(dateProblem(text, format)).toBe(why);
  });

  it.each([
    ['1/1/1900', '1900-01-01'],
    ['12/31/2200', '2200-12-31'],
  ])('accepts %s, at the edge of the range', (text, iso) => {
    expect(parseDate(text, 'M/D/YYYY')).toBe(iso);
  });
});

describe('dateIn', () => {
  it.each([
    ['2026-11-22T01:00:00Z', 'America/Chicago', '2026-11-21'],
    ['2026-11-22T06:00:00Z', 'America/Chicago', '2026-11-22'],
    ['2026-11-22T01:00:00Z', 'UTC', '2026-11-22'],
    ['2026-06-30T23:30:00Z', 'Europe/Berlin', '2026-07-01'],
    ['2027-01-01T09:59:00Z', 'Pacific/Honolulu', '2026-12-31'],
  ])('%s in %s is %s', (at, tz, date) => {
    expect(dateIn(new Date(at), tz)).toBe(date);
  });
});

describe('isoDate and daysInMonth', () => {
  it.each([
    [2026, 2, 28],
    [2028, 2, 29],
    [2000, 2, 29],
    [2100, 2, 28],
    [2026, 4, 30],
    [2026, 12, 31],
    [2026, 1, 31],
  ])('daysInMonth(%i, %i) = %i', (y, m, d) => {
    expect(daysInMonth(y, m)).toBe(d);
  });

  it.each([
    [2026, 7, 1, '2026-07-01'],
    [2026, 0, 1, null],
    [2026, 13, 1, null],
    [2026, 6, 31, null],
    [2026, 6, 0, null],
    [1899, 1, 1, null],
    [2201, 1, 1, null],
  ])('isoDate(%i, %i, %i) = %s', (y, m, d, expected) => {
    expect(isoDate(y, m, d)).toBe(expected);
  });
});

describe('addDays', () => {
  it.each([
    ['2026-08-01', 1, '2026-08-02'],
    ['2026-08-31', 1, '2026-09-01'],
    ['2026-09-01', -1, '2026-08-31'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2028-03-01', -1, '2028-02-29'],
    ['2027-03-01', -1, '2027-02-28'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-07-01', -1, '2026-06-30'],
    ['2026-07-01', 365, '2027-07-01'],
    ['2027-07-01', 366, '2028-07-01'],
    ['2026-08-14', 0, '2026-08-14'],
  ])('addDays(%s, %i) = %s', (date, n, expected) => {
    expect(addDays(date, n)).toBe(expected);
  });
});

describe('school years', () => {
  it.each([
    ['2026-06-30', 2026],
    ['2026-07-01', 2027],
    ['2026-08-14', 2027],
    ['2026-12-31', 2027],
    ['2027-01-01', 2027],
    ['2027-06-30', 2027],
    ['2027-07-01', 2028],
  ])('schoolYearOf(%s) = %i', (date, year) => {
    expect(schoolYearOf(date)).toBe(year);
  });

  it.each([
    [2027, '2026-07-01', '2027-06-30'],
    [2000, '1999-07-01', '2000-06-30'],
  ])('schoolYearBounds(%i)', (year, from, to) => {
    expect(schoolYearBounds(year)).toEqual({ from, to });
  });

  it('bounds and schoolYearOf agree at both edges', () => {
    const { from, to } = schoolYearBounds(2027);
    expect(schoolYearOf(from)).toBe(2027);
    expect(schoolYearOf(to)).toBe(2027);
    expect(schoolYearOf(addDays(from, -1))).toBe(2026);
    expect(schoolYearOf(addDays(to, 1))).toBe(2028);
  });

  it.each([
    [2027, '26-27'],
    [2000, '99-00'],
    [2001, '00-01'],
    [2010, '09-10'],
    [2100, '99-00'],
  ])('schoolYearLabel(%i) = %s', (year, label) => {
    expect(schoolYearLabel(year)).toBe(label);
  });
});

describe('usDate', () => {
  it.each([
    ['2026-08-01', '08/01/2026'],
    ['2027-12-31', '12/31/2027'],
    ['2028-02-29', '02/29/2028'],
  ])('usDate(%s) = %s', (iso, us) => {
    expect(usDate(iso)).toBe(us);
  });

  it('round-trips through MM/DD/YYYY parsing', () => {
    expect(parseDate(usDate('2026-11-05'), 'MM/DD/YYYY')).toBe('2026-11-05');
  });
});
