// Reconciliation of one valid line against a student's records (SPEC 7.3).

import { describe, expect, it } from 'vitest';
import { recordMaker } from './helpers/records.js';
import { rank, reconcile, statusOf, type Change } from '../src/domain/reconcile.js';
import type { EligibilityRecord, LineRecord } from '../src/domain/types.js';

const rec = recordMaker();

function line(over: Partial<LineRecord> = {}): LineRecord {
  return {
    schoolYear: 2027,
    startDate: '2026-08-01',
    endDate: '2027-06-30',
    eligibility: 'F',
    source: 'nonDirect',
    certifiedType: 'APP_F',
    applicationName: null,
    referenceNumber: null,
    ...over,
  };
}

const FREE_DIRECT = { eligibility: 'F', source: 'direct', certifiedType: 'SNAP' } as const;
const FREE_APP = { eligibility: 'F', source: 'nonDirect', certifiedType: 'APP_F' } as const;
const REDUCED_DIRECT = { eligibility: 'R', source: 'direct', certifiedType: 'MEDICAID_R' } as const;
const REDUCED_APP = { eligibility: 'R', source: 'nonDirect', certifiedType: 'APP_R' } as const;
const PAID_APP = { eligibility: 'S', source: 'nonDirect', certifiedType: 'APP_S' } as const;

const kinds = (changes: Change[]) => changes.map((c) => c.kind);

describe('reconcile', () => {
  it('rule 1: the same record is Existing and writes nothing', () => {
    const r = rec(FREE_APP);
    expect(reconcile(line(FREE_APP), [r])).toEqual({ result: 'existing', changes: [], problems: [] });
  });

  it('rule 1 needs every field equal: another end date is not the same record', () => {
    const r = rec({ ...FREE_APP, endDate: '2027-05-31' });
    const out = reconcile(line(FREE_APP), [r]);
    expect(out.result).toBe('new');
    expect(out.changes).toEqual([
      { kind: 'insert', record: line(FREE_APP) },
      { kind: 'delete', record: r },
    ]);
  });

  it('rule 2: a higher-rank Direct record of the same year is kept, with 3101', () => {
    const r = rec(FREE_DIRECT);
    const out = reconcile(line({ ...REDUCED_APP, startDate: '2026-10-01' }), [r]);
    expect(out).toEqual({
      result: 'existing',
      changes: [],
      problems: [
        {
          code: 3101,
          severity: 'warning',
          text: 'A Free Direct record (08/01/2026 - 06/30/2027) of higher rank was kept; the line was not applied',
        },
      ],
    });
  });

  it.each([
    ['Free Direct over Free Non-Direct', FREE_DIRECT, FREE_APP],
    ['Free Direct over Reduced Direct', FREE_DIRECT, REDUCED_DIRECT],
    ['Free Direct over Paid', FREE_DIRECT, PAID_APP],
    ['Reduced Direct over Reduced Non-Direct', REDUCED_DIRECT, REDUCED_APP],
    ['Reduced Direct over Paid', REDUCED_DIRECT, PAID_APP],
  ])('rule 2 protects %s', (_, kept, incoming) => {
    const out = reconcile(line({ ...incoming, startDate: '2026-11-01' }), [rec(kept)]);
    expect(out.result).toBe('existing');
    expect(out.changes).toEqual([]);
    expect(out.problems.map((p) => p.code)).toEqual([3101]);
  });

  it('rule 2 does not protect a Direct record of lower rank: Free Non-Direct ends Reduced Direct', () => {
    const r = rec(REDUCED_DIRECT);
    const out = reconcile(line({ ...FREE_APP, startDate: '2026-11-01' }), [r]);
    expect(out.result).toBe('new');
    expect(out.changes).toEqual([
      { kind: 'insert', record: line({ ...FREE_APP, startDate: '2026-11-01' }) },
      { kind: 'end', record: r, endDate: '2026-10-31' },
    ]);
    expect(out.problems).toEqual([]);
  });

  it('rule 2 does not protect a Non-Direct record of higher rank', () => {
    const out = reconcile(line({ ...REDUCED_APP, startDate: '2026-11-01' }), [rec(FREE_APP)]);
    expect(kinds(out.changes)).toEqual(['insert', 'end']);
  });

  it('rule 2 does not protect a Direct record that does not overlap', () => {
    const r = rec({ ...FREE_DIRECT, endDate: '2026-09-30' });
    const out = reconcile(line({ ...REDUCED_APP, startDate: '2026-10-01' }), [r]);
    expect(out.result).toBe('new');
    expect(kinds(out.changes)).toEqual(['insert']);
  });

  it('carryover: Free Direct of an earlier school year is not protected, is ended on S-1, and needs no notice (no 3102)', () => {
    const r = rec({ ...FREE_DIRECT, schoolYear: 2026, startDate: '2025-09-01', endDate: '2026-09-30' });
    const l = line({ ...REDUCED_APP, startDate: '2026-08-15' });
    const out = reconcile(l, [r]);
    expect(out.result).toBe('new');
    expect(out.changes).toEqual([
      { kind: 'insert', record: l },
      { kind: 'end', record: r, endDate: '2026-08-14' },
    ]);
    expect(out.problems).toEqual([]);
  });

  it('rule 2 names the highest-ranked protecting record, whatever order the records come in', () => {
    const reduced = rec({ ...REDUCED_DIRECT, startDate: '2026-08-01', endDate: '2026-09-30' });
    const free = rec({ ...FREE_DIRECT, startDate: '2026-10-01', endDate: '2027-06-30' });
    const l = line({ ...PAID_APP, startDate: '2026-09-01' });
    for (const records of [
      [reduced, free],
      [free, reduced],
    ]) {
      expect(reconcile(l, records).problems.map((p) => p.text)).toEqual([
        'A Free Direct record (10/01/2026 - 06/30/2027) of higher rank was kept; the line was not applied',
      ]);
    }
  });

  it('rule 2 names the earliest of equally ranked protecting records', () => {
    const early = rec({ ...FREE_DIRECT, startDate: '2026-08-01', endDate: '2026-09-30' });
    const late = rec({ ...FREE_DIRECT, certifiedType: 'TANF', startDate: '2026-10-01', endDate: '2027-06-30' });
    const l = line({ ...REDUCED_APP, startDate: '2026-09-01' });
    for (const records of [
      [late, early],
      [early, late],
    ]) {
      expect(reconcile(l, records).problems.map((p) => p.text)).toEqual([
        'A Free Direct record (08/01/2026 - 09/30/2026) of higher rank was kept; the line was not applied',
      ]);
    }
  });

  it('rule 3: a Direct line retypes a Non-Direct record of the same start and eligibility, extends it to E, with 3037', () => {
    const r = rec({ ...FREE_APP, endDate: '2027-05-31' });
    const out = reconcile(line(FREE_DIRECT), [r]);
    expect(out).toEqual({
      result: 'existing',
      changes: [{ kind: 'retype', record: r, source: 'direct', certifiedType: 'SNAP', endDate: '2027-06-30' }],
      problems: [
        {
          code: 3037,
          severity: 'warning',
          text: "The record currently exists and was updated with the Direct Type 'SNAP'",
        },
      ],
    });
  });

  it('rule 3: a Direct line retypes a record of another Direct type', () => {
    const r = rec({ ...FREE_DIRECT, certifiedType: 'FOSTER' });
    const out = reconcile(line(FREE_DIRECT), [r]);
    expect(out.changes).toEqual([{ kind: 'retype', record: r, source: 'direct', certifiedType: 'SNAP', endDate: '2027-06-30' }]);
    expect(out.problems.map((p) => p.code)).toEqual([3037]);
  });

  it('rule 3 never shortens a record: a later end stays', () => {
    const r = rec({ ...FREE_APP, endDate: '2027-08-31' });
    const out = reconcile(line(FREE_DIRECT), [r]);
    expect(out.changes).toEqual([{ kind: 'retype', record: r, source: 'direct', certifiedType: 'SNAP', endDate: '2027-08-31' }]);
  });

  it("rule 3 removes what the extended record then overlaps, with 3102 naming that record's period", () => {
    const r = rec({ ...REDUCED_APP, endDate: '2026-12-31' });
    const free = rec({ ...FREE_APP, startDate: '2027-01-01', endDate: '2027-03-31' });
    const paid = rec({ ...PAID_APP, startDate: '2027-04-01', endDate: '2027-06-30' });
    const after = rec({ ...FREE_APP, startDate: '2027-07-01', endDate: '2027-08-31' });
    const out = reconcile(line({ ...REDUCED_DIRECT, endDate: '2027-06-30' }), [r, free, paid, after]);
    expect(out).toEqual({
      result: 'existing',
      changes: [
        { kind: 'retype', record: r, source: 'direct', certifiedType: 'MEDICAID_R', endDate: '2027-06-30' },
        { kind: 'delete', record: free },
        { kind: 'delete', record: paid },
      ],
      problems: [
        {
          code: 3037,
          severity: 'warning',
          text: "The record currently exists and was updated with the Direct Type 'MEDICAID_R'",
        },
        {
          code: 3102,
          severity: 'warning',
          text: 'Eligibility lowered from Free to Reduced (01/01/2027 - 03/31/2027): the household must have been notified',
        },
      ],
    });
  });

  it('rule 3 comes after rule 2: a higher Direct record in the extension keeps the line from applying at all', () => {
    const r = rec({ ...REDUCED_APP, endDate: '2026-12-31' });
    const free = rec({ ...FREE_DIRECT, startDate: '2027-01-01', endDate: '2027-06-30' });
    const out = reconcile(line(REDUCED_DIRECT), [r, free]);
    expect(out.changes).toEqual([]);
    expect(out.problems.map((p) => p.code)).toEqual([3101]);
  });

  it("rule 3 labels a line without a certified type 'Direct'", () => {
    const r = rec(FREE_APP);
    const out = reconcile(line({ ...FREE_DIRECT, certifiedType: null }), [r]);
    expect(out.changes).toEqual([{ kind: 'retype', record: r, source: 'direct', certifiedType: null, endDate: '2027-06-30' }]);
    expect(out.problems.map((p) => p.text)).toEqual([
      "The record currently exists and was updated with the Direct Type 'Direct'",
    ]);
  });

  it('rule 3 needs the same eligibility: a Direct Free line over a Reduced record of the same start removes it', () => {
    const r = rec(REDUCED_APP);
    const out = reconcile(line(FREE_DIRECT), [r]);
    expect(out.result).toBe('new');
    expect(out.changes).toEqual([
      { kind: 'insert', record: line(FREE_DIRECT) },
      { kind: 'delete', record: r },
    ]);
  });

  it('rule 3 applies only to Direct lines: a Non-Direct line of the same start replaces the record', () => {
    const r = rec({ ...FREE_APP, certifiedType: 'VERIFIED' });
    expect(kinds(reconcile(line(FREE_APP), [r]).changes)).toEqual(['insert', 'delete']);
  });

  it('rule 4: a new line after an earlier record inserts and ends the earlier one on S-1', () => {
    const r = rec(REDUCED_APP);
    const l = line({ ...FREE_APP, startDate: '2027-01-15' });
    const out = reconcile(l, [r]);
    expect(out).toEqual({
      result: 'new',
      changes: [
        { kind: 'insert', record: l },
        { kind: 'end', record: r, endDate: '2027-01-14' },
      ],
      problems: [],
    });
  });

  it.each([
    [2028, '2027-08-01', '2028-03-01', '2028-02-29'],
    [2027, '2026-08-01', '2027-03-01', '2027-02-28'],
    [2027, '2026-08-01', '2027-01-01', '2026-12-31'],
    [2027, '2026-07-01', '2026-08-01', '2026-07-31'],
  ])('rule 4 end date (year %i): record from %s, line from %s -> ended %s', (year, from, start, ended) => {
    const r = rec({ ...REDUCED_APP, schoolYear: year, startDate: from, endDate: `${year}-06-30` });
    const out = reconcile(line({ ...FREE_APP, schoolYear: year, startDate: start, endDate: `${year}-06-30` }), [r]);
    expect(out.changes[1]).toEqual({ kind: 'end', record: r, endDate: ended });
  });

  it.each([['2026-09-01'], ['2026-08-15']])('rule 4: an existing record starting on/after S (%s) is removed', (from) => {
    const r = rec({ ...FREE_APP, startDate: from, certifiedType: 'VERIFIED' });
    const l = line({ ...FREE_APP, startDate: '2026-08-15' });
    const out = reconcile(l, [r]);
    expect(out.changes).toEqual([
      { kind: 'insert', record: l },
      { kind: 'delete', record: r },
    ]);
    expect(out.problems).toEqual([]);
  });

  it('rule 4 leaves records that do not overlap untouched', () => {
    const before = rec({ ...REDUCED_APP, startDate: '2026-07-01', endDate: '2026-08-31' });
    const after = rec({ ...PAID_APP, startDate: '2027-02-01', endDate: '2027-06-30' });
    const l = line({ ...FREE_APP, startDate: '2026-09-01', endDate: '2027-01-31' });
    expect(reconcile(l, [before, after]).changes).toEqual([{ kind: 'insert', record: l }]);
  });

  it('rule 4 ends one record and removes another in the same line', () => {
    const a = rec({ ...REDUCED_APP, startDate: '2026-07-01', endDate: '2026-09-30' });
    const b = rec({ ...REDUCED_APP, startDate: '2026-10-01', endDate: '2027-06-30' });
    const out = reconcile(line({ ...FREE_APP, startDate: '2026-09-15' }), [a, b]);
    expect(out.changes.slice(1)).toEqual([
      { kind: 'end', record: a, endDate: '2026-09-14' },
      { kind: 'delete', record: b },
    ]);
  });

  it('verification downgrade: Free Non-Direct ended by a later Reduced line, with 3102', () => {
    const r = rec(FREE_APP);
    const l = line({ ...REDUCED_APP, startDate: '2026-12-01' });
    const out = reconcile(l, [r]);
    expect(out.result).toBe('new');
    expect(out.changes).toEqual([
      { kind: 'insert', record: l },
      { kind: 'end', record: r, endDate: '2026-11-30' },
    ]);
    expect(out.problems).toEqual([
      {
        code: 3102,
        severity: 'warning',
        text: 'Eligibility lowered from Free to Reduced (08/01/2026 - 06/30/2027): the household must have been notified',
      },
    ]);
  });

  it.each([
    ['F -> R', FREE_APP, REDUCED_APP, ['Free to Reduced']],
    ['F -> S', FREE_APP, PAID_APP, ['Free to Paid']],
    ['R -> S', REDUCED_APP, PAID_APP, ['Reduced to Paid']],
    ['R -> F', REDUCED_APP, FREE_APP, []],
    ['S -> R', PAID_APP, REDUCED_APP, []],
    ['F -> F', FREE_APP, { ...FREE_APP, certifiedType: 'VERIFIED' }, []],
  ])('lowered-eligibility warning %s', (_, old, incoming, expected) => {
    const out = reconcile(line({ ...incoming, startDate: '2026-12-01' }), [rec(old)]);
    expect(kinds(out.changes)).toEqual(['insert', 'end']);
    expect(out.problems.map((p) => p.text.match(/from (\w+ to \w+)/)![1])).toEqual(expected);
    expect(out.problems.every((p) => p.code === 3102)).toBe(true);
  });

  it('warns for a lowered eligibility on a removed record too, naming its period', () => {
    const out = reconcile(line({ ...PAID_APP, startDate: '2026-08-01' }), [
      rec({ ...FREE_APP, startDate: '2026-09-01', endDate: '2027-02-28' }),
    ]);
    expect(kinds(out.changes)).toEqual(['insert', 'delete']);
    expect(out.problems.map((p) => p.text)).toEqual([
      'Eligibility lowered from Free to Paid (09/01/2026 - 02/28/2027): the household must have been notified',
    ]);
  });

  it('gives one 3102 per lowered record of its own year, none for a carryover record', () => {
    const carry = rec({ ...FREE_APP, schoolYear: 2026, startDate: '2026-03-01', endDate: '2026-08-31' });
    const a = rec({ ...FREE_APP, startDate: '2026-09-01', endDate: '2026-10-31' });
    const b = rec({ ...REDUCED_APP, startDate: '2026-11-01', endDate: '2027-06-30' });
    const out = reconcile(line({ ...PAID_APP, startDate: '2026-08-15' }), [carry, a, b]);
    expect(kinds(out.changes)).toEqual(['insert', 'end', 'delete', 'delete']);
    expect(out.problems.map((p) => p.text.match(/from (.*): the household/)![1])).toEqual([
      'Free to Paid (09/01/2026 - 10/31/2026)',
      'Reduced to Paid (11/01/2026 - 06/30/2027)',
    ]);
  });
});

describe('rank', () => {
  it('orders Free Direct > Free Non-Direct > Reduced Direct > Reduced Non-Direct > Paid', () => {
    const order = [
      rank('F', 'direct'),
      rank('F', 'nonDirect'),
      rank('R', 'direct'),
      rank('R', 'nonDirect'),
      rank('S', 'nonDirect'),
    ];
    for (let i = 1; i < order.length; i++) expect(order[i - 1]).toBeGreaterThan(order[i]);
  });

  it('gives Paid one rank whatever the source', () => {
    expect(rank('S', 'direct')).toBe(rank('S', 'nonDirect'));
  });
});

describe('statusOf', () => {
  const r = rec();
  it.each([
    ['insert', 'New', { kind: 'insert', record: line() } as Change],
    ['end', 'Ended', { kind: 'end', record: r, endDate: '2026-12-31' } as Change],
    ['delete', 'Removed', { kind: 'delete', record: r } as Change],
    [
      'retype',
      'Updated',
      { kind: 'retype', record: r, source: 'direct', certifiedType: 'SNAP', endDate: '2027-06-30' } as Change,
    ],
  ])('%s -> %s', (_, status, change) => {
    expect(statusOf(change)).toBe(status);
  });
});
