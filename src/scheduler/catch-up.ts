// The start-up catch-up (SPEC 10): a run missed while the daemon was down runs once, at start,
// if it is less than 12 hours late. Pure: `now` is a parameter.

import { previousRun, type Schedule } from './next-run.js';

export const MAX_CATCH_UP_LATE_MS = 12 * 60 * 60 * 1000;

/**
 * The missed fire time to run now, or null.
 *
 * `lastFiredAt` is the watermark the daemon keeps per import: the scheduled time of the last fire
 * it handled (any instant at or after that slot works too, such as when the run started), or,
 * for an import that has never fired, the time the daemon first started with it. A slot at or
 * before the watermark is never caught up, so a restart within the same minute as a run does not
 * repeat it, and a new install does not run a slot from before it existed.
 *
 * `null` means there is no record at all (the very first start): nothing can have been missed, so
 * nothing is caught up; the caller should store the start time as the watermark.
 *
 * Due when the latest slot at or before `now` is after the watermark and less than `maxLateMs`
 * late (a slot exactly at `now` is 0 late: due here, since the timer only arms strictly after now).
 * Only that latest slot is considered: older misses are covered by it ("runs once").
 */
export function catchUpDue(
  schedule: Schedule,
  tz: string,
  lastFiredAt: Date | null,
  now: Date,
  maxLateMs: number = MAX_CATCH_UP_LATE_MS,
): Date | null {
  if (lastFiredAt === null) return null;
  const slot = previousRun(schedule, now, tz);
  if (slot.getTime() <= lastFiredAt.getTime()) return null;
  return now.getTime() - slot.getTime() < maxLateMs ? slot : null;
}
