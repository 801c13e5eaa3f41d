// Loading in pages from a real SQLite file: the student keys used for matching, and the records each
// student holds for reconciliation's rule 1. Both must agree exactly with the tables they come from.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/store/db.js';
import { loadHeldRecords } from '../src/store/held-records.js';
import { holdsSame, lineKey, recordKey } from '../src/domain/record-key.js';
import { reconcile } from '../src/domain/reconcile.js';
import { createEligibilityStore } from '../src/store/eligibility.js';
import { studentKeys } from '../src/store/students.js';
import { eachEntry } from '../src/store/pages.js';
import type { EligibilityRecord, LineRecord } from '../src/domain/types.js';
import { pick, random } from './helpers/random.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fram-held-'));
  db = openDb(join(dir, 'fram-import.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Students with ids far apart, so that loading takes several pages of 100,000 ids. */
function addStudents(rows: [id: number, stateId: string][]): void {
  const insert = db.prepare('INSERT INTO students (id, student_number, state_id) VALUES (?, ?, ?)');
  for (const [id, stateId] of rows) insert.run(id, `N${id}`, stateId);
}

describe('eachEntry', () => {
  const entries = (page: string | null, rows: number) => {
    const out: string[] = [];
    return eachEntry(page, rows, (start, end) => out.push(page!.slice(start, end))) ? out : null;
  };
  it('hands out each entry of a page, empty ones included', () => {
    expect(entries('a,1;b,2;c,3', 3)).toEqual(['a,1', 'b,2', 'c,3']);
    expect(entries(';x;', 3)).toEqual(['', 'x', '']);
    expect(entries(null, 0)).toEqual([]);
  });
  it('refuses a page whose values hold the separator, before handing out anything', () => {
    expect(entries('a;b,1;c,2', 2)).toBeNull();
    expect(entries(null, 1)).toBeNull();
  });
});

describe('studentKeys', () => {
  it('matches every key exactly across pages, and marks a key two students share', () => {
    addStudents([
      [1, '0012'],
      [2, '12'],
      [150_001, 'A;B'],
      [150_002, 'X,Y'],
      [250_000, '555'],
      [250_001, '555'],
      [250_002, 'Q;1'],
      [350_000, 'Q;1'],
      [350_001, 'ÉLÈVE-😀'],
      [3, '123456789012345'],
    ]);
    const keys = studentKeys(db, 'stateId');
    expect(['0012', '12', 'A;B', 'X,Y', 'ÉLÈVE-😀', '123456789012345'].map((k) => keys.get(k))).toEqual([
      1, 2, 150_001, 150_002, 350_001, 3,
    ]);
    expect(keys.get('555')).toBeLessThan(0);
    expect(keys.get('Q;1')).toBeLessThan(0);
    expect([keys.get('012'), keys.get('A'), keys.get('B'), keys.get('X'), keys.get('')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('matches by student number when the mapping says so', () => {
    addStudents([
      [7, '0000000007'],
      [200_000, '0000200000'],
    ]);
    const keys = studentKeys(db, 'studentNumber');
    expect([keys.get('N7'), keys.get('N200000'), keys.get('0000000007')]).toEqual([7, 200_000, undefined]);
  });
});

describe('loadHeldRecords', () => {
  const DATES = ['2026-08-03', '2026-08-20', '2027-06-30', '2027-05-31'];
  const ODD_DATES = ['2026-08-03,2027-06-30', '2026-8-3', '2026;08-03'];
  const TYPES = [null, 'SNAP', 'APPF', 'A;B', 'X,Y', '=SNAP', ''];
  const line = (next: () => number): LineRecord => ({
    schoolYear: 2027,
    startDate: pick(next, DATES),
    endDate: pick(next, DATES),
    eligibility: pick(next, ['F', 'R', 'S'] as const),
    source: pick(next, ['direct', 'nonDirect'] as const),
    certifiedType: pick(next, TYPES),
    applicationName: null,
    referenceNumber: null,
  });

  it('says a student holds a record exactly when SQLite finds the same record, across pages and odd text', () => {
    const next = random(11);
    const students = Array.from({ length: 120 }, (_, i) => 1 + i * 2_003);
    addStudents(students.map((id) => [id, `S${id}`]));
    const insert = db.prepare(`INSERT INTO eligibility (id, student_id, school_year, start_date, end_date, eligibility, source,
      certified_type) VALUES (?, ?, 2027, ?, ?, ?, ?, ?)`);
    let id = 0;
    for (const student of students.slice(0, 100)) {
      for (let k = Math.floor(next() * 4); k > 0; k--) {
        const l = line(next);
        const odd = next() < 0.1;
        id += 1 + Math.floor(next() * 3_000); // ids spread over several pages
        insert.run(
          id,
          student,
          odd ? pick(next, ODD_DATES) : l.startDate,
          odd ? pick(next, ODD_DATES) : l.endDate,
          l.eligibility,
          l.source,
          l.certifiedType,
        );
      }
    }
    const same = db
      .prepare(
        `SELECT 1 FROM eligibility WHERE student_id = ? AND start_date = ? AND end_date = ?
      AND eligibility = ? AND source = ? AND certified_type IS ?`,
      )
      .pluck();
    const has = db.prepare('SELECT 1 FROM eligibility WHERE student_id = ? LIMIT 1').pluck();

    const held = loadHeldRecords(db);
    let hits = 0;
    for (const student of students) {
      expect(held.has(student)).toBe(has.get(student) !== undefined);
      for (const r of db
        .prepare(
          `SELECT start_date AS startDate, end_date AS endDate, eligibility, source,
        certified_type AS certifiedType FROM eligibility WHERE student_id = ?`,
        )
        .all(student) as LineRecord[]) {
        if (lineKey(r) !== null) expect(held.holds(student, r)).toBe(true);
      }
      for (let k = 0; k < 40; k++) {
        const l = line(next);
        // A line whose dates or type hold a comma is never matched (no file line has one): see lineKey.
        const truth =
          lineKey(l) !== null &&
          same.get(student, l.startDate, l.endDate, l.eligibility, l.source, l.certifiedType) !== undefined;
        expect(held.holds(student, l)).toBe(truth);
        if (truth) hits++;
      }
    }
    expect(hits).toBeGreaterThan(0);
  });

  it('agrees with reconcile on rule 1 for every line: seeded records of three school years, overlapping, odd types too', () => {
    const next = random(2027);
    const YEARS: [number, string[]][] = [
      [2026, ['2025-08-20', '2026-03-01', '2026-06-30', '2026-09-30']],
      [2027, ['2026-08-20', '2026-10-01', '2027-01-04', '2027-06-30']],
      [2028, ['2027-08-15', '2027-10-01', '2028-06-30']],
    ];
    const ODD_TYPES = [...TYPES, 'A,B', ',', '=', 'SNAP,'];
    const randomRecord = (): Omit<LineRecord, 'applicationName' | 'referenceNumber'> => {
      const [schoolYear, dates] = pick(next, YEARS);
      const [a, b] = [pick(next, dates), pick(next, [...dates, ...pick(next, YEARS)[1]])];
      return {
        schoolYear,
        startDate: a < b ? a : b,
        endDate: a < b ? b : a,
        eligibility: pick(next, ['F', 'R', 'S'] as const),
        source: pick(next, ['direct', 'nonDirect'] as const),
        certifiedType: pick(next, ODD_TYPES),
      };
    };
    const students = Array.from({ length: 60 }, (_, i) => 1 + i * 3_001);
    addStudents(students.map((id) => [id, `S${id}`]));
    const insert = db.prepare(`INSERT INTO eligibility (student_id, school_year, start_date, end_date, eligibility, source,
      certified_type) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    for (const student of students.slice(0, 50)) {
      for (let k = Math.floor(next() * 5); k > 0; k--) {
        const r = randomRecord();
        insert.run(student, r.schoolYear, r.startDate, r.endDate, r.eligibility, r.source, r.certifiedType);
      }
    }
    const store = createEligibilityStore(db);
    const held = loadHeldRecords(db);
    const counts = { held: 0, notHeld: 0, cut: 0 };
    for (const student of students) {
      const existing: EligibilityRecord[] = store.forStudent(student);
      for (let k = 0; k < 60; k++) {
        // Half the lines copy a held record (perhaps with one field changed), so that rule 1 often fits.
        const base = existing.length > 0 && next() < 0.5 ? { ...pick(next, existing) } : randomRecord();
        const l: LineRecord = { ...base, applicationName: null, referenceNumber: null };
        if (next() < 0.3) l.certifiedType = pick(next, ODD_TYPES);
        if (next() < 0.2) l.schoolYear = pick(next, YEARS)[0];
        const inMemory = held.holds(student, l);
        expect(inMemory).toBe(holdsSame(existing, l));
        const outcome = reconcile(l, existing);
        const silent = outcome.result === 'existing' && outcome.changes.length === 0 && outcome.problems.length === 0;
        const laterOverlaps = existing.some(
          (r) => r.schoolYear > l.schoolYear && r.startDate <= l.endDate && r.endDate >= l.startDate,
        );
        if (inMemory) expect(outcome).toEqual({ result: 'existing', changes: [], problems: [] });
        else if (!laterOverlaps) expect(silent).toBe(false); // only rule 0's shorter period can make another silent line
        if (inMemory) counts.held++;
        else if (laterOverlaps) counts.cut++;
        else counts.notHeld++;
      }
    }
    expect(counts.held).toBeGreaterThan(100);
    expect(counts.notHeld).toBeGreaterThan(100);
    expect(counts.cut).toBeGreaterThan(20);
  });

  it('keys differ in every field rule 1 compares, a missing certified type included', () => {
    type Compared = Parameters<typeof recordKey>[0];
    const base: Compared = {
      startDate: '2026-08-03',
      endDate: '2027-06-30',
      eligibility: 'F',
      source: 'direct',
      certifiedType: null,
    };
    const variants: Compared[] = [
      base,
      { ...base, startDate: '2026-08-04' },
      { ...base, endDate: '2027-06-29' },
      { ...base, eligibility: 'R' },
      { ...base, source: 'nonDirect' },
      { ...base, certifiedType: '' },
      { ...base, certifiedType: 'SNAP' },
    ];
    const keys = variants.map((r) => recordKey(r));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('asks the store again about a student the file has changed', () => {
    addStudents([
      [5, 'S5'],
      [6, 'S6'],
    ]);
    db.prepare(
      `INSERT INTO eligibility (student_id, school_year, start_date, end_date, eligibility, source, certified_type)
      VALUES (5, 2027, '2026-08-03', '2027-06-30', 'F', 'direct', 'SNAP')`,
    ).run();
    const held = loadHeldRecords(db);
    const l = {
      startDate: '2026-08-03',
      endDate: '2027-06-30',
      eligibility: 'F',
      source: 'direct',
      certifiedType: 'SNAP',
    } as const;
    expect([held.has(5), held.holds(5, l), held.has(6), held.holds(6, l)]).toEqual([true, true, false, false]);
    held.changed(5);
    held.changed(6);
    expect([held.has(5), held.holds(5, l), held.has(6), held.holds(6, l)]).toEqual([true, false, true, false]);
    expect(() => held.changed(7)).toThrow(/beyond the students loaded/);
  });
});
