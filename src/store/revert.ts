// Undoes one real run's changes to eligibility (SPEC 3 `revert`), if nothing later touched them.

import type { Db } from './db.js';
import type { EligibilityRecord } from '../domain/types.js';
import { RECORD_COLUMNS, toRecord, type RecordRow } from './eligibility.js';

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

interface ChangeRow { id: number; action: 'insert' | 'update' | 'delete'; record_id: number; student_id: number; before: string | null }

export function revertRun(db: Db, runId: number, at: string): RevertResult {
  return db.transaction((): RevertResult => {
    const run = db.prepare('SELECT mode, status, reverted_at FROM runs WHERE id = ?').get(runId) as
      { mode: string; status: string; reverted_at: string | null } | undefined;
    if (!run) throw new RevertRefused(`no run ${runId}`);
    if (run.mode === 'test') throw new RevertRefused(`run ${runId} was a test run; it changed nothing`);
    if (run.status === 'Running') throw new RevertRefused(`run ${runId} is still running`);
    if (run.reverted_at) throw new RevertRefused(`run ${runId} was already reverted at ${run.reverted_at}`);

    const changes = db.prepare('SELECT id, action, record_id, student_id, before FROM change_log WHERE run_id = ? ORDER BY id DESC')
      .all(runId) as ChangeRow[];
    if (changes.length) {
      const later = db.prepare(`SELECT count(DISTINCT l.record_id) AS n FROM change_log l
        WHERE l.id > ? AND l.record_id IN (SELECT record_id FROM change_log WHERE run_id = ?)`).get(changes[0].id, runId) as { n: number };
      if (later.n > 0) {
        throw new RevertRefused(`${later.n} record(s) changed by run ${runId} were changed again later; revert those changes first`);
      }
    }

    const note = `revert of run ${runId}`;
    const log = db.prepare(`INSERT INTO change_log (run_id, action, record_id, student_id, before, after, at, note)
      VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)`);
    const current = db.prepare(`SELECT ${RECORD_COLUMNS} FROM eligibility WHERE id = ?`).raw(true);
    const result: RevertResult = { restored: 0, deleted: 0, reinserted: 0 };
    for (const c of changes) {
      const now = current.get(c.record_id) as RecordRow | undefined;
      const nowJson = now ? JSON.stringify(toRecord(now)) : null;
      if (c.action === 'insert') {
        db.prepare('DELETE FROM eligibility WHERE id = ?').run(c.record_id);
        log.run('delete', c.record_id, c.student_id, nowJson, null, at, note);
        result.deleted++;
        continue;
      }
      const before = JSON.parse(c.before!) as EligibilityRecord;
      db.prepare(`INSERT OR REPLACE INTO eligibility (id, student_id, school_year, start_date, end_date, eligibility, source,
        certified_type, application_name, reference_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(before.id,
        before.studentId, before.schoolYear, before.startDate, before.endDate, before.eligibility, before.source,
        before.certifiedType, before.applicationName, before.referenceNumber);
      log.run(c.action === 'delete' ? 'insert' : 'update', c.record_id, c.student_id, nowJson, c.before, at, note);
      if (c.action === 'delete') result.reinserted++;
      else result.restored++;
    }
    // The run's files count as not imported again, so a corrected re-drop imports.
    db.prepare('DELETE FROM imported_files WHERE run_id = ?').run(runId);
    db.prepare('UPDATE runs SET reverted_at = ? WHERE id = ?').run(at, runId);
    return result;
  }).immediate();
}
