// Runs, their lock, the file ledger, and the report rows (messages and updated records).

import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import { formatMessage } from '../errors.js';
import { tryRunLock, type RunLock } from './run-lock.js';
import type { Problem, UpdateStatus, EligibilityRecord } from '../domain/types.js';
import type { FileStatus, ReportSummary } from '../domain/run-report.js';

export interface NewRun {
  import: string;
  mapping: string;
  schoolYear: number;
  mode: 'test' | 'run';
  trigger: { kind: 'schedule' | 'manual' | 'batch' | 'api'; by: string | null };
  startedAt: string;
  notices: string[];
  includeUpdated: boolean;
  /** Survives retention and `logs clear --import` (a batch run submitted with --keep). */
  keep?: boolean;
}

export interface LedgerEntry {
  name: string;
  size: number;
  mtime: string | null;
  sha256: string | null;
  state: FileStatus;
  lines: number;
  renamedTo: string | null;
  importedByRun: number | null;
  error: { code: number; text: string } | null;
  /** The sha256 of the name, size and modified time: how a file that was never downloaded is named. */
  listingKey?: string | null;
}

/** A report row of a file: a message of a line, or an Updated Record with its status. */
export type ReportRow = ['m', number, Problem] | ['u', EligibilityRecord, UpdateStatus];

/** This process in run_locks (for a person reading the row; the kernel lock decides, see run-lock.ts). */
const OWNER = randomUUID();

export function createRunStore(db: Db) {
  const addMessage = db.prepare('INSERT INTO run_messages (run_id, file, line, severity, code, text) VALUES (?, ?, ?, ?, ?, ?)');
  const addTestUpdate = db.prepare(`INSERT INTO test_updates (run_id, student_id, school_year, start_date, end_date, eligibility,
    source, certified_type, application_name, reference_number, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  return {
    create(run: NewRun): number {
      return Number(
        db
          .prepare(
            `INSERT INTO runs (import, mapping, school_year, mode, status, trigger_kind, trigger_by,
        started_at, notices, include_updated, keep) VALUES (?, ?, ?, ?, 'Running', ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            run.import,
            run.mapping,
            run.schoolYear,
            run.mode,
            run.trigger.kind,
            run.trigger.by,
            run.startedAt,
            JSON.stringify(run.notices),
            run.includeUpdated ? 1 : 0,
            run.keep ? 1 : 0,
          ).lastInsertRowid,
      );
    },

    /**
     * The run's row, in one transaction with, when this process holds the import's run lock, the
     * lock's row: every other run of the import still Running then belongs to a dead process (a live
     * one would hold the lock), so it is reaped as interrupted.
     */
    start(run: NewRun, holdsLock: boolean): number {
      return db
        .transaction(() => {
          const runId = this.create(run);
          if (holdsLock) {
            const dead = db
              .prepare("SELECT id FROM runs WHERE import = ? AND status = 'Running' AND id <> ?")
              .pluck()
              .all(run.import, runId) as number[];
            for (const id of dead) this.reap(id, run.startedAt);
            db.prepare('INSERT OR REPLACE INTO run_locks (import, run_id, pid, owner, since) VALUES (?, ?, ?, ?, ?)').run(
              run.import,
              runId,
              process.pid,
              OWNER,
              run.startedAt,
            );
          }
          return runId;
        })
        .immediate();
    },

    /** The run that holds the import's lock, as its row says (or the import's latest Running run), if known. */
    holder(importName: string): number | null {
      const row = db.prepare('SELECT run_id FROM run_locks WHERE import = ?').pluck().get(importName) as number | undefined;
      return (
        row ??
        (db.prepare("SELECT max(id) FROM runs WHERE import = ? AND status = 'Running'").pluck().get(importName) as number | null)
      );
    },

    /** The run's outcome, and its lock row gone, in one transaction. */
    finish(
      runId: number,
      status: 'Successful' | 'Unsuccessful',
      finishedAt: string,
      summary: ReportSummary,
      error: { code: number; text: string } | null,
    ): void {
      db.transaction(() => {
        db.prepare(
          `UPDATE runs SET status = ?, finished_at = ?, new = ?, ended = ?, removed = ?, existing = ?, errors = ?,
          warnings = ?, error_code = ?, error_text = ? WHERE id = ?`,
        ).run(
          status,
          finishedAt,
          summary.new,
          summary.ended,
          summary.removed,
          summary.existing,
          summary.errors,
          summary.warnings,
          error?.code ?? null,
          error?.text ?? null,
          runId,
        );
        db.prepare('DELETE FROM run_locks WHERE run_id = ?').run(runId);
      }).immediate();
    },

    /** Marks a run that never finished (its process died) as interrupted. */
    reap(runId: number, at: string): void {
      db.prepare(
        `UPDATE runs SET status = 'Unsuccessful', finished_at = ?, error_code = 5014, error_text = ?
        WHERE id = ? AND status = 'Running'`,
      ).run(at, formatMessage(5014), runId);
      db.prepare('DELETE FROM run_locks WHERE run_id = ?').run(runId);
    },

    /**
     * At start-up: every run left Running, and every lock row, of an import whose run lock nobody
     * holds (its process died). An import another process is running keeps its rows.
     */
    reapStale(at: string, dataDir: string): number {
      const held: RunLock[] = [];
      try {
        return db
          .transaction(() => {
            const imports = db
              .prepare(
                `SELECT import FROM runs WHERE status = 'Running'
            UNION SELECT import FROM run_locks`,
              )
              .pluck()
              .all() as string[];
            let n = 0;
            for (const name of imports) {
              // Held until the reaping commits, so no new run of the import can start in between.
              const lock = tryRunLock(dataDir, name);
              if (!lock) continue;
              held.push(lock);
              const stale = db
                .prepare(
                  `SELECT id FROM runs WHERE import = ? AND status = 'Running'
              UNION SELECT run_id FROM run_locks WHERE import = ?`,
                )
                .pluck()
                .all(name, name) as number[];
              for (const id of stale) this.reap(id, at);
              n += stale.length;
            }
            return n;
          })
          .immediate();
      } finally {
        for (const l of held) l.release();
      }
    },

    ledger(runId: number, importName: string, e: LedgerEntry): void {
      db.prepare(
        `INSERT INTO file_ledger (run_id, import, name, size, mtime, sha256, state, lines, renamed_to,
        imported_by_run, error_code, error_text, listing_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        runId,
        importName,
        e.name,
        e.size,
        e.mtime,
        e.sha256,
        e.state,
        e.lines,
        e.renamedTo,
        e.importedByRun,
        e.error?.code ?? null,
        e.error?.text ?? null,
        e.listingKey ?? null,
      );
    },

    message(runId: number, file: string, line: number, p: Problem): void {
      addMessage.run(runId, file, line, p.severity, p.code, p.text);
    },

    /** A test run's Updated Records row (a real run's are its change log). */
    testUpdate(runId: number, r: EligibilityRecord, status: UpdateStatus): void {
      addTestUpdate.run(
        runId,
        r.studentId,
        r.schoolYear,
        r.startDate,
        r.endDate,
        r.eligibility,
        r.source,
        r.certifiedType,
        r.applicationName,
        r.referenceNumber,
        status,
      );
    },

    /** A test run's rows of one file, kept aside during its transaction, written in one transaction after it rolled back. */
    reportRows(runId: number, file: string, rows: readonly ReportRow[]): void {
      db.transaction(() => {
        for (const r of rows) {
          if (r[0] === 'm') this.message(runId, file, r[1], r[2]);
          else this.testUpdate(runId, r[1], r[2]);
        }
      })();
    },

    /** The run that imported a file with this content, if a real run did. */
    importedBy(sha256: string): number | null {
      const row = db.prepare('SELECT run_id FROM imported_files WHERE sha256 = ?').get(sha256) as { run_id: number } | undefined;
      return row?.run_id ?? null;
    },

    /** Runs still marked Running: their staging folders are in use. */
    runningIds(): Set<number> {
      return new Set((db.prepare("SELECT id FROM runs WHERE status = 'Running'").all() as { id: number }[]).map((r) => r.id));
    },

    markImported(sha256: string, runId: number, name: string): void {
      db.prepare('INSERT INTO imported_files (sha256, run_id, name) VALUES (?, ?, ?)').run(sha256, runId, name);
    },
  };
}

export type RunStore = ReturnType<typeof createRunStore>;
