// Table-driven tests of the pure schedule maths (SPEC 4 `schedule`, SPEC 10): literal instants in,
// literal instants out. Chicago is UTC-6 (CST) / UTC-5 (CDT); in 2027 CDT starts 2027-03-14 at
// 02:00 CST (08:00Z), and CDT ends 2026-11-01 at 02:00 CDT (07:00Z). Adelaide is +09:30 / +10:30.

import { describe, expect, it } from 'vitest';
import type { Schedule } from '../src/scheduler/next-run.js';
import { catchUpDue, MAX_CATCH_UP_LATE_MS } from '../src/scheduler/catch-up.js';
import { instantOfWallTime, nextRun, previousRun, wallTimeOf } from '../src/scheduler/next-run.js';

const CHI = 'America/Chicago';
const ADL = 'Australia/Adelaide';
const SCL = 'America/Santiago';
const STJ = 'America/St_Johns';

const daily = (time: string): Schedule => ({ frequency: 'daily', time });
const weekly = (day: string, time: string): Schedule => ({ frequency: 'weekly', day, time });
const monthly = (day: string, time: string): Schedule => ({ frequency: 'monthly', day, time });

type Case = [label: string, schedule: Schedule, tz: string, from: string, expected: string];

const iso = (d: Date) => d.toISOString();
const Z = (s: string) => new Date(s);

/** `YYYY-MM-DD HH:MM` of an instant in a zone. */
function localText(at: Date, tz: string): string {
  const w = wallTimeOf(at, tz);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}`;
}

const NEXT: Case[] = [
  // daily
  ['daily, later today (CDT)', daily('01:00'), CHI, '2026-07-15T05:59:59.999Z', '2026-07-15T06:00:00.000Z'],
  ['daily, strictly after a fire time', daily('01:00'), CHI, '2026-07-15T06:00:00.000Z', '2026-07-16T06:00:00.000Z'],
  ['daily, tomorrow (CST)', daily('01:00'), CHI, '2026-12-01T12:00:00.000Z', '2026-12-02T07:00:00.000Z'],
  ['daily 23:59, across the new year', daily('23:59'), CHI, '2026-12-31T12:00:00.000Z', '2027-01-01T05:59:00.000Z'],
  ['daily 00:00, at midnight exactly', daily('00:00'), CHI, '2026-12-31T06:00:00.000Z', '2027-01-01T06:00:00.000Z'],
  // weekly: from Wednesday 2026-09-09 07:00 CDT, every weekday name
  ['weekly wed, later the same day', weekly('wed', '07:15'), CHI, '2026-09-09T12:00:00.000Z', '2026-09-09T12:15:00.000Z'],
  ['weekly thu', weekly('thu', '07:15'), CHI, '2026-09-09T12:00:00.000Z', '2026-09-10T12:15:00.000Z'],
  ['weekly fri', weekly('fri', '07:15'), CHI, '2026-09-09T12:00:00.000Z', '2026-09-11T12:15:00.000Z'],
  ['weekly sat', weekly('sat', '07:15'), CHI, '2026-09-09T12:00:00.000Z', '2026-09-12T12:15:00.000Z'],
  ['weekly sun', weekly('sun', '07:15'), CHI, '2026-09-09T12:00:00.000Z', '2026-09-13T12:15:00.000Z'],
  ['weekly mon', weekly('mon', '07:15'), CHI, '2026-09-09T12:00:00.000Z', '2026-09-14T12:15:00.000Z'],
  ['weekly tue', weekly('tue', '07:15'), CHI, '2026-09-09T12:00:00.000Z', '2026-09-15T12:15:00.000Z'],
  [
    'weekly wed, earlier in the day: next week',
    weekly('wed', '06:00'),
    CHI,
    '2026-09-09T12:00:00.000Z',
    '2026-09-16T11:00:00.000Z',
  ],
  // monthly on a day
  ['monthly 15, from a fire time', monthly('15', '01:00'), CHI, '2026-06-15T06:00:00.000Z', '2026-07-15T06:00:00.000Z'],
  ['monthly 15, into next year (CST)', monthly('15', '01:00'), CHI, '2026-12-20T00:00:00.000Z', '2027-01-15T07:00:00.000Z'],
  ['monthly 1', monthly('1', '01:00'), CHI, '2026-07-15T00:00:00.000Z', '2026-08-01T06:00:00.000Z'],
  // day 31 in shorter months: the month's last day
  ['day 31 in Feb 2027', monthly('31', '01:00'), CHI, '2027-01-31T07:00:00.000Z', '2027-02-28T07:00:00.000Z'],
  ['day 31 in Feb 2028 (leap)', monthly('31', '01:00'), CHI, '2028-01-31T07:00:00.000Z', '2028-02-29T07:00:00.000Z'],
  ['day 31 in April', monthly('31', '01:00'), CHI, '2027-03-31T06:00:00.000Z', '2027-04-30T06:00:00.000Z'],
  ['day 31 in May (31 days)', monthly('31', '01:00'), CHI, '2027-04-30T06:00:00.000Z', '2027-05-31T06:00:00.000Z'],
  ['day 30 in Feb 2027', monthly('30', '01:00'), CHI, '2027-01-30T07:00:00.000Z', '2027-02-28T07:00:00.000Z'],
  ['day 29 in Feb 2028 is the 29th', monthly('29', '01:00'), CHI, '2028-01-29T07:00:00.000Z', '2028-02-29T07:00:00.000Z'],
  // EOM
  ['EOM in Feb 2027', monthly('EOM', '01:00'), CHI, '2027-02-01T00:00:00.000Z', '2027-02-28T07:00:00.000Z'],
  ['EOM in Feb 2028 (leap)', monthly('EOM', '01:00'), CHI, '2028-02-01T00:00:00.000Z', '2028-02-29T07:00:00.000Z'],
  ['EOM in March (31 days, now CDT)', monthly('EOM', '01:00'), CHI, '2027-02-28T07:00:00.000Z', '2027-03-31T06:00:00.000Z'],
  ['EOM in December', monthly('EOM', '01:00'), CHI, '2026-12-15T00:00:00.000Z', '2026-12-31T07:00:00.000Z'],
  // spring forward in Chicago, 2027-03-14: 02:00 CST -> 03:00 CDT at 08:00Z
  ['02:30 the day before (CST)', daily('02:30'), CHI, '2027-03-12T08:30:00.000Z', '2027-03-13T08:30:00.000Z'],
  ['02:30 on spring-forward day -> 03:00 CDT', daily('02:30'), CHI, '2027-03-13T08:30:00.000Z', '2027-03-14T08:00:00.000Z'],
  ['02:30 the day after -> 02:30 CDT', daily('02:30'), CHI, '2027-03-14T08:00:00.000Z', '2027-03-15T07:30:00.000Z'],
  ['02:00 (gap start) -> 03:00 CDT', daily('02:00'), CHI, '2027-03-14T00:00:00.000Z', '2027-03-14T08:00:00.000Z'],
  ['02:59 (gap end) -> 03:00 CDT', daily('02:59'), CHI, '2027-03-14T00:00:00.000Z', '2027-03-14T08:00:00.000Z'],
  ['01:59 just before the gap (CST)', daily('01:59'), CHI, '2027-03-14T00:00:00.000Z', '2027-03-14T07:59:00.000Z'],
  ['03:00 just after the gap (CDT)', daily('03:00'), CHI, '2027-03-14T00:00:00.000Z', '2027-03-14T08:00:00.000Z'],
  // fall back in Chicago, 2026-11-01: 02:00 CDT -> 01:00 CST at 07:00Z; 01:30 is 06:30Z and 07:30Z
  ['01:30 on fall-back day: the CDT one', daily('01:30'), CHI, '2026-10-31T06:30:00.000Z', '2026-11-01T06:30:00.000Z'],
  ['01:30 after it: the next day, not 07:30Z', daily('01:30'), CHI, '2026-11-01T06:30:00.000Z', '2026-11-02T07:30:00.000Z'],
  ['01:30 from inside the repeated hour', daily('01:30'), CHI, '2026-11-01T07:00:00.000Z', '2026-11-02T07:30:00.000Z'],
  ['02:00 on fall-back day: once, CST', daily('02:00'), CHI, '2026-11-01T00:00:00.000Z', '2026-11-01T08:00:00.000Z'],
  // UTC
  ['UTC daily 00:00 across Feb', daily('00:00'), 'UTC', '2027-02-28T00:00:00.000Z', '2027-03-01T00:00:00.000Z'],
  ['UTC EOM 23:59 in Feb 2028', monthly('EOM', '23:59'), 'UTC', '2028-02-01T00:00:00.000Z', '2028-02-29T23:59:00.000Z'],
  // Adelaide: +09:30 ACST / +10:30 ACDT; CDT-like daylight time starts 2026-10-04 02:00 -> 03:00
  ['Adelaide 09:00 (ACDT, +10:30)', daily('09:00'), ADL, '2027-01-10T00:00:00.000Z', '2027-01-10T22:30:00.000Z'],
  ['Adelaide 09:00 (ACST, +09:30)', daily('09:00'), ADL, '2027-07-10T00:00:00.000Z', '2027-07-10T23:30:00.000Z'],
  ['Adelaide 02:30 day before spring forward', daily('02:30'), ADL, '2026-10-02T00:00:00.000Z', '2026-10-02T17:00:00.000Z'],
  ['Adelaide 02:30 on spring-forward day -> 03:00', daily('02:30'), ADL, '2026-10-02T17:00:00.000Z', '2026-10-03T16:30:00.000Z'],
  ['Adelaide 02:30 the day after (ACDT)', daily('02:30'), ADL, '2026-10-03T16:30:00.000Z', '2026-10-04T16:00:00.000Z'],
  // ... and ends 2027-04-04 03:00 ACDT -> 02:00 ACST: 02:30 is 16:00Z (ACDT) and 17:00Z (ACST)
  ['Adelaide 02:30 on fall-back day: the ACDT one', daily('02:30'), ADL, '2027-04-02T16:00:00.000Z', '2027-04-03T16:00:00.000Z'],
  ['Adelaide 02:30 after it: next day (ACST)', daily('02:30'), ADL, '2027-04-03T16:00:00.000Z', '2027-04-04T17:00:00.000Z'],
  // Santiago changes at midnight: 2026-09-06 00:00 -04 -> 01:00 -03 (04:00Z); 2026-04-05 00:00 -03 -> 04-04 23:00 -04 (03:00Z)
  ['Santiago 00:00 on a midnight gap -> 01:00', daily('00:00'), SCL, '2026-09-05T04:00:00.000Z', '2026-09-06T04:00:00.000Z'],
  ['Santiago 00:00 the day after', daily('00:00'), SCL, '2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z'],
  ['Santiago 23:30 in the overlap: the earlier', daily('23:30'), SCL, '2026-04-04T12:00:00.000Z', '2026-04-05T02:30:00.000Z'],
  ['Santiago 23:30 after it: the next day', daily('23:30'), SCL, '2026-04-05T02:30:00.000Z', '2026-04-06T03:30:00.000Z'],
  // St John's, 2010-11-07 00:01 -02:30 -> 11-06 23:01 -03:30 (02:31Z): 23:01..00:00 of the 6th/7th repeat
  [
    "St John's 00:00 in an overlap across midnight: the earlier",
    daily('00:00'),
    STJ,
    '2010-11-06T12:00:00.000Z',
    '2010-11-07T02:30:00.000Z',
  ],
  ["St John's 00:00 after it: the next day", daily('00:00'), STJ, '2010-11-07T02:30:00.000Z', '2010-11-08T03:30:00.000Z'],
];

const PREVIOUS: Case[] = [
  ['daily, a fire time is its own previous', daily('01:00'), CHI, '2026-07-15T06:00:00.000Z', '2026-07-15T06:00:00.000Z'],
  ['daily, 1 ms before: yesterday', daily('01:00'), CHI, '2026-07-15T05:59:59.999Z', '2026-07-14T06:00:00.000Z'],
  ['daily 23:59, back across the new year', daily('23:59'), CHI, '2027-01-01T12:00:00.000Z', '2027-01-01T05:59:00.000Z'],
  ['weekly mon, from a Wednesday', weekly('mon', '07:15'), CHI, '2026-09-09T12:00:00.000Z', '2026-09-07T12:15:00.000Z'],
  ['weekly wed, same day earlier', weekly('wed', '06:00'), CHI, '2026-09-09T12:00:00.000Z', '2026-09-09T11:00:00.000Z'],
  ['weekly sun', weekly('sun', '07:15'), CHI, '2026-09-09T12:00:00.000Z', '2026-09-06T12:15:00.000Z'],
  ['monthly 15', monthly('15', '01:00'), CHI, '2027-01-14T00:00:00.000Z', '2026-12-15T07:00:00.000Z'],
  ['day 31 from March 1 2027: Feb 28', monthly('31', '01:00'), CHI, '2027-03-01T00:00:00.000Z', '2027-02-28T07:00:00.000Z'],
  ['day 31 from May 1 2027: Apr 30', monthly('31', '01:00'), CHI, '2027-05-01T00:00:00.000Z', '2027-04-30T06:00:00.000Z'],
  ['EOM from Mar 1 2028 00:59 CST: Feb 29', monthly('EOM', '01:00'), CHI, '2028-03-01T06:59:59.000Z', '2028-02-29T07:00:00.000Z'],
  ['EOM from mid-April: Mar 31', monthly('EOM', '01:00'), CHI, '2027-04-15T00:00:00.000Z', '2027-03-31T06:00:00.000Z'],
  ['spring: at 03:00 CDT', daily('02:30'), CHI, '2027-03-14T08:00:00.000Z', '2027-03-14T08:00:00.000Z'],
  ['spring: 1 s before the gap', daily('02:30'), CHI, '2027-03-14T07:59:59.000Z', '2027-03-13T08:30:00.000Z'],
  ['spring: the next day before 02:30', daily('02:30'), CHI, '2027-03-15T07:29:00.000Z', '2027-03-14T08:00:00.000Z'],
  ['fall: from the second 01:30 (CST)', daily('01:30'), CHI, '2026-11-01T07:30:00.000Z', '2026-11-01T06:30:00.000Z'],
  ['fall: just before the first 01:30', daily('01:30'), CHI, '2026-11-01T06:29:59.000Z', '2026-10-31T06:30:00.000Z'],
  ['UTC daily', daily('00:00'), 'UTC', '2027-03-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z'],
  ['Adelaide spring: 03:00 ACDT', daily('02:30'), ADL, '2026-10-04T00:00:00.000Z', '2026-10-03T16:30:00.000Z'],
  ['Adelaide fall: from the ACST 02:30', daily('02:30'), ADL, '2027-04-03T17:00:00.000Z', '2027-04-03T16:00:00.000Z'],
  [
    "St John's: from 23:30 of the 6th (second pass), the 7th's 00:00",
    daily('00:00'),
    STJ,
    '2010-11-07T03:00:00.000Z',
    '2010-11-07T02:30:00.000Z',
  ],
];

describe('nextRun', () => {
  it.each(NEXT)('%s', (_label, schedule, tz, from, expected) => {
    expect(iso(nextRun(schedule, Z(from), tz))).toBe(expected);
  });
});

describe('previousRun', () => {
  it.each(PREVIOUS)('%s', (_label, schedule, tz, from, expected) => {
    expect(iso(previousRun(schedule, Z(from), tz))).toBe(expected);
  });
});

describe('wall time <-> instant', () => {
  const cases: [label: string, tz: string, wall: string, expected: string][] = [
    ['plain CST', CHI, '2027-01-10 01:30', '2027-01-10T07:30:00.000Z'],
    ['plain CDT', CHI, '2027-07-10 01:30', '2027-07-10T06:30:00.000Z'],
    ['spring gap -> first instant after it', CHI, '2027-03-14 02:30', '2027-03-14T08:00:00.000Z'],
    ['fall overlap -> the earlier instant', CHI, '2026-11-01 01:30', '2026-11-01T06:30:00.000Z'],
    ['UTC', 'UTC', '2028-02-29 23:59', '2028-02-29T23:59:00.000Z'],
    ['Adelaide +10:30', ADL, '2027-01-10 09:00', '2027-01-09T22:30:00.000Z'],
    ['Adelaide gap', ADL, '2026-10-04 02:00', '2026-10-03T16:30:00.000Z'],
    ['Adelaide overlap', ADL, '2027-04-04 02:30', '2027-04-03T16:00:00.000Z'],
  ];
  it.each(cases)('%s', (_label, tz, wall, expected) => {
    const [y, mo, d, h, mi] = wall.split(/[- :]/).map(Number);
    expect(iso(instantOfWallTime({ year: y, month: mo, day: d, hour: h, minute: mi, second: 0 }, tz))).toBe(expected);
  });

  it('reads wall times back', () => {
    expect(localText(Z('2026-11-01T06:30:00Z'), CHI)).toBe('2026-11-01 01:30');
    expect(localText(Z('2026-11-01T07:30:00Z'), CHI)).toBe('2026-11-01 01:30');
    expect(localText(Z('2027-03-14T08:00:00Z'), CHI)).toBe('2027-03-14 03:00');
    expect(localText(Z('2027-01-01T06:00:00Z'), CHI)).toBe('2027-01-01 00:00');
  });
});

describe('a whole year of fire times, 2026-2027', () => {
  const FROM = Z('2026-01-01T00:00:00Z');
  const TO = Z('2028-01-01T00:00:00Z');

  function fireTimes(schedule: Schedule, tz: string): Date[] {
    const out: Date[] = [];
    for (let t = nextRun(schedule, FROM, tz); t < TO; t = nextRun(schedule, t, tz)) out.push(t);
    return out;
  }

  /** The local dates from one to the other, both included. */
  function datesBetween(first: string, last: string): string[] {
    const out: string[] = [];
    for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
      out.push(new Date(t).toISOString().slice(0, 10));
    }
    return out;
  }

  const DAILY: [string, string, string][] = [
    // time, zone, the local time it reads on the zone's spring-forward days
    ['02:30', CHI, '03:00'],
    ['02:00', CHI, '03:00'],
    ['01:30', CHI, '01:30'],
    ['00:00', CHI, '00:00'],
    ['23:59', CHI, '23:59'],
    ['02:30', ADL, '03:00'],
    ['00:00', 'UTC', '00:00'],
    ['00:00', SCL, '01:00'],
    ['23:30', SCL, '23:30'],
  ];

  it.each(DAILY)('daily %s in %s: every local date exactly once, and previousRun agrees', (time, tz, springTime) => {
    const fires = fireTimes(daily(time), tz);
    const locals = fires.map((t) => localText(t, tz));
    // Strictly increasing instants.
    for (let i = 1; i < fires.length; i++) expect(fires[i].getTime()).toBeGreaterThan(fires[i - 1].getTime());
    // One per local date, no date skipped. (The first/last local dates depend on the zone.)
    const dates = locals.map((l) => l.slice(0, 10));
    expect(dates).toEqual(datesBetween(dates[0], dates[dates.length - 1]));
    expect(dates.length).toBeGreaterThanOrEqual(729);
    // At the scheduled wall time, except in a gap, where it is the first time after the gap.
    const off = locals.filter((l) => l.slice(11) !== time);
    const expectedOff = springTime === time ? 0 : 2; // one spring-forward day a year
    expect(off.length).toBe(expectedOff);
    for (const l of off) expect(l.slice(11)).toBe(springTime);
    // Each fire time is its own previousRun, and the one before it is previousRun of 1 ms earlier.
    for (let i = 1; i < fires.length; i++) {
      expect(iso(previousRun(daily(time), fires[i], tz))).toBe(iso(fires[i]));
      expect(iso(previousRun(daily(time), new Date(fires[i].getTime() - 1), tz))).toBe(iso(fires[i - 1]));
    }
  });

  it('Chicago fall-back days: 01:30 fires once each, at the CDT occurrence', () => {
    const fires = fireTimes(daily('01:30'), CHI).map(iso);
    expect(fires.filter((t) => t.startsWith('2026-11-01'))).toEqual(['2026-11-01T06:30:00.000Z']);
    expect(fires).not.toContain('2026-11-01T07:30:00.000Z');
    expect(fires.filter((t) => t.startsWith('2027-11-07'))).toEqual(['2027-11-07T06:30:00.000Z']);
  });

  it('Chicago spring-forward days: 02:30 fires once each, at 03:00 CDT', () => {
    const fires = fireTimes(daily('02:30'), CHI).map(iso);
    expect(fires.filter((t) => t.startsWith('2026-03-08'))).toEqual(['2026-03-08T08:00:00.000Z']);
    expect(fires.filter((t) => t.startsWith('2027-03-14'))).toEqual(['2027-03-14T08:00:00.000Z']);
  });

  it('weekly fri: every Friday, 7 days apart in local dates', () => {
    const fires = fireTimes(weekly('fri', '02:30'), CHI);
    expect(fires.length).toBe(105); // 52 Fridays in 2026, 53 in 2027
    const days = fires.map((t) => Date.parse(`${localText(t, CHI).slice(0, 10)}T00:00:00Z`) / 86_400_000);
    for (let i = 1; i < days.length; i++) expect(days[i] - days[i - 1]).toBe(7);
    expect(fires.map((t) => new Date(Date.parse(localText(t, CHI).slice(0, 10))).getUTCDay())).toEqual(fires.map(() => 5));
  });

  it("monthly EOM and day 31: each month's last day, 24 times", () => {
    const last = ['31', '28', '31', '30', '31', '30', '31', '31', '30', '31', '30', '31'];
    const expected = [2026, 2027].flatMap((y) => last.map((d, i) => `${y}-${String(i + 1).padStart(2, '0')}-${d} 01:00`));
    expect(fireTimes(monthly('EOM', '01:00'), CHI).map((t) => localText(t, CHI))).toEqual(expected);
    expect(fireTimes(monthly('31', '01:00'), CHI).map((t) => localText(t, CHI))).toEqual(expected);
  });
});

describe('invalid input', () => {
  it('refuses a schedule that validation would have refused, and an invalid date', () => {
    expect(() => nextRun(weekly('someday', '01:00'), Z('2027-01-01T00:00:00Z'), CHI)).toThrow(RangeError);
    expect(() => nextRun(monthly('32', '01:00'), Z('2027-01-01T00:00:00Z'), CHI)).toThrow(RangeError);
    expect(() => nextRun(daily('25:00'), Z('2027-01-01T00:00:00Z'), CHI)).toThrow(RangeError);
    expect(() => nextRun(daily('01:00'), new Date(Number.NaN), CHI)).toThrow(RangeError);
    expect(() => nextRun(daily('01:00'), Z('2027-01-01T00:00:00Z'), 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('catchUpDue', () => {
  const job = daily('02:30'); // 07:30Z in July (CDT)
  const H = 3_600_000;
  type CatchUp = [label: string, lastFiredAt: string | null, now: string, expected: string | null];
  const cases: CatchUp[] = [
    ['3 h late: due', '2026-07-14T07:30:00.000Z', '2026-07-15T10:30:00.000Z', '2026-07-15T07:30:00.000Z'],
    ['13 h late: too late', '2026-07-14T07:30:00.000Z', '2026-07-15T20:30:00.000Z', null],
    ['just under 12 h late: due', '2026-07-14T07:30:00.000Z', '2026-07-15T19:29:59.999Z', '2026-07-15T07:30:00.000Z'],
    ['exactly 12 h late: not less than 12 h', '2026-07-14T07:30:00.000Z', '2026-07-15T19:30:00.000Z', null],
    ['already handled', '2026-07-15T07:30:00.000Z', '2026-07-15T10:30:00.000Z', null],
    ['restart within the same minute as the run', '2026-07-15T07:30:00.250Z', '2026-07-15T07:30:40.000Z', null],
    [
      'restart in that minute, the run never happened',
      '2026-07-14T07:30:00.000Z',
      '2026-07-15T07:30:40.000Z',
      '2026-07-15T07:30:00.000Z',
    ],
    ['a slot exactly at now: 0 late, due', '2026-07-14T07:30:00.000Z', '2026-07-15T07:30:00.000Z', '2026-07-15T07:30:00.000Z'],
    [
      'several days down: only the latest slot',
      '2026-07-10T07:30:00.000Z',
      '2026-07-15T08:00:00.000Z',
      '2026-07-15T07:30:00.000Z',
    ],
    ['first start after the slot: not caught up', '2026-07-15T09:00:00.000Z', '2026-07-15T10:30:00.000Z', null],
    ['no record at all: nothing', null, '2026-07-15T10:30:00.000Z', null],
    ['down over the spring-forward slot', '2027-03-13T08:30:00.000Z', '2027-03-14T09:00:00.000Z', '2027-03-14T08:00:00.000Z'],
  ];
  it.each(cases)('%s', (_label, last, now, expected) => {
    const got = catchUpDue(job, CHI, last === null ? null : Z(last), Z(now));
    expect(got === null ? null : iso(got)).toBe(expected);
  });

  it('takes the lateness limit as a parameter, default 12 h', () => {
    expect(MAX_CATCH_UP_LATE_MS).toBe(12 * H);
    const last = Z('2026-07-14T07:30:00.000Z');
    const now = Z('2026-07-15T10:30:00.000Z'); // 3 h late
    expect(catchUpDue(job, CHI, last, now, 2 * H)).toBeNull();
    expect(catchUpDue(job, CHI, last, now, 4 * H)?.toISOString()).toBe('2026-07-15T07:30:00.000Z');
  });
});
