// Undoes one real run's changes to eligibility (SPEC 3 `revert`), if nothing later touched them.

import type { Db } from './db.js';
import type { EligibilityRecord, UpdateStatus } from '../domain/types.js';
import { createEligibilityStore } from './eligibility.js';

export interface RevertResult {
  restored: number;
  deleted: number;
  reinserted: number;
}

export class RevertRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RevertRefused';
  }
}

interface ChangeRow {
  id: number;
  status: UpdateStatus;
  record_id: number;
  student_id: number;
  before: string | null;
}

export function revertRun(db: Db, runId: number, at: string): RevertResult {
  return db
    .transaction((): RevertResult => {
      const run = db.prepare('SELECT mode, status, reverted_at FROM runs WHERE id = ?').get(runId) as
        { mode: string; status: string; reverted_at: string | null } | undefined;
      if (!run) throw new RevertRefused(`no run ${runId}`);
      if (run.mode === 'test') throw new RevertRefused(`run ${runId} was a test run; it changed nothing`);
      if (run.status === 'Running') throw new RevertRefused(`run ${runId} is still running`);
      if (run.reverted_at) throw new RevertRefused(`run ${runId} was already reverted at ${run.reverted_at}`);

      const changes = db
        .prepare('SELECT id, status, record_id, student_id, before FROM change_log WHERE run_id = ? ORDER BY id DESC')
        .all(runId) as ChangeRow[];
      if (changes.length) {
        const later = db
          .prepare(
            `SELECT count(DISTINCT record_id) FROM change_log
        WHERE id > ? AND record_id IN (SELECT record_id FROM change_log WHERE run_id = ?)`,
          )
          .pluck()
          .get(changes[0].id, runId) as number;
        if (later > 0) {
          throw new RevertRefused(
            `${later} record(s) changed by run ${runId} were changed again later; revert those changes first`,
          );
        }
      }

      const store = createEligibilityStore(db);
      const note = `revert of run ${runId}`;
      const current = db.prepare(`SELECT id, student_id AS studentId, school_year AS schoolYear, start_date AS startDate,
      end_date AS endDate, eligibility, source, certified_type AS certifiedType, application_name AS applicationName,
      reference_number AS referenceNumber, created_run AS createdRun FROM eligibility WHERE id = ?`);
      const restore = db.prepare(`INSERT OR REPLACE INTO eligibility (id, student_id, school_year, start_date, end_date,
      eligibility, source, certified_type, application_name, reference_number, created_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const result: RevertResult = { restored: 0, deleted: 0, reinserted: 0 };
      for (const c of changes) {
        const now = current.get(c.record_id) as EligibilityRecord;
        if (c.status === 'New') {
          // The schema fills the run's New row first, so its report keeps showing what it inserted.
          db.prepare('DELETE FROM eligibility WHERE id = ?').run(c.record_id);
          store.logChange(null, 'Removed', now, now, at, note);
          result.deleted++;
          continue;
        }
        const b = JSON.parse(c.before!) as EligibilityRecord;
        restore.run(
          b.id,
          b.studentId,
          b.schoolYear,
          b.startDate,
          b.endDate,
          b.eligibility,
          b.source,
          b.certifiedType,
          b.applicationName,
          b.referenceNumber,
          b.createdRun ?? null,
        );
        if (c.status === 'Removed') {
          store.logChange(null, 'New', b, null, at, note);
          result.reinserted++;
        } else {
          store.logChange(null, 'Updated', b, now, at, note);
          result.restored++;
        }
      }
      // The run's files count as not imported again, so a corrected re-drop imports.
      db.prepare('DELETE FROM imported_files WHERE run_id = ?').run(runId);
      db.prepare('UPDATE runs SET reverted_at = ? WHERE id = ?').run(at, runId);
      return result;
    })
    .immediate();
}
