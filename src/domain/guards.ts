// File-level guards (SPEC 7.4): decided once the whole file has been read.

import { schoolYearOf } from './dates.js';
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

/** Ending or removing more than `maxRatio` of the year's active records needs approval. */
export function isMassChange(changed: number, active: number, maxRatio: number): boolean {
  return active > 0 && changed / active > maxRatio;
}
