// Rule 0 of reconciliation (SPEC 7.3): a line never changes a record of a later school year. It is
// cut to the day before the earliest such record it overlaps, then reconciled with that period.

import { describe, expect, it } from 'vitest';
import { recordMaker } from './helpers/records.js';
import { reconcile } from '../src/domain/reconcile.js';
import type { EligibilityRecord, LineRecord } from '../src/domain/types.js';

const rec = recordMaker();

/** A late line of school year 2026-27 whose end runs into the next year. */
function line(over: Partial<LineRecord> = {}): LineRecord {
  return {
    schoolYear: 2027,
    startDate: '2027-03-01',
    endDate: '2027-09-30',
    eligibility: 'R',
    source: 'nonDirect',
    certifiedType: 'APP_R',
    applicationName: null,
    referenceNumber: null,
    ...over,
  };
}

/** This year's direct certification: school year 2027-28. */
const NEXT = {
  schoolYear: 2028,
  startDate: '2027-08-15',
  endDate: '2028-06-30',
  eligibility: 'F',
  source: 'direct',
  certifiedType: 'SNAP',
} as const;

const CUT = 'End Date cut from 09/30/2027 to 08/14/2027: a 27-28 record starts on 08/15/2027';

describe('rule 0: a later school year is never changed', () => {
  it("cuts the line to the day before the later year's record and inserts the shorter period, with 3104", () => {
    const next = rec(NEXT);
    const out = reconcile(line(), [next]);
    expect(out).toEqual({
      result: 'new',
      changes: [{ kind: 'insert', record: line({ endDate: '2027-08-14' }) }],
      problems: [{ code: 3104, severity: 'warning', text: CUT }],
    });
  });

  it('cuts before the earliest of several later records, whatever their order', () => {
    const first = rec(NEXT);
    const second = rec({ ...NEXT, startDate: '2027-09-01', eligibility: 'R', certifiedType: 'MEDICAID_R' });
    for (const records of [
      [second, first],
      [first, second],
    ]) {
      const out = reconcile(line(), records);
      expect(out.changes).toEqual([{ kind: 'insert', record: line({ endDate: '2027-08-14' }) }]);
      expect(out.problems.map((p) => p.text)).toEqual([CUT]);
    }
  });

  it('leaves a line alone when the later record does not overlap it', () => {
    const next = rec({ ...NEXT, startDate: '2027-10-01' });
    const out = reconcile(line(), [next]);
    expect(out).toEqual({ result: 'new', changes: [{ kind: 'insert', record: line() }], problems: [] });
  });

  it('a re-send of the same line, already held in its cut form, is Existing and silent', () => {
    const held = rec({ ...line({ endDate: '2027-08-14' }), id: 900 });
    const out = reconcile(line(), [held, rec(NEXT)]);
    expect(out).toEqual({ result: 'existing', changes: [], problems: [] });
  });

  it('ends a record of its own year as rule 4 says, and still never the later one', () => {
    const own = rec({ startDate: '2026-08-20', endDate: '2027-06-30' }); // Free by application
    const next = rec(NEXT);
    const out = reconcile(line(), [own, next]);
    expect(out.changes).toEqual([
      { kind: 'insert', record: line({ endDate: '2027-08-14' }) },
      { kind: 'end', record: own, endDate: '2027-02-28' },
    ]);
    expect(out.problems.map((p) => p.code)).toEqual([3104, 3102]);
  });

  it('gives no 3104 when the shorter line writes nothing (rule 2 keeps a Direct record of its own year)', () => {
    const own = rec({ source: 'direct', certifiedType: 'SNAP', startDate: '2026-08-20', endDate: '2027-06-30' });
    const out = reconcile(line(), [own, rec(NEXT)]);
    expect(out.changes).toEqual([]);
    expect(out.problems.map((p) => p.code)).toEqual([3101]);
  });

  it('rule 3 on the shorter line: the retyped record is extended only to the cut end', () => {
    const own = rec({ startDate: '2027-03-01', endDate: '2027-06-30', eligibility: 'R', certifiedType: 'APP_R' });
    const out = reconcile(line({ source: 'direct', certifiedType: 'MEDICAID_R' }), [own, rec(NEXT)]);
    expect(out.changes).toEqual([
      { kind: 'retype', record: own, source: 'direct', certifiedType: 'MEDICAID_R', endDate: '2027-08-14' },
    ]);
    expect(out.problems.map((p) => p.code)).toEqual([3104, 3037]);
  });

  it("a late correction of last year does not erase this year's direct certification", () => {
    const lastYear = rec({
      schoolYear: 2026,
      startDate: '2025-09-01',
      endDate: '2026-06-30',
      eligibility: 'R',
      certifiedType: 'APP_R',
    });
    const thisYear = rec({ startDate: '2026-08-20', endDate: '2027-06-30', source: 'direct', certifiedType: 'SNAP' });
    const correction: LineRecord = {
      schoolYear: 2026,
      startDate: '2026-01-15',
      endDate: '2026-09-30',
      eligibility: 'F',
      source: 'nonDirect',
      certifiedType: 'APP_F',
      applicationName: null,
      referenceNumber: null,
    };
    const out = reconcile(correction, [lastYear, thisYear]);
    expect(out.changes).toEqual([
      { kind: 'insert', record: { ...correction, endDate: '2026-08-19' } },
      { kind: 'end', record: lastYear, endDate: '2026-01-14' },
    ]);
    expect(out.problems.map((p) => p.text)).toEqual([
      'End Date cut from 09/30/2026 to 08/19/2026: a 26-27 record starts on 08/20/2026',
    ]);
  });

  it('a record of an earlier year is not a later one: it is ended as carryover, without a cut', () => {
    const carry = rec({ schoolYear: 2026, startDate: '2026-03-01', endDate: '2026-09-30' });
    const l = line({ startDate: '2026-08-15', endDate: '2027-06-30' });
    expect(reconcile(l, [carry]).changes).toEqual([
      { kind: 'insert', record: l },
      { kind: 'end', record: carry, endDate: '2026-08-14' },
    ]);
  });

  it.each([
    ['starts on the same day', '2027-03-01'],
    ['starts before it', '2027-02-01'],
  ])('when the later record %s as the line, nothing is left to write: Existing, with 3104, nothing changed', (_, start) => {
    const next = rec({ ...NEXT, startDate: start });
    const out = reconcile(line(), [next]);
    expect(out.result).toBe('existing');
    expect(out.changes).toEqual([]);
    expect(out.problems.map((p) => p.code)).toEqual([3104]);
  });
});
