// Eligibility records and their change log. Every write goes through `apply`, which logs it.

import type { Db } from './db.js';
import { createInsertBuffer } from './insert-buffer.js';
import { statusOf, type Change } from '../domain/reconcile.js';
import type { EligibilityRecord, Eligibility, Source, UpdateStatus } from '../domain/types.js';

/** The index on eligibility(student_id), as migration 1 creates it. */
const STUDENT_INDEX = 'eligibility_student';

export const RECORD_COLUMNS = 'id, student_id, school_year, start_date, end_date, eligibility, source, certified_type, application_name, reference_number, created_run';

export type RecordRow = [number, number, number, string, string, Eligibility, Source, string | null, string | null, string | null, number | null];

export function toRecord(r: RecordRow): EligibilityRecord {
  return {
    id: r[0], studentId: r[1], schoolYear: r[2], startDate: r[3], endDate: r[4], eligibility: r[5],
    source: r[6], certifiedType: r[7], applicationName: r[8], referenceNumber: r[9], createdRun: r[10],
  };
}

export function createEligibilityStore(db: Db) {
  const byStudent = db.prepare(`SELECT ${RECORD_COLUMNS} FROM eligibility WHERE student_id = ?`).raw(true);
  const inserts = createInsertBuffer(db);
  // Fills a run's narrow New row from the record, before the record changes or goes.
  const keepNew = db.prepare(`UPDATE change_log SET school_year = e.school_year, start_date = e.start_date,
    end_date = e.end_date, eligibility = e.eligibility, source = e.source, certified_type = e.certified_type,
    application_name = e.application_name, reference_number = e.reference_number
    FROM eligibility e WHERE e.id = ? AND change_log.run_id = e.created_run AND change_log.record_id = e.id
    AND change_log.status = 'New' AND change_log.school_year IS NULL`);
  const setEnd = db.prepare('UPDATE eligibility SET end_date = ? WHERE id = ?');
  const setType = db.prepare('UPDATE eligibility SET source = ?, certified_type = ?, end_date = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM eligibility WHERE id = ?');
  const log = db.prepare(`INSERT INTO change_log (run_id, status, record_id, student_id, school_year, start_date, end_date,
    eligibility, source, certified_type, application_name, reference_number, before, at, note)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  /** Logs a change: the record as it now stands (as it was, when removed) and, for an end or a retype, as it was. */
  const logChange = (runId: number | null, status: UpdateStatus, r: EligibilityRecord, before: EligibilityRecord | null,
    at: string | null, note: string | null = null) => {
    log.run(runId, status, r.id, r.studentId, r.schoolYear, r.startDate, r.endDate, r.eligibility, r.source,
      r.certifiedType, r.applicationName, r.referenceNumber, before && JSON.stringify(before), at, note);
  };

  // A first import fills an empty table: its student_id index is then built once, sorted, at the end
  // (or as soon as a lookup needs it) instead of row by row in file order, which is random by student.
  let indexDeferred = false;
  const restoreIndex = () => {
    inserts.flush();
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

  return {
    logChange,

    /** In a file's transaction, before anything else: defers the student index when the table is empty. */
    deferIndexIfEmpty(): void {
      if (db.prepare('SELECT 1 FROM eligibility LIMIT 1').get() !== undefined) return;
      db.exec(`DROP INDEX ${STUDENT_INDEX}`);
      indexDeferred = true;
    },

    /** Writes buffered inserts and the deferred index (before commit); `discard` drops them (before rollback). */
    flush: restoreIndex,
    discard(): void {
      inserts.discard();
      indexDeferred = false; // the rollback brings the index back
    },

    forStudent(studentId: number): EligibilityRecord[] {
      restoreIndex();
      return (byStudent.all(studentId) as RecordRow[]).map(toRecord);
    },

    /** Before a record changes or goes: its New row in the change log gets the record as inserted. */
    keepNew(recordId: number): void {
      inserts.flush();
      keepNew.run(recordId);
    },

    /**
     * Applies one change of a run and logs it; returns the record as it now stands (or as it was, if
     * deleted). A new record is buffered: its id (0 here) is assigned when the buffer is written.
     */
    apply(change: Change, studentId: number, runId: number): EligibilityRecord {
      const status = statusOf(change);
      if (change.kind === 'insert') {
        inserts.add(studentId, change.record, runId);
        return { id: 0, studentId, ...change.record, createdRun: runId };
      }
      inserts.flush();
      keepNew.run(change.record.id);
      switch (change.kind) {
        case 'end': {
          const after = { ...change.record, endDate: change.endDate };
          setEnd.run(change.endDate, change.record.id);
          logChange(runId, status, after, change.record, null);
          return after;
        }
        case 'retype': {
          // Rule 3 may extend the record to the line's end: the log's before and after hold both ends.
          const after = { ...change.record, source: change.source, certifiedType: change.certifiedType, endDate: change.endDate };
          setType.run(change.source, change.certifiedType, change.endDate, change.record.id);
          logChange(runId, status, after, change.record, null);
          return after;
        }
        case 'delete':
          remove.run(change.record.id);
          logChange(runId, status, change.record, change.record, null);
          return change.record;
      }
    },

    /** Records of the school year that are active on `today`: they end on or after it (the mass-change guard's base). */
    countActive(schoolYear: number, today: string): number {
      inserts.flush();
      return (db.prepare('SELECT count(*) AS n FROM eligibility WHERE school_year = ? AND end_date >= ?')
        .get(schoolYear, today) as { n: number }).n;
    },

    maxId(): number {
      inserts.flush();
      return (db.prepare('SELECT coalesce(max(id), 0) AS n FROM eligibility').get() as { n: number }).n;
    },
  };
}

export type EligibilityStore = ReturnType<typeof createEligibilityStore>;
