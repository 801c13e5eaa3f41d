// Reads one run's report from its rows, streaming messages and updated records.

import type { Db } from './db.js';
import type { ReportFile, ReportHeader, ReportMessage, ReportSource, ReportUpdate } from '../domain/run-report.js';

interface RunRow {
  id: number;
  import: string;
  mapping: string;
  school_year: number;
  mode: 'test' | 'run';
  status: ReportHeader['status'];
  trigger_kind: ReportHeader['trigger']['kind'];
  trigger_by: string | null;
  started_at: string;
  finished_at: string | null;
  new: number;
  ended: number;
  removed: number;
  existing: number;
  errors: number;
  warnings: number;
  error_code: number | null;
  error_text: string | null;
  notices: string;
  include_updated: number;
}

export function readHeader(db: Db, runId: number): ReportHeader | null {
  const r = db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow | undefined;
  if (!r) return null;
  const files = (
    db.prepare('SELECT * FROM file_ledger WHERE run_id = ? ORDER BY id').all(runId) as {
      name: string;
      size: number;
      sha256: string | null;
      renamed_to: string | null;
      state: ReportFile['status'];
      lines: number;
      imported_by_run: number | null;
      error_code: number | null;
      error_text: string | null;
      listing_key: string | null;
    }[]
  ).map((f): ReportFile => ({
    name: f.name,
    size: f.size,
    sha256: f.sha256,
    renamedTo: f.renamed_to,
    status: f.state,
    lines: f.lines,
    importedByRun: f.imported_by_run,
    listingKey: f.listing_key,
    error: f.error_code === null ? null : { code: f.error_code, text: f.error_text ?? '' },
  }));
  return {
    runId: r.id,
    import: r.import,
    mapping: r.mapping,
    schoolYear: r.school_year,
    mode: r.mode,
    status: r.status,
    trigger: { kind: r.trigger_kind, by: r.trigger_by },
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    summary: { new: r.new, ended: r.ended, removed: r.removed, existing: r.existing, errors: r.errors, warnings: r.warnings },
    files,
    runError: r.error_code === null ? null : { code: r.error_code, text: r.error_text ?? '' },
    includeUpdatedRecords: r.include_updated === 1,
    notices: JSON.parse(r.notices) as string[],
  };
}

export function readReport(db: Db, runId: number): ReportSource | null {
  const header = readHeader(db, runId);
  if (!header) return null;
  return {
    header,
    *messages(): Iterable<ReportMessage> {
      // 'error' sorts before 'warning'; ids follow file order, then line order within a file.
      yield* db
        .prepare(
          `SELECT file, line, severity, code, text FROM run_messages WHERE run_id = ?
        ORDER BY severity, id`,
        )
        .iterate(runId) as Iterable<ReportMessage>;
    },
    *updated(): Iterable<ReportUpdate> {
      // A real run's Updated Records are its change log; a test run's were kept apart (its changes were rolled back).
      // A real run's held files show what they would have done: those rows were kept as a test run's are.
      const tables = header.mode === 'run' ? ['change_history', 'test_updates'] : ['test_updates'];
      for (const table of tables) {
        const rows = db.prepare(`SELECT s.state_id AS stateId, s.last_name || ', ' || s.first_name AS name,
          u.school_year AS schoolYear, u.start_date AS startDate, u.end_date AS endDate, u.eligibility, u.source,
          u.certified_type AS certifiedType, u.application_name AS applicationName, u.reference_number AS referenceNumber,
          u.status FROM ${table} u JOIN students s ON s.id = u.student_id WHERE u.run_id = ? ORDER BY u.id`);
        yield* rows.iterate(runId) as Iterable<ReportUpdate>;
      }
    },
  };
}
