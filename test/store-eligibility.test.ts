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
  upsertStudents(
    db,
    Array.from({ length: 200 }, (_, i) => ({
      stateId: String(i + 1).padStart(10, '0'),
      studentNumber: `S${i + 1}`,
      lastName: 'L',
      firstName: 'F',
      birthDate: null,
      school: 'North',
      grade: '1',
    })),
    false,
  );
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const line = (n: number): LineRecord => ({
  schoolYear: 2027,
  startDate: '2026-08-20',
  endDate: '2027-06-30',
  eligibility: 'F',
  source: 'direct',
  certifiedType: 'SNAP',
  applicationName: null,
  referenceNumber: `R-${n}`,
});

describe('buffered inserts', () => {
  it('write 150 records (two whole batches and a remainder) with one New row each, in order', () => {
    const store = createEligibilityStore(db);
    db.exec('BEGIN');
    for (let i = 1; i <= 150; i++) store.apply({ kind: 'insert', record: line(i) }, 200 - i, 7);
    store.flush();
    db.exec('COMMIT');
    const records = db
      .prepare('SELECT id, student_id, reference_number, created_run FROM eligibility ORDER BY id')
      .raw()
      .all() as [number, number, string, number][];
    expect(records).toHaveLength(150);
    expect(records[0]).toEqual([1, 199, 'R-1', 7]);
    expect(records[149]).toEqual([150, 50, 'R-150', 7]);
    const log = db.prepare('SELECT record_id, student_id, run_id, status FROM change_log ORDER BY id').raw().all();
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
    expect(log).toEqual([
      ['New', 1, '2027-06-30'],
      ['New', 2, '2027-06-30'],
      ['New', 3, '2027-06-30'],
      ['Ended', 2, '2026-12-31'],
      ['New', 4, '2027-06-30'],
    ]);
  });

  it("keep each record's school year and run when they change between inserts", () => {
    const store = createEligibilityStore(db);
    db.exec('BEGIN');
    for (let i = 1; i <= 70; i++) store.apply({ kind: 'insert', record: line(i) }, i, 7);
    for (let i = 71; i <= 80; i++) store.apply({ kind: 'insert', record: { ...line(i), schoolYear: 2028 } }, i, 8);
    store.flush();
    db.exec('COMMIT');
    const groups = db
      .prepare(
        `SELECT school_year, created_run, count(*), min(id), max(id) FROM eligibility
      GROUP BY 1, 2 ORDER BY 1`,
      )
      .raw()
      .all();
    expect(groups).toEqual([
      [2027, 7, 70, 1, 70],
      [2028, 8, 10, 71, 80],
    ]);
    const log = db.prepare("SELECT run_id, count(*) FROM change_log WHERE status = 'New' GROUP BY 1 ORDER BY 1").raw().all();
    expect(log).toEqual([
      [7, 70],
      [8, 10],
    ]);
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
    store.apply(
      { kind: 'insert', record: { ...line(1), source: 'nonDirect', certifiedType: 'APP_F', endDate: '2027-01-31' } },
      9,
      seedRun,
    );
    store.apply(
      {
        kind: 'insert',
        record: { ...line(2), source: 'nonDirect', certifiedType: 'APP_S', eligibility: 'S', startDate: '2027-02-01' },
      },
      9,
      seedRun,
    );
    store.flush();
    db.exec('COMMIT');
    const dump = () => db.prepare('SELECT * FROM eligibility ORDER BY id').all();
    const before = dump();

    const run = Number(addRun.run().lastInsertRowid);
    const [first, second] = store.forStudent(9);
    db.exec('BEGIN');
    const after = store.apply(
      { kind: 'retype', record: first, source: 'direct', certifiedType: 'SNAP', endDate: '2027-06-30' },
      9,
      run,
    );
    store.apply({ kind: 'delete', record: second }, 9, run);
    db.exec('COMMIT');
    expect(after).toEqual({ ...first, source: 'direct', certifiedType: 'SNAP', endDate: '2027-06-30' });
    expect(store.forStudent(9)).toEqual([after]);
    const log = db
      .prepare(`SELECT status, source, certified_type, end_date, before FROM change_history WHERE run_id = ? ORDER BY id`)
      .raw()
      .all(run) as [string, string, string, string, string][];
    expect(log.map((r) => r.slice(0, 4))).toEqual([
      ['Updated', 'direct', 'SNAP', '2027-06-30'],
      ['Removed', 'nonDirect', 'APP_S', '2027-06-30'],
    ]);
    expect(JSON.parse(log[0][4])).toEqual(first);

    expect(revertRun(db, run, '2026-11-23T00:00:00Z')).toEqual({ deleted: 0, restored: 1, reinserted: 1 });
    expect(dump()).toEqual(before);
  });
});

describe('the buffer is written before anything else touches the tables', () => {
  // Each method of the store but the buffered insert itself, called once with one insert still buffered.
  const calls: Record<string, (store: ReturnType<typeof createEligibilityStore>) => void> = {
    forStudent: (s) => {
      s.forStudent(5);
    },
    countActive: (s) => {
      s.countActive(2027, '2026-09-01');
    },
    maxId: (s) => {
      s.maxId();
    },
    deferIndexIfEmpty: (s) => {
      s.deferIndexIfEmpty();
    },
    logChange: (s) => {
      s.logChange(null, 'Updated', { id: 1, studentId: 5, ...line(9) }, null, '2026-09-01T00:00:00Z');
    },
    change: (s) => {
      s.change({ kind: 'end', record: { id: 1, studentId: 5, ...line(1) }, endDate: '2026-12-31' }, 7);
    },
  };
  const unbuffered = ['apply', 'flush', 'discard'];

  it('names every method of the store, so a new one is checked here too', () => {
    const store = createEligibilityStore(db);
    expect(
      Object.keys(store)
        .filter((k) => !unbuffered.includes(k))
        .sort(),
    ).toEqual(Object.keys(calls).sort());
  });

  it.each(Object.keys(calls))('%s writes the buffered record and its New row first', (name) => {
    const store = createEligibilityStore(db);
    db.exec('BEGIN');
    store.apply({ kind: 'insert', record: line(1) }, 5, 7);
    expect(db.prepare('SELECT count(*) FROM eligibility').pluck().get()).toBe(0);
    calls[name](store);
    expect(db.prepare('SELECT id, student_id, reference_number FROM eligibility ORDER BY id').raw().all()).toEqual([
      [1, 5, 'R-1'],
    ]);
    // The record's New row comes first in the log, before anything the method wrote.
    expect(db.prepare('SELECT status, record_id FROM change_log ORDER BY id LIMIT 1').raw().get()).toEqual(['New', 1]);
    db.exec('ROLLBACK');
  });
});

describe("a run's New rows, filled in by the schema", () => {
  it('keep the records as inserted in the old report, whatever path later updates, replaces or deletes them', async () => {
    const { readReport } = await import('../src/store/report-source.js');
    const runId = Number(
      db
        .prepare(
          `INSERT INTO runs (import, mapping, school_year, mode, status, trigger_kind, started_at)
      VALUES ('pos', 'M', 2027, 'run', 'Successful', 'manual', '2026-09-01T01:00:00Z')`,
        )
        .run().lastInsertRowid,
    );
    const store = createEligibilityStore(db);
    db.exec('BEGIN');
    for (let i = 1; i <= 4; i++) store.apply({ kind: 'insert', record: line(i) }, i, runId);
    store.flush();
    db.exec('COMMIT');
    const shown = () =>
      [...readReport(db, runId)!.updated()].map((u) => [u.stateId, u.endDate, u.eligibility, u.referenceNumber, u.status]);
    const asInserted = [1, 2, 3, 4].map((i) => [String(i).padStart(10, '0'), '2027-06-30', 'F', `R-${i}`, 'New']);
    expect(shown()).toEqual(asInserted);
    // Narrow until something changes the record: a first import writes no record twice.
    expect(db.prepare('SELECT count(*) FROM change_log WHERE school_year IS NULL').pluck().get()).toBe(4);

    // None of these goes through the store, so only the schema can keep the report right.
    db.prepare("UPDATE eligibility SET end_date = '2026-10-31', eligibility = 'R' WHERE id = 1").run();
    db.prepare(
      `INSERT OR REPLACE INTO eligibility (id, student_id, school_year, start_date, end_date, eligibility, source,
      created_run) VALUES (2, 2, 2027, '2026-08-20', '2026-11-30', 'S', 'nonDirect', NULL)`,
    ).run();
    db.prepare('DELETE FROM eligibility WHERE id = 3').run();
    db.prepare('DELETE FROM eligibility WHERE id = 4').run();
    // With 3 and 4 gone, 2 is the highest rowid: the next record takes record 3's again, for another student.
    const reused = db
      .prepare(
        `INSERT INTO eligibility (student_id, school_year, start_date, end_date, eligibility, source,
      reference_number) VALUES (150, 2027, '2027-01-04', '2027-06-30', 'S', 'direct', 'OTHER')`,
      )
      .run().lastInsertRowid;
    expect(Number(reused)).toBe(3);

    expect(shown()).toEqual(asInserted);
    expect(db.prepare('SELECT count(*) FROM change_log WHERE school_year IS NULL').pluck().get()).toBe(0);
  });

  it('are filled once: a second change of a record leaves its New row as inserted', () => {
    const store = createEligibilityStore(db);
    db.exec('BEGIN');
    store.apply({ kind: 'insert', record: line(1) }, 5, 7);
    store.flush();
    db.exec('COMMIT');
    db.prepare("UPDATE eligibility SET end_date = '2027-01-31' WHERE id = 1").run();
    db.prepare("UPDATE eligibility SET end_date = '2026-12-31' WHERE id = 1").run();
    expect(db.prepare("SELECT end_date, reference_number FROM change_log WHERE status = 'New'").raw().all()).toEqual([
      ['2027-06-30', 'R-1'],
    ]);
  });
});
