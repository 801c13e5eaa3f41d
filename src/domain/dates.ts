// Calendar math on ISO `YYYY-MM-DD` strings. Strict parsing: no guessing.

import type { IsoDate } from './types.js';

export const DATE_FORMATS = ['M/D/YYYY', 'MM/DD/YYYY', 'D/M/YYYY', 'YYYY-MM-DD', 'MMDDYYYY', 'YYYYMMDD'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The years a date may have (SPEC 7.0): outside them a date is an error, whatever the format. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;

/** Builds an ISO date, or null when the parts are not a real calendar day. */
export function isoDate(year: number, month: number, day: number): IsoDate | null {
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return null;
  if (day > daysInMonth(year, month)) return null;
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** Reads a run of 1..max digits starting at `from`; returns [value, end] or null. */
function digits(text: string, from: number, min: number, max: number): [number, number] | null {
  let value = 0;
  let i = from;
  while (i < text.length && i - from < max) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  return i - from >= min ? [value, i] : null;
}

/** Parses `a<sep>b<sep>c` with the given digit counts; null on any deviation. */
function parseParts(text: string, sizes: [number, number][], sep: string): number[] | null {
  const out: number[] = [];
  let i = 0;
  for (let p = 0; p < sizes.length; p++) {
    if (p > 0) {
      if (sep && text[i] !== sep) return null;
      if (sep) i++;
    }
    const got = digits(text, i, sizes[p][0], sizes[p][1]);
    if (!got) return null;
    out.push(got[0]);
    i = got[1];
  }
  return i === text.length ? out : null;
}

/** The parts of a date as [year, month, day], or null when the text does not have the format's shape. */
function partsOf(text: string, format: DateFormat): [number, number, number] | null {
  let p: number[] | null;
  switch (format) {
    case 'M/D/YYYY':
      p = parseParts(
        text,
        [
          [1, 2],
          [1, 2],
          [4, 4],
        ],
        '/',
      );
      return p && [p[2], p[0], p[1]];
    case 'MM/DD/YYYY':
      p = parseParts(
        text,
        [
          [2, 2],
          [2, 2],
          [4, 4],
        ],
        '/',
      );
      return p && [p[2], p[0], p[1]];
    case 'D/M/YYYY':
      p = parseParts(
        text,
        [
          [1, 2],
          [1, 2],
          [4, 4],
        ],
        '/',
      );
      return p && [p[2], p[1], p[0]];
    case 'YYYY-MM-DD':
      p = parseParts(
        text,
        [
          [4, 4],
          [2, 2],
          [2, 2],
        ],
        '-',
      );
      return p && [p[0], p[1], p[2]];
    case 'MMDDYYYY':
      p = parseParts(
        text,
        [
          [2, 2],
          [2, 2],
          [4, 4],
        ],
        '',
      );
      return p && [p[2], p[0], p[1]];
    case 'YYYYMMDD':
      p = parseParts(
        text,
        [
          [4, 4],
          [2, 2],
          [2, 2],
        ],
        '',
      );
      return p && [p[0], p[1], p[2]];
  }
}

/** Parses a (trimmed) date in the mapping's format. Returns null when it does not parse or is not a real day. */
export function parseDate(text: string, format: DateFormat): IsoDate | null {
  const p = partsOf(text, format);
  return p && isoDate(p[0], p[1], p[2]);
}

/** Why a text that parseDate refused is not a date: the `why` of error 4002. */
export function dateProblem(text: string, format: DateFormat): string {
  const p = partsOf(text, format);
  if (p && (p[0] < MIN_YEAR || p[0] > MAX_YEAR)) return `the year ${p[0]} is out of range (${MIN_YEAR}-${MAX_YEAR})`;
  return `expected a date as ${format}`;
}

/** The calendar date an instant falls on in the IANA zone `tz` (the run's date in FRAM_TZ). */
export function dateIn(at: Date, tz: string): IsoDate {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return `${get('year')}-${pad2(get('month'))}-${pad2(get('day'))}`;
}

/** The day `n` days after (or before, when negative) an ISO date. */
export function addDays(date: IsoDate, n: number): IsoDate {
  const t = Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) + n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** IC's end-year label of the school year (July 1 - June 30) a date falls in: 2026-08-14 -> 2027. */
export function schoolYearOf(date: IsoDate): number {
  const year = +date.slice(0, 4);
  return date.slice(5, 7) >= '07' ? year + 1 : year;
}

/** First and last day of a school year given by its end-year label. */
export function schoolYearBounds(endYear: number): { from: IsoDate; to: IsoDate } {
  return { from: `${endYear - 1}-07-01`, to: `${endYear}-06-30` };
}

/** `26-27` for 2027. */
export function schoolYearLabel(endYear: number): string {
  return `${pad2((endYear - 1) % 100)}-${pad2(endYear % 100)}`;
}

/** MM/DD/YYYY for an ISO date. */
export function usDate(date: IsoDate): string {
  return `${date.slice(5, 7)}/${date.slice(8, 10)}/${date.slice(0, 4)}`;
}
