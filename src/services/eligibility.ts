// The Free / Reduced / Paid summary (SPEC 3 `eligibility summary`), to compare with the POS.

import { dateIn, schoolYearBounds, schoolYearOf } from '../domain/dates.js';
import { eligibilitySummary, type SchoolCounts } from '../store/history.js';
import type { IsoDate } from '../domain/types.js';
import type { Kit } from './deps.js';
import { Refusal } from './refusal.js';

export interface SummaryInput {
  /** The end year, `2027`; by default the school year of today in FRAM_TZ. */
  schoolYear?: string;
  /** `YYYY-MM-DD`; by default today, or the year's first or last day when today is outside it. */
  asOf?: string;
}

/**
 * The year and day a summary counts. "Today" is the date in FRAM_TZ, not UTC: on the evening of
 * June 30 in Chicago it is still June 30, the last day of the school year that ends then.
 */
export function summaryPeriod(now: Date, tz: string, input: SummaryInput): { schoolYear: number; asOf: IsoDate } {
  const today = dateIn(now, tz);
  const year = input.schoolYear ? Number(input.schoolYear) : schoolYearOf(today);
  if (!Number.isInteger(year) || year < 2000 || year > 2200)
    throw new Refusal('is an end year such as 2027', { input: 'school-year' });
  const { from, to } = schoolYearBounds(year);
  const asOf = input.asOf ?? (today < from ? from : today > to ? to : today);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Refusal('must be YYYY-MM-DD', { input: 'as-of' });
  return { schoolYear: year, asOf };
}

export function createEligibility(kit: Kit) {
  return {
    /** Each active student's eligibility on the day (no covering record = Paid), by school. */
    summary(input: SummaryInput): { schoolYear: number; asOf: IsoDate; schools: SchoolCounts[] } {
      const { schoolYear, asOf } = summaryPeriod(kit.now(), kit.deps.settings.tz, input);
      return { schoolYear, asOf, schools: eligibilitySummary(kit.db(), schoolYear, asOf) };
    },
  };
}
