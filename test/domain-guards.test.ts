// File-level guards (SPEC 7.4): wrong school year and mass change.

import { describe, expect, it } from 'vitest';
import { isMassChange, isWrongYear, YearTally } from '../src/domain/guards.js';

function tally(dates: string[]): YearTally {
  const t = new YearTally();
  for (const d of dates) t.add(d);
  return t;
}

const IN = '2026-09-01'; // school year 2027
const LAST_YEAR = '2026-03-01'; // school year 2026
const NEXT_YEAR = '2027-08-15'; // school year 2028

const repeat = (date: string, n: number) => Array.from({ length: n }, () => date);

describe('YearTally', () => {
  it('counts dated lines and those outside a school year, using the July 1 boundary', () => {
    const t = tally(['2026-07-01', '2027-06-30', '2026-06-30', '2027-07-01', IN]);
    expect(t.dated).toBe(5);
    expect(t.outside(2027)).toBe(2);
    expect(t.outside(2026)).toBe(4);
    expect(t.outside(2028)).toBe(4);
    expect(t.outside(2030)).toBe(5);
  });

  it('starts empty', () => {
    const t = new YearTally();
    expect(t.dated).toBe(0);
    expect(t.outside(2027)).toBe(0);
    expect(t.mostCommon()).toBeNull();
  });

  it.each([
    [[IN, IN, LAST_YEAR], 2027],
    [[LAST_YEAR, LAST_YEAR, IN], 2026],
    [[NEXT_YEAR, IN, NEXT_YEAR, LAST_YEAR], 2028],
    [[LAST_YEAR], 2026],
  ])('mostCommon of %j is %i', (dates, year) => {
    expect(tally(dates).mostCommon()).toBe(year);
  });
});

describe('isWrongYear', () => {
  it.each([
    ['no dated lines', [], false],
    ['all inside', repeat(IN, 4), false],
    ['exactly half outside', [...repeat(IN, 2), ...repeat(LAST_YEAR, 2)], false],
    ['exactly half outside, mixed years', [...repeat(IN, 3), LAST_YEAR, NEXT_YEAR, LAST_YEAR], false],
    ['one more than half outside', [...repeat(IN, 2), ...repeat(LAST_YEAR, 3)], true],
    ['more than half, spread over two other years', [IN, LAST_YEAR, NEXT_YEAR], true],
    ['all outside', repeat(NEXT_YEAR, 10), true],
    ['a single outside line', [LAST_YEAR], true],
    ['a single inside line', [IN], false],
  ])('%s -> %s', (_, dates, expected) => {
    expect(isWrongYear(tally(dates as string[]), 2027)).toBe(expected);
  });

  it('names the year the file looks like (the July 1 roll-over case)', () => {
    const t = tally([...repeat('2027-07-01', 9), '2027-06-15']);
    expect(isWrongYear(t, 2027)).toBe(true);
    expect(t.mostCommon()).toBe(2028);
    expect(isWrongYear(t, 2028)).toBe(false);
  });
});

describe('isMassChange', () => {
  it.each([
    [0, 0, 0.2, false],
    [5, 0, 0.2, false],
    [0, 100, 0.2, false],
    [20, 100, 0.2, false],
    [21, 100, 0.2, true],
    [1, 5, 0.2, false],
    [2, 5, 0.2, true],
    [3, 10, 0.3, false],
    [4, 10, 0.3, true],
    [7, 100, 0.07, false],
    [1, 1, 1, false],
    [1, 100, 0, true],
    [0, 100, 0, false],
  ])('%i of %i active with limit %d -> %s', (changed, active, ratio, expected) => {
    expect(isMassChange(changed, active, ratio)).toBe(expected);
  });
});
