// A file's new records, written a batch at a time: one multi-row INSERT per batch, and one
// INSERT ... SELECT for their New rows in the change log. Per-statement overhead is most of a
// large first import otherwise. Rowids of one INSERT are consecutive (max + 1 each), so a batch's
// records are the rows between its first and last id.

import type { Db } from './db.js';
import type { LineRecord } from '../domain/types.js';

const BATCH = 64;
const COLUMNS = `(student_id, school_year, start_date, end_date, eligibility, source, certified_type,
  application_name, reference_number, created_run)`;
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const WIDTH = 10;

export function createInsertBuffer(db: Db) {
  const insertBatch = db.prepare(`INSERT INTO eligibility ${COLUMNS} VALUES ${Array(BATCH).fill(ROW).join(', ')}`);
  const insertOne = db.prepare(`INSERT INTO eligibility ${COLUMNS} VALUES ${ROW}`);
  const logNew = db.prepare(`INSERT INTO change_log (run_id, status, record_id, student_id)
    SELECT created_run, 'New', id, student_id FROM eligibility WHERE id BETWEEN ? AND ? ORDER BY id`);
  let values: unknown[] = [];

  const buffer = {
    get size(): number {
      return values.length / WIDTH;
    },

    add(studentId: number, l: LineRecord, runId: number): void {
      values.push(studentId, l.schoolYear, l.startDate, l.endDate, l.eligibility, l.source, l.certifiedType,
        l.applicationName, l.referenceNumber, runId);
      if (values.length === BATCH * WIDTH) buffer.flush();
    },

    /** Writes what is buffered. Call before anything reads or changes eligibility, and before commit. */
    flush(): void {
      const n = buffer.size;
      if (n === 0) return;
      let last: number;
      if (n === BATCH) last = Number(insertBatch.run(values).lastInsertRowid);
      else for (let i = 0; i < n; i++) last = Number(insertOne.run(values.slice(i * WIDTH, (i + 1) * WIDTH)).lastInsertRowid);
      logNew.run(last! - n + 1, last!);
      values = [];
    },

    /** Drops what is buffered, when the file's transaction is rolled back. */
    discard(): void {
      values = [];
    },
  };
  return buffer;
}
