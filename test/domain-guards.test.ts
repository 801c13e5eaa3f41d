// File-level guards (SPEC 7.4): wrong school year, and mass change counted in distinct active records.

import { describe, expect, it } from 'vitest';
import { recordMaker } from './helpers/records.js';
import { ChangeTally, isMassChange, isWrongYear, MIN_ACTIVE_RECORDS, YearTally } from '../src/domain/guards.js';
import type { Change } from '../src/domain/reconcile.js';
import type { EligibilityRecord } from '../src/domain/types.js';

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
    [3, 10, 0.2, false], // 30%, but fewer than 20 active records: never held
    [19, 19, 0.2, false],
    [5, 20, 0.2, true], // 20 active records is enough
    [4, 20, 0.2, false],
    [7, 25, 0.27, true],
    [6, 25, 0.24, false],
    [7, 100, 0.07, false],
    [100, 100, 1, false], // every active record changed: a ratio of 1 never holds
    [1, 100, 0, true],
    [0, 100, 0, false],
  ])('%i of %i active with limit %d -> %s', (changed, active, ratio, expected) => {
    expect(isMassChange(changed, active, ratio)).toBe(expected);
  });

  it('never holds a year with fewer than MIN_ACTIVE_RECORDS (20) active records', () => {
    expect(MIN_ACTIVE_RECORDS).toBe(20);
    expect(isMassChange(19, 19, 0)).toBe(false);
    expect(isMassChange(1, 20, 0)).toBe(true);
  });
});

describe('ChangeTally', () => {
  const TODAY = '2026-11-21';
  const rec = recordMaker({ studentId: 1, startDate: '2026-08-20' });
  const end = (record: EligibilityRecord, endDate = '2026-12-31'): Change => ({ kind: 'end', record, endDate });
  const remove = (record: EligibilityRecord): Change => ({ kind: 'delete', record });
  const retype = (record: EligibilityRecord, endDate = record.endDate): Change => ({
    kind: 'retype',
    record,
    source: 'direct',
    certifiedType: 'SNAP',
    endDate,
  });
  const insert: Change = { kind: 'insert', record: rec() };

  /** The count after the changes, with records up to id `lastIdBefore` held before the file. */
  const count = (changes: Change[], lastIdBefore: number) => {
    const t = new ChangeTally(2027, TODAY, lastIdBefore);
    for (const c of changes) t.add(c);
    return t.changed;
  };

  it('counts a record that the file ends and later removes once', () => {
    const r = rec();
    expect(count([end(r), remove({ ...r, endDate: '2026-12-31' })], r.id)).toBe(1);
  });

  it('counts a record ended after its end date was moved back past today once, and still as active', () => {
    const r = rec();
    expect(
      count(
        [end(r, '2026-09-30'), end({ ...r, endDate: '2026-09-30' }, '2026-09-15'), remove({ ...r, endDate: '2026-09-15' })],
        r.id,
      ),
    ).toBe(1);
  });

  it('counts distinct records: three records changed by five changes are 3', () => {
    const [a, b, c] = [rec(), rec(), rec()];
    expect(
      count([end(a), remove(b), remove({ ...a, endDate: '2026-12-31' }), end(c), remove({ ...c, endDate: '2026-12-31' })], c.id),
    ).toBe(3);
  });

  it.each([
    [
      'a record the file inserted (id above the last one held before)',
      (r: EligibilityRecord) => remove({ ...r, id: r.id + 1000 }),
    ],
    ['a carryover record of an earlier year', (r: EligibilityRecord) => end({ ...r, schoolYear: 2026, startDate: '2026-03-01' })],
    ['a record of a later year', (r: EligibilityRecord) => remove({ ...r, schoolYear: 2028 })],
    ['a record that ended before today (not active)', (r: EligibilityRecord) => remove({ ...r, endDate: '2026-11-20' })],
    ['an insert', () => insert],
    ['a retype (rule 3 neither ends nor removes)', (r: EligibilityRecord) => retype(r, '2027-08-31')],
  ])('does not count %s', (_, change) => {
    const r = rec();
    expect(count([change(r)], r.id)).toBe(0);
  });

  it('counts a record ending today as active', () => {
    const r = rec({ endDate: TODAY });
    expect(count([remove(r)], r.id)).toBe(1);
  });

  it('judges a record by what it was before the file: one that a retype extended past today was not active', () => {
    const r = rec({ endDate: '2026-10-31' });
    expect(count([retype(r, '2027-06-30'), remove({ ...r, endDate: '2027-06-30', source: 'direct' })], r.id)).toBe(0);
  });

  it('never exceeds the active records held before the file', () => {
    const held = Array.from({ length: 25 }, () => rec());
    const changes: Change[] = [];
    for (const r of held) changes.push(end(r), remove({ ...r, endDate: '2026-12-31' }), insert);
    const changed = count(changes, held[held.length - 1].id);
    expect(changed).toBe(25);
    expect(isMassChange(changed, 25, 1)).toBe(false);
    expect(isMassChange(changed, 25, 0.99)).toBe(true);
  });
});
