// Eligibility records and their change log. Every write goes through `apply`, which logs it; new
// records wait in a buffer (insert-buffer.ts) that is written before anything else touches the tables.

import type { Db } from './db.js';
import { createInsertBuffer } from './insert-buffer.js';
import { statusOf, type Change } from '../domain/reconcile.js';
import type { EligibilityRecord, Eligibility, Source, UpdateStatus } from '../domain/types.js';

/** The index on eligibility(student_id), as migration 1 creates it. */
const STUDENT_INDEX = 'eligibility_student';

export const RECORD_COLUMNS =
  'id, student_id, school_year, start_date, end_date, eligibility, source, certified_type, application_name, reference_number, created_run';

export type RecordRow = [
  number,
  number,
  number,
  string,
  string,
  Eligibility,
  Source,
  string | null,
  string | null,
  string | null,
  number | null,
];

export function toRecord(r: RecordRow): EligibilityRecord {
  return {
    id: r[0],
    studentId: r[1],
    schoolYear: r[2],
    startDate: r[3],
    endDate: r[4],
    eligibility: r[5],
    source: r[6],
    certifiedType: r[7],
    applicationName: r[8],
    referenceNumber: r[9],
    createdRun: r[10],
  };
}

/**
 * Wraps each of `methods` so that `flush` runs first: the one place that keeps "buffered inserts are
 * written before anything reads or changes the records or the log". A method added to the group
 * cannot forget it.
 */
function flushingFirst<T extends Record<string, (...args: never[]) => unknown>>(flush: () => void, methods: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(methods)) {
    wrapped[name] = (...args: never[]) => {
      flush();
      return method(...args);
    };
  }
  return wrapped as T;
}

export function createEligibilityStore(db: Db) {
  const byStudent = db.prepare(`SELECT ${RECORD_COLUMNS} FROM eligibility WHERE student_id = ?`).raw(true);
  const inserts = createInsertBuffer(db);
  // A record's New row is filled in by the schema's triggers (migration 4) before an UPDATE or DELETE.
  const setEnd = db.prepare('UPDATE eligibility SET end_date = ? WHERE id = ?');
  const setType = db.prepare('UPDATE eligibility SET source = ?, certified_type = ?, end_date = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM eligibility WHERE id = ?');
  const log = db.prepare(`INSERT INTO change_log (run_id, status, record_id, student_id, school_year, start_date, end_date,
    eligibility, source, certified_type, application_name, reference_number, before, at, note)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  // A first import fills an empty table: its student_id index is then built once, sorted, at the end
  // (or as soon as a lookup needs it) instead of row by row in file order, which is random by student.
  let indexDeferred = false;
  const restoreIndex = () => {
    if (!indexDeferred) return;
    // The sort takes as much memory again as the page cache allows: a 4 MiB cache for it keeps the
    // peak down, and measured faster than 8 or 32 MiB (its merges run on the second thread).
    const cacheSize = db.pragma('cache_size', { simple: true }) as number;
    db.pragma('cache_size = -4096');
    db.pragma('threads = 1'); // the sort may use a second core: the program waits for it anyway
    db.exec(`CREATE INDEX ${STUDENT_INDEX} ON eligibility(student_id)`);
    db.pragma('threads = 0');
    db.pragma(`cache_size = ${cacheSize}`);
    indexDeferred = false;
  };

  // Everything that reads or changes eligibility or the change log, after the buffered inserts.
  const flushed = flushingFirst(inserts.flush, {
    /** Logs a change: the record as it now stands (as it was, when removed) and, for an end or a retype, as it was. */
    logChange(
      runId: number | null,
      status: UpdateStatus,
      r: EligibilityRecord,
      before: EligibilityRecord | null,
      at: string | null,
      note: string | null = null,
    ): void {
      log.run(
        runId,
        status,
        r.id,
        r.studentId,
        r.schoolYear,
        r.startDate,
        r.endDate,
        r.eligibility,
        r.source,
        r.certifiedType,
        r.applicationName,
        r.referenceNumber,
        before && JSON.stringify(before),
        at,
        note,
      );
    },

    /** In a file's transaction, before anything else: defers the student index when the table is empty. */
    deferIndexIfEmpty(): void {
      if (db.prepare('SELECT 1 FROM eligibility LIMIT 1').get() !== undefined) return;
      db.exec(`DROP INDEX ${STUDENT_INDEX}`);
      indexDeferred = true;
    },

    forStudent(studentId: number): EligibilityRecord[] {
      restoreIndex();
      return (byStudent.all(studentId) as RecordRow[]).map(toRecord);
    },

    /** An end, a retype or a removal of a stored record, logged; returns the record as it now stands (or as it was). */
    change(change: Exclude<Change, { kind: 'insert' }>, runId: number): EligibilityRecord {
      const status = statusOf(change);
      switch (change.kind) {
        case 'end': {
          const after = { ...change.record, endDate: change.endDate };
          setEnd.run(change.endDate, change.record.id);
          flushed.logChange(runId, status, after, change.record, null);
          return after;
        }
        case 'retype': {
          // Rule 3 may extend the record to the line's end: the log's before and after hold both ends.
          const after = { ...change.record, source: change.source, certifiedType: change.certifiedType, endDate: change.endDate };
          setType.run(change.source, change.certifiedType, change.endDate, change.record.id);
          flushed.logChange(runId, status, after, change.record, null);
          return after;
        }
        case 'delete':
          remove.run(change.record.id);
          flushed.logChange(runId, status, change.record, change.record, null);
          return change.record;
      }
    },

    /** Records of the school year that are active on `today`: they end on or after it (the mass-change guard's base). */
    countActive(schoolYear: number, today: string): number {
      return (
        db.prepare('SELECT count(*) AS n FROM eligibility WHERE school_year = ? AND end_date >= ?').get(schoolYear, today) as {
          n: number;
        }
      ).n;
    },

    maxId(): number {
      return (db.prepare('SELECT coalesce(max(id), 0) AS n FROM eligibility').get() as { n: number }).n;
    },
  });

  return {
    ...flushed,

    /** Writes buffered inserts and the deferred index (before commit); `discard` drops them (before rollback). */
    flush(): void {
      inserts.flush();
      restoreIndex();
    },
    discard(): void {
      inserts.discard();
      indexDeferred = false; // the rollback brings the index back
    },

    /**
     * Applies one change of a run and logs it; returns the record as it now stands (or as it was, if
     * deleted). A new record is buffered: its id (0 here) is assigned when the buffer is written.
     */
    apply(change: Change, studentId: number, runId: number): EligibilityRecord {
      if (change.kind !== 'insert') return flushed.change(change, runId);
      inserts.add(studentId, change.record, runId);
      return { id: 0, studentId, ...change.record, createdRun: runId };
    },
  };
}

export type EligibilityStore = ReturnType<typeof createEligibilityStore>;
