// Eligibility records and their change log. Every write goes through `apply`, which logs it.

import type { Db } from './db.js';
import type { Change } from '../domain/reconcile.js';
import type { EligibilityRecord, Eligibility, Source } from '../domain/types.js';

export const RECORD_COLUMNS = 'id, student_id, school_year, start_date, end_date, eligibility, source, certified_type, application_name, reference_number';

export type RecordRow = [number, number, number, string, string, Eligibility, Source, string | null, string | null, string | null];

export function toRecord(r: RecordRow): EligibilityRecord {
  return {
    id: r[0], studentId: r[1], schoolYear: r[2], startDate: r[3], endDate: r[4], eligibility: r[5],
    source: r[6], certifiedType: r[7], applicationName: r[8], referenceNumber: r[9],
  };
}

/** The stored form of a record in the change log. */
function snapshot(r: EligibilityRecord): string {
  return JSON.stringify(r);
}

export function createEligibilityStore(db: Db) {
  const byStudent = db.prepare(`SELECT ${RECORD_COLUMNS} FROM eligibility WHERE student_id = ? ORDER BY start_date, id`).raw(true);
  const insert = db.prepare(`INSERT INTO eligibility (student_id, school_year, start_date, end_date, eligibility, source,
    certified_type, application_name, reference_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const setEnd = db.prepare('UPDATE eligibility SET end_date = ? WHERE id = ?');
  const setType = db.prepare('UPDATE eligibility SET source = ?, certified_type = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM eligibility WHERE id = ?');
  const log = db.prepare(`INSERT INTO change_log (run_id, action, record_id, student_id, before, after, at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);

  return {
    forStudent(studentId: number): EligibilityRecord[] {
      return (byStudent.all(studentId) as RecordRow[]).map(toRecord);
    },

    /** Applies one change and logs it; returns the record as it now stands (or as it was, if deleted). */
    apply(change: Change, studentId: number, runId: number | null, at: string): EligibilityRecord {
      switch (change.kind) {
        case 'insert': {
          const l = change.record;
          const id = Number(insert.run(studentId, l.schoolYear, l.startDate, l.endDate, l.eligibility, l.source,
            l.certifiedType, l.applicationName, l.referenceNumber).lastInsertRowid);
          const after: EligibilityRecord = { id, studentId, ...l };
          log.run(runId, 'insert', id, studentId, null, snapshot(after), at);
          return after;
        }
        case 'end': {
          const after = { ...change.record, endDate: change.endDate };
          setEnd.run(change.endDate, change.record.id);
          log.run(runId, 'update', after.id, studentId, snapshot(change.record), snapshot(after), at);
          return after;
        }
        case 'retype': {
          const after = { ...change.record, source: change.source, certifiedType: change.certifiedType };
          setType.run(change.source, change.certifiedType, change.record.id);
          log.run(runId, 'update', after.id, studentId, snapshot(change.record), snapshot(after), at);
          return after;
        }
        case 'delete':
          remove.run(change.record.id);
          log.run(runId, 'delete', change.record.id, studentId, snapshot(change.record), null, at);
          return change.record;
      }
    },

    countForYear(schoolYear: number): number {
      return (db.prepare('SELECT count(*) AS n FROM eligibility WHERE school_year = ?').get(schoolYear) as { n: number }).n;
    },

    maxId(): number {
      return (db.prepare('SELECT coalesce(max(id), 0) AS n FROM eligibility').get() as { n: number }).n;
    },
  };
}

export type EligibilityStore = ReturnType<typeof createEligibilityStore>;
