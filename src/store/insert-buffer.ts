// A file's new records, written a batch at a time (one multi-row INSERT per batch), and their New
// rows in the change log, written by one INSERT ... SELECT when anything else is about to read or
// change the records or the log. Per-statement overhead is most of a large first import otherwise.
// Rowids of one INSERT are consecutive (max + 1 each), and nothing else inserts or deletes between
// two writes, so the records not yet logged are the rows between two ids.

import type { Db } from './db.js';
import type { LineRecord } from '../domain/types.js';

const BATCH = 64;
const COLUMNS = `(student_id, school_year, start_date, end_date, eligibility, source, certified_type,
  application_name, reference_number, created_run)`;
const WIDTH = 8;

/**
 * The INSERTs for one school year and run. Both are written into the SQL as numbers, not bound on
 * every row: binding is most of the cost of an insert here (a first import of 1,000,000 lines
 * measured about 0.5 s faster).
 */
function insertsFor(db: Db, schoolYear: number, runId: number) {
  if (!Number.isSafeInteger(schoolYear) || !Number.isSafeInteger(runId)) throw new Error(`not integers: ${schoolYear}, ${runId}`);
  const row = `(?, ${schoolYear}, ?, ?, ?, ?, ?, ?, ?, ${runId})`;
  return {
    schoolYear,
    runId,
    batch: db.prepare(`INSERT INTO eligibility ${COLUMNS} VALUES ${Array(BATCH).fill(row).join(', ')}`),
    one: db.prepare(`INSERT INTO eligibility ${COLUMNS} VALUES ${row}`),
  };
}

export function createInsertBuffer(db: Db) {
  let inserts: ReturnType<typeof insertsFor> | null = null;
  const logNew = db.prepare(`INSERT INTO change_log (run_id, status, record_id, student_id)
    SELECT created_run, 'New', id, student_id FROM eligibility WHERE id BETWEEN ? AND ? ORDER BY id`);
  let values: unknown[] = [];
  /** Written records whose New rows are not logged yet: ids first .. last (none when first > last). */
  let first = 1;
  let last = 0;

  const write = (): void => {
    const n = values.length / WIDTH;
    if (n === 0) return;
    let id = 0;
    if (n === BATCH) id = Number(inserts!.batch.run(values).lastInsertRowid);
    else for (let i = 0; i < n; i++) id = Number(inserts!.one.run(values.slice(i * WIDTH, (i + 1) * WIDTH)).lastInsertRowid);
    if (first > last) first = id - n + 1;
    last = id;
    values = [];
  };

  return {
    add(studentId: number, l: LineRecord, runId: number): void {
      if (inserts?.schoolYear !== l.schoolYear || inserts.runId !== runId) {
        write();
        inserts = insertsFor(db, l.schoolYear, runId);
      }
      values.push(
        studentId,
        l.startDate,
        l.endDate,
        l.eligibility,
        l.source,
        l.certifiedType,
        l.applicationName,
        l.referenceNumber,
      );
      if (values.length === BATCH * WIDTH) write();
    },

    /** Writes what is buffered and logs it. Call before anything reads or changes eligibility or the log, and before commit. */
    flush(): void {
      write();
      if (first > last) return;
      logNew.run(first, last);
      first = 1;
      last = 0;
    },

    /** Drops what is buffered, when the file's transaction is rolled back. */
    discard(): void {
      values = [];
      first = 1;
      last = 0;
    },
  };
}
