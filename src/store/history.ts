// Read-side queries for the CLI and the page: the Scheduled Import Logs, one student's story,
// and the Free/Reduced/Paid summary.

import type { Db } from './db.js';
import { RECORD_COLUMNS, toRecord, type RecordRow } from './eligibility.js';
import type { EligibilityRecord, UpdateStatus } from '../domain/types.js';

export interface RunListing {
  id: number;
  import: string;
  mode: string;
  status: string;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  new: number;
  ended: number;
  removed: number;
  existing: number;
  errors: number;
  warnings: number;
  error: string | null;
  keep: boolean;
  reverted: boolean;
}

export function listRuns(db: Db, filter: { import?: string; status?: string; limit: number }): RunListing[] {
  return (
    db
      .prepare(
        `SELECT id, import, mode, status,
      trigger_kind || coalesce(' by ' || trigger_by, '') AS trigger, started_at AS startedAt, finished_at AS finishedAt,
      new, ended, removed, existing, errors, warnings,
      CASE WHEN error_code IS NULL THEN NULL ELSE error_code || ' - ' || error_text END AS error, keep,
      reverted_at IS NOT NULL AS reverted
    FROM runs WHERE (@import IS NULL OR import = @import) AND (@status IS NULL OR status = @status)
    ORDER BY id DESC LIMIT @limit`,
      )
      .all({ import: filter.import ?? null, status: filter.status ?? null, limit: filter.limit }) as (Omit<
      RunListing,
      'keep' | 'reverted'
    > & { keep: number; reverted: number })[]
  ).map((r) => ({ ...r, keep: r.keep === 1, reverted: r.reverted === 1 }));
}

/** Retention: deletes the runs that started before `before` (ISO), except keep runs and running ones. */
export function pruneRuns(db: Db, before: string): number {
  return db
    .transaction(() => {
      const ids = "SELECT id FROM runs WHERE started_at < @before AND keep = 0 AND status <> 'Running'";
      for (const table of ['run_messages', 'test_updates', 'file_ledger']) {
        db.prepare(`DELETE FROM ${table} WHERE run_id IN (${ids})`).run({ before });
      }
      return db.prepare(`DELETE FROM runs WHERE id IN (${ids})`).run({ before }).changes;
    })
    .immediate();
}

/**
 * IC's Clear Log (one import; runs marked keep survive) and Clear All Logs. The change log stays:
 * it is the eligibility history behind `student` and `revert`.
 */
export function clearRuns(db: Db, scope: { import: string } | 'all'): number {
  return db
    .transaction(() => {
      const where = scope === 'all' ? "status <> 'Running'" : "import = @import AND keep = 0 AND status <> 'Running'";
      const params = scope === 'all' ? {} : { import: scope.import };
      const ids = `SELECT id FROM runs WHERE ${where}`;
      for (const table of ['run_messages', 'test_updates', 'file_ledger']) {
        db.prepare(`DELETE FROM ${table} WHERE run_id IN (${ids})`).run(params);
      }
      return db.prepare(`DELETE FROM runs WHERE ${where}`).run(params).changes;
    })
    .immediate();
}

export interface HistoryEntry {
  at: string;
  status: UpdateStatus;
  /** 'run 12 (POS nightly)' or what else made the change, e.g. 'revert of run 12'. */
  by: string;
  before: EligibilityRecord | null;
  /** The record as the change left it (as it was, when Removed). */
  record: EligibilityRecord;
}

export interface StudentStory {
  student: { id: number; stateId: string; studentNumber: string; name: string; school: string; grade: string; active: boolean };
  records: EligibilityRecord[];
  history: HistoryEntry[];
}

export function studentStories(db: Db, stateId: string): StudentStory[] {
  const students = db
    .prepare(
      `SELECT id, state_id AS stateId, student_number AS studentNumber,
    last_name || ', ' || first_name AS name, school, grade, active FROM students WHERE state_id = ? ORDER BY id`,
    )
    .all(stateId) as (Omit<StudentStory['student'], 'active'> & { active: number })[];
  const records = db.prepare(`SELECT ${RECORD_COLUMNS} FROM eligibility WHERE student_id = ? ORDER BY start_date`).raw(true);
  const history = db
    .prepare(
      `SELECT coalesce(l.at, r.finished_at, r.started_at) AS at, l.status, l.before, coalesce(l.note, 'run ' || l.run_id || coalesce(' (' || r.import || ')', '')) AS by,
      ${RECORD_COLUMNS.split(', ')
        .map((c) => (c === 'id' ? 'l.record_id' : c === 'created_run' ? 'NULL' : `l.${c}`))
        .join(', ')}
    FROM change_history l LEFT JOIN runs r ON r.id = l.run_id WHERE l.student_id = ? ORDER BY l.id`,
    )
    .raw(true);
  return students.map((s) => ({
    student: { ...s, active: s.active === 1 },
    records: (records.all(s.id) as RecordRow[]).map(toRecord),
    history: (history.all(s.id) as [string, UpdateStatus, string | null, string, ...RecordRow][]).map(
      ([at, status, before, by, ...rec]) => ({
        at,
        status,
        by,
        before: before ? (JSON.parse(before) as EligibilityRecord) : null,
        record: toRecord(rec),
      }),
    ),
  }));
}

export interface SchoolCounts {
  school: string;
  free: number;
  reduced: number;
  paid: number;
  total: number;
}

/** Each active student's eligibility on `asOf` (no covering record of the year = Paid), by school. */
export function eligibilitySummary(db: Db, schoolYear: number, asOf: string): SchoolCounts[] {
  return db
    .prepare(
      `
    WITH current AS (
      SELECT s.school, (SELECT e.eligibility FROM eligibility e WHERE e.student_id = s.id AND e.school_year = @year
          AND e.start_date <= @asOf AND e.end_date >= @asOf ORDER BY e.start_date DESC LIMIT 1) AS eligibility
      FROM students s WHERE s.active = 1)
    SELECT school, sum(eligibility = 'F') AS free, sum(eligibility = 'R') AS reduced,
      sum(eligibility IS NULL OR eligibility = 'S') AS paid, count(*) AS total
    FROM current GROUP BY school ORDER BY school`,
    )
    .all({ year: schoolYear, asOf }) as SchoolCounts[];
}
