// Schedules -> fire times (SPEC 4 `schedule`, SPEC 10). Pure: the instant is a parameter, no
// clock and no I/O; the zone maths uses only Intl.DateTimeFormat.
//
// Rules, in the IANA zone `tz` (FRAM_TZ):
// - a schedule fires at most once per local date, at its `time` on each date it matches;
// - a wall time that does not exist (spring forward: 02:30 in a 02:00 -> 03:00 gap) fires at the
//   first instant after the gap (03:00 local);
// - a wall time that exists twice (fall back: 01:30 in a 02:00 -> 01:00 overlap) fires at the
//   earlier instant only;
// - monthly `day: 29..31` in a shorter month fires on that month's last day; `EOM` is every
//   month's last day.

import { daysInMonth } from '../domain/dates.js';

/** When an import runs by itself, as its config file's `schedule` says (config/import.ts checks it). */
export interface Schedule {
  frequency: 'daily' | 'weekly' | 'monthly';
  /** `mon`..`sun` for weekly; `1`..`31` or `EOM` for monthly; absent for daily. */
  day?: string;
  /** `HH:MM`, 24-hour, in FRAM_TZ. */
  time: string;
}

/** A reading of a wall clock in some zone. `month` is 1..12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** Every schedule matches at least once in any 31 consecutive days; this only stops a runaway loop. */
const SEARCH_DAYS = 400;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall-clock reading of an instant in `tz`, to the second. */
export function wallTimeOf(at: Date | number, tz: string): WallTime {
  const w: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatterFor(tz).formatToParts(at)) {
    if (p.type in w) w[p.type as keyof WallTime] = Number(p.value);
  }
  if (w.hour === 24) w.hour = 0; // older ICU data writes midnight as 24 even with h23
  return w;
}

function wallEpoch(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** The zone's UTC offset at an instant, in ms: America/Chicago in July is -5 h. */
export function offsetAt(at: number, tz: string): number {
  const whole = Math.floor(at / 1000) * 1000;
  return wallEpoch(wallTimeOf(whole, tz)) - whole;
}

/**
 * The instant a wall time in `tz` names. Inside a fall-back overlap, the earlier of the two
 * instants; inside a spring-forward gap, the first instant after the gap (02:30 -> 03:00 local).
 */
export function instantOfWallTime(wall: WallTime, tz: string): Date {
  const w = wallEpoch(wall);
  // The offsets in force around it: a transition within a day either side shows up here.
  const offsets = new Set([offsetAt(w - DAY_MS, tz), offsetAt(w + DAY_MS, tz)]);
  for (const o of [...offsets]) offsets.add(offsetAt(w - o, tz));
  const valid = [...offsets].map((o) => w - o).filter((t) => offsetAt(t, tz) === w - t);
  if (valid.length > 0) return new Date(Math.min(...valid));

  // A gap: find the first whole second whose wall reading is at or past `w`. In [lo, hi] the zone
  // only moves forward, so the reading grows with the instant.
  const reading = (t: number) => t + offsetAt(t, tz);
  let lo = w - Math.max(...offsets);
  let hi = w - Math.min(...offsets);
  if (!(reading(lo) < w && reading(hi) >= w)) throw new RangeError(`cannot place ${fmtWall(wall)} in ${tz}`);
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (reading(mid) >= w) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

function fmtWall(w: WallTime): string {
  return new Date(wallEpoch(w)).toISOString().slice(0, 19);
}

/** A schedule's time of day and the test for the local dates it fires on. */
function compile(schedule: Schedule): { hour: number; minute: number; firesOn: (y: number, m: number, d: number) => boolean } {
  const t = /^(\d{2}):(\d{2})$/.exec(schedule.time);
  if (!t || +t[1] > 23 || +t[2] > 59) throw new RangeError(`schedule time must be HH:MM, got '${schedule.time}'`);
  const hour = +t[1];
  const minute = +t[2];
  const day = schedule.day;
  switch (schedule.frequency) {
    case 'daily':
      return { hour, minute, firesOn: () => true };
    case 'weekly': {
      const wd = WEEKDAYS.indexOf(day ?? '');
      if (wd < 0) throw new RangeError(`weekly schedule needs day mon..sun, got '${day}'`);
      return { hour, minute, firesOn: (y, m, d) => new Date(Date.UTC(y, m - 1, d)).getUTCDay() === wd };
    }
    case 'monthly': {
      if (day === 'EOM') return { hour, minute, firesOn: (y, m, d) => d === daysInMonth(y, m) };
      const n = day !== undefined && /^\d{1,2}$/.test(day) ? +day : 0;
      if (n < 1 || n > 31) throw new RangeError(`monthly schedule needs day 1..31 or EOM, got '${day}'`);
      return { hour, minute, firesOn: (y, m, d) => d === Math.min(n, daysInMonth(y, m)) };
    }
  }
}

/** Walks local dates around the one `from` falls on, in direction `step`, to the first fire time `accept` takes. */
function search(schedule: Schedule, from: Date, tz: string, step: 1 | -1, accept: (t: number) => boolean): Date {
  const t0 = from.getTime();
  if (!Number.isFinite(t0)) throw new RangeError('invalid date');
  const { hour, minute, firesOn } = compile(schedule);
  const start = wallTimeOf(t0, tz);
  // Start one date beyond `from`'s own, on the far side: local dates are not in step with instants
  // in an overlap that crosses midnight (St John's until 2011 went back from 00:01 to 23:01), where
  // an instant reading the 6th can come after the 7th's 00:00.
  let dayNo = Date.UTC(start.year, start.month - 1, start.day) / DAY_MS - step;
  for (let i = 0; i < SEARCH_DAYS; i++, dayNo += step) {
    const d = new Date(dayNo * DAY_MS);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    if (!firesOn(y, m, day)) continue;
    const at = instantOfWallTime({ year: y, month: m, day, hour, minute, second: 0 }, tz);
    if (accept(at.getTime())) return at;
  }
  throw new RangeError(`no fire time within ${SEARCH_DAYS} days of ${from.toISOString()}`);
}

/** The first fire time strictly after `after`. */
export function nextRun(schedule: Schedule, after: Date, tz: string): Date {
  const t = after.getTime();
  return search(schedule, after, tz, 1, (at) => at > t);
}

/** The latest fire time at or before `atOrBefore` (what a catch-up at start-up looks at). */
export function previousRun(schedule: Schedule, atOrBefore: Date, tz: string): Date {
  const t = atOrBefore.getTime();
  return search(schedule, atOrBefore, tz, -1, (at) => at <= t);
}
