// The services' rules about dates and times, as tables with the time passed in: the default school
// year and day of `eligibility summary` (in FRAM_TZ, not UTC), and `submit --at`.

import { describe, expect, it } from 'vitest';
import { summaryPeriod } from '../src/services/eligibility.js';
import { parseRunAt } from '../src/services/queue.js';
import { Refusal } from '../src/services/refusal.js';

/** What `f` threw (null when it did not). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

describe('eligibility summary: the default school year and day', () => {
  it.each([
    // [what, now, tz, input, school year, as of]
    [
      'the evening of June 30 in Chicago is still the year ending that day',
      '2027-07-01T03:30:00Z',
      'America/Chicago',
      {},
      2027,
      '2027-06-30',
    ],
    ['the same instant in UTC is already July 1, the next year', '2027-07-01T03:30:00Z', 'UTC', {}, 2028, '2027-07-01'],
    ['midnight starting July 1 in Chicago is the next year', '2027-07-01T05:00:00Z', 'America/Chicago', {}, 2028, '2027-07-01'],
    ['one second before it is June 30', '2027-07-01T04:59:59Z', 'America/Chicago', {}, 2027, '2027-06-30'],
    [
      'New Year in Honolulu is still December 31 of the year before',
      '2027-01-01T09:59:00Z',
      'Pacific/Honolulu',
      {},
      2027,
      '2026-12-31',
    ],
    ['a past year counts on its last day', '2027-11-22T18:00:00Z', 'America/Chicago', { schoolYear: '2027' }, 2027, '2027-06-30'],
    [
      'a future year counts on its first day',
      '2027-05-01T18:00:00Z',
      'America/Chicago',
      { schoolYear: '2028' },
      2028,
      '2027-07-01',
    ],
    [
      'an --as-of is taken as given',
      '2027-05-01T18:00:00Z',
      'America/Chicago',
      { schoolYear: '2027', asOf: '2027-02-14' },
      2027,
      '2027-02-14',
    ],
  ])('%s', (_what, now, tz, input, year, asOf) => {
    expect(summaryPeriod(new Date(now), tz, input)).toEqual({ schoolYear: year, asOf });
  });

  it.each([
    [{ schoolYear: '27' }, 'school-year', 'is an end year such as 2027'],
    [{ schoolYear: '2027.5' }, 'school-year', 'is an end year such as 2027'],
    [{ schoolYear: '2201' }, 'school-year', 'is an end year such as 2027'],
    [{ asOf: '5/1/2027' }, 'as-of', 'must be YYYY-MM-DD'],
  ])('refuses %j, naming the input', (input, name, message) => {
    const refusal = thrown(() => summaryPeriod(new Date('2027-05-01T18:00:00Z'), 'America/Chicago', input));
    expect(refusal).toBeInstanceOf(Refusal);
    expect(refusal).toMatchObject({ input: name, message, reason: 'invalid' });
  });
});

describe('submit --at', () => {
  it.each([
    ['a wall time in FRAM_TZ (CST)', '2026-11-23T05:30', 'America/Chicago', '2026-11-23T11:30:00.000Z'],
    [
      'a wall time in FRAM_TZ (CDT), with a space and seconds',
      '2027-06-30 23:15:10',
      'America/Chicago',
      '2027-07-01T04:15:10.000Z',
    ],
    ['Z is that instant, whatever FRAM_TZ', '2026-11-23T11:30Z', 'America/Chicago', '2026-11-23T11:30:00.000Z'],
    ['an offset is that instant', '2026-11-23T05:30-0600', 'UTC', '2026-11-23T11:30:00.000Z'],
  ])('%s', (_what, text, tz, iso) => {
    expect(parseRunAt(text, tz).toISOString()).toBe(iso);
  });

  it.each([
    ['tomorrow', "'tomorrow' is not an ISO date-time such as 2026-11-23T05:30 (FRAM_TZ) or 2026-11-23T11:30Z"],
    ['2026-02-30T05:30', "'2026-02-30T05:30' is not a real date and time"],
    ['2026-11-23T24:00', "'2026-11-23T24:00' is not a real date and time"],
  ])('refuses %s, naming the input', (text, message) => {
    const refusal = thrown(() => parseRunAt(text, 'UTC'));
    expect(refusal).toBeInstanceOf(Refusal);
    expect(refusal).toMatchObject({ input: 'at', message, reason: 'invalid' });
  });
});
