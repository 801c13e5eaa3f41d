// The eligibility store on a real SQLite file: buffered inserts reach the table and the change
// log in order, whole batches and remainders alike, and a discard drops them.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/store/db.js';
import { createEligibilityStore } from '../src/store/eligibility.js';
import { upsertStudents } from '../src/store/students.js';
import type { LineRecord } from '../src/domain/types.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fram-store-'));
  db = openDb(join(dir, 'fram-import.db'));
  upsertStudents(db, Array.from({ length: 200 }, (_, i) => ({
    stateId: String(i + 1).padStart(10, '0'), studentNumber: `S${i + 1}`, lastName: 'L', firstName: 'F',
    birthDate: null, school: 'North', grade: '1',
  })), false);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const line = (n: number): LineRecord => ({
  schoolYear: 2027, startDate: '2026-08-20', endDate: '2027-06-30', eligibility: 'F', source: 'direct',
  certifiedType: 'SNAP', applicationName: null, referenceNumber: `R-${n}`,
});

describe('buffered inserts', () => {
  it('write 150 records (two whole batches and a remainder) with one New row each, in order', () => {
    const store = createEligibilityStore(db);
    db.exec('BEGIN');
    for (let i = 1; i <= 150; i++) store.apply({ kind: 'insert', record: line(i) }, 200 - i, 7);
    store.flush();
    db.exec('COMMIT');
    const records = db.prepare('SELECT id, student_id, reference_number, created_run FROM eligibility ORDER BY id').raw().all() as [number, number, string, number][];
    expect(records).toHaveLength(150);
    expect(records[0]).toEqual([1, 199, 'R-1', 7]);
    expect(records[149]).toEqual([150, 50, 'R-150', 7]);
    const log = db.prepare("SELECT record_id, student_id, run_id, status FROM change_log ORDER BY id").raw().all();
    expect(log).toEqual(records.map(([id, student]) => [id, student, 7, 'New']));
  });

  it('are written before a read, so a later line sees them', () => {
    const store = createEligibilityStore(db);
    db.exec('BEGIN');
    store.apply({ kind: 'insert', record: line(1) }, 5, 7);
    expect(store.forStudent(5).map((r) => r.referenceNumber)).toEqual(['R-1']);
    db.exec('COMMIT');
  });

  it('are logged before any other change, so the log keeps the order the changes were made in', () => {
    const store = createEligibilityStore(db);
    db.exec('BEGIN');
    for (let i = 1; i <= 3; i++) store.apply({ kind: 'insert', record: line(i) }, 10 + i, 7);
    const [second] = store.forStudent(12);
    store.apply({ kind: 'end', record: second, endDate: '2026-12-31' }, 12, 7);
    store.apply({ kind: 'insert', record: line(4) }, 14, 7);
    store.flush();
    db.exec('COMMIT');
    const log = db.prepare('SELECT status, record_id, end_date FROM change_history ORDER BY id').raw().all();
    expect(log).toEqual([['New', 1, '2027-06-30'], ['New', 2, '2027-06-30'], ['New', 3, '2027-06-30'],
      ['Ended', 2, '2026-12-31'], ['New', 4, '2027-06-30']]);
  });

  it("keep each record's school year and run when they change between inserts", () => {
    const store = createEligibilityStore(db);
    db.exec('BEGIN');
    for (let i = 1; i <= 70; i++) store.apply({ kind: 'insert', record: line(i) }, i, 7);
    for (let i = 71; i <= 80; i++) store.apply({ kind: 'insert', record: { ...line(i), schoolYear: 2028 } }, i, 8);
    store.flush();
    db.exec('COMMIT');
    const groups = db.prepare(`SELECT school_year, created_run, count(*), min(id), max(id) FROM eligibility
      GROUP BY 1, 2 ORDER BY 1`).raw().all();
    expect(groups).toEqual([[2027, 7, 70, 1, 70], [2028, 8, 10, 71, 80]]);
    const log = db.prepare('SELECT run_id, count(*) FROM change_log WHERE status = \'New\' GROUP BY 1 ORDER BY 1').raw().all();
    expect(log).toEqual([[7, 70], [8, 10]]);
  });

  it('are dropped by discard', () => {
    const store = createEligibilityStore(db);
    db.exec('BEGIN');
    for (let i = 1; i <= 10; i++) store.apply({ kind: 'insert', record: line(i) }, i, 7);
    store.discard();
    store.flush();
    db.exec('COMMIT');
    expect(db.prepare('SELECT count(*) FROM eligibility').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM change_log').pluck().get()).toBe(0);
  });
});

describe('a rule 3 retype', () => {
  it('writes the new source, type and end date, logs before and after, and revert restores the record exactly', async () => {
    const { revertRun } = await import('../src/store/revert.js');
    const store = createEligibilityStore(db);
    const addRun = db.prepare(`INSERT INTO runs (import, mapping, school_year, mode, status, trigger_kind, started_at)
      VALUES ('cases', 'Cases 26-27', 2027, 'run', 'Successful', 'manual', '2026-11-22T01:00:00Z')`);
    const seedRun = Number(addRun.run().lastInsertRowid);
    db.exec('BEGIN');
    store.apply({ kind: 'insert', record: { ...line(1), source: 'nonDirect', certifiedType: 'APP_F', endDate: '2027-01-31' } }, 9, seedRun);
    store.apply({ kind: 'insert', record: { ...line(2), source: 'nonDirect', certifiedType: 'APP_S', eligibility: 'S', startDate: '2027-02-01' } }, 9, seedRun);
    store.flush();
    db.exec('COMMIT');
    const dump = () => db.prepare('SELECT * FROM eligibility ORDER BY id').all();
    const before = dump();

    const run = Number(addRun.run().lastInsertRowid);
    const [first, second] = store.forStudent(9);
    db.exec('BEGIN');
    const after = store.apply({ kind: 'retype', record: first, source: 'direct', certifiedType: 'SNAP', endDate: '2027-06-30' }, 9, run);
    store.apply({ kind: 'delete', record: second }, 9, run);
    db.exec('COMMIT');
    expect(after).toEqual({ ...first, source: 'direct', certifiedType: 'SNAP', endDate: '2027-06-30' });
    expect(store.forStudent(9)).toEqual([after]);
    const log = db.prepare(`SELECT status, source, certified_type, end_date, before FROM change_history WHERE run_id = ? ORDER BY id`)
      .raw().all(run) as [string, string, string, string, string][];
    expect(log.map((r) => r.slice(0, 4))).toEqual([['Updated', 'direct', 'SNAP', '2027-06-30'], ['Removed', 'nonDirect', 'APP_S', '2027-06-30']]);
    expect(JSON.parse(log[0][4])).toEqual(first);

    expect(revertRun(db, run, '2026-11-23T00:00:00Z')).toEqual({ deleted: 0, restored: 1, reinserted: 1 });
    expect(dump()).toEqual(before);
  });
});
