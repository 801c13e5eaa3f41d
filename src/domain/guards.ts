// File-level guards (SPEC 7.4): decided once the whole file has been read.

import { schoolYearOf } from './dates.js';
import type { Change } from './reconcile.js';
import type { IsoDate } from './types.js';

/** Counts start dates by school year while a file is read. */
export class YearTally {
  dated = 0;
  private readonly byYear = new Map<number, number>();

  add(startDate: IsoDate): void {
    this.dated++;
    const year = schoolYearOf(startDate);
    this.byYear.set(year, (this.byYear.get(year) ?? 0) + 1);
  }

  /** Lines whose start date falls outside the given school year. */
  outside(schoolYear: number): number {
    return this.dated - (this.byYear.get(schoolYear) ?? 0);
  }

  /** The school year most start dates fall in. */
  mostCommon(): number | null {
    let best: number | null = null;
    let count = 0;
    for (const [year, n] of this.byYear) if (n > count) [best, count] = [year, n];
    return best;
  }
}

/** More than half of the dated lines start outside the mapping's school year. */
export function isWrongYear(tally: YearTally, schoolYear: number): boolean {
  return tally.outside(schoolYear) * 2 > tally.dated;
}

/** A school year with fewer active records than this is never held: a few changes are not a mass change. */
export const MIN_ACTIVE_RECORDS = 20;

/** What a record held before the file was, the first time the file changed it. */
const INACTIVE = 0;
const ACTIVE = 1;
const COUNTED = 2;

/**
 * Counts, while a file is applied, the distinct records the mass-change guard weighs: records of the
 * mapping's school year, held before the file, active (ending on or after the run's date) before the
 * file changed them, that the file ends or removes. A record ended and later removed counts once;
 * records the file inserts (ids above the last one held before it) and carryover records of an
 * earlier year never count. So the count never exceeds the year's active records.
 */
export class ChangeTally {
  changed = 0;
  /** Each record held before the file that the file has changed, with its state above. */
  private readonly seen = new Map<number, number>();

  constructor(
    private readonly schoolYear: number,
    private readonly today: IsoDate,
    /** The highest record id held before the file. */
    private readonly lastIdBefore: number,
  ) {}

  /** Call with every change the file makes, in order (its record is the record as the change found it). */
  add(change: Change): void {
    if (change.kind === 'insert' || change.record.id > this.lastIdBefore) return;
    const r = change.record;
    let state = this.seen.get(r.id);
    // First sight: the record as it was before the file (a later change may have moved its end date).
    if (state === undefined) state = r.schoolYear === this.schoolYear && r.endDate >= this.today ? ACTIVE : INACTIVE;
    if (state === ACTIVE && change.kind !== 'retype') {
      this.changed++;
      state = COUNTED;
    }
    this.seen.set(r.id, state);
  }
}

/**
 * Ending or removing more than `maxRatio` of the year's active records needs approval; a year with
 * fewer than MIN_ACTIVE_RECORDS active records is never held. `changed` never exceeds `active`
 * (ChangeTally), so a ratio of 1 turns the guard off.
 */
export function isMassChange(changed: number, active: number, maxRatio: number): boolean {
  return active >= MIN_ACTIVE_RECORDS && changed / active > maxRatio;
}
