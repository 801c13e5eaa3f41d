// One staged file through parse -> map -> validate -> match -> reconcile, in ONE transaction
// (SPEC 6.6, 7). A test run uses the same code and rolls back.

import { compileMapping, mapLine, problem, type CompiledMapping } from '../domain/line.js';
import { reconcile, statusOf } from '../domain/reconcile.js';
import { ChangeTally, YearTally, isMassChange, isWrongYear } from '../domain/guards.js';
import { schoolYearLabel } from '../domain/dates.js';
import { FramError, errorCode, localFailure, unexpected } from '../errors.js';
import { readRows, UnreadableText } from './read-rows.js';
import type { HeldRecords } from '../store/held-records.js';
import type { EligibilityStore } from '../store/eligibility.js';
import type { FileTransaction } from '../store/import-stores.js';
import type { RunStore } from '../store/runs.js';
import type { ReportSink } from './report-sink.js';
import type { CertifiedType, IsoDate, Mapping, Problem } from '../domain/types.js';
import type { ReportSummary } from '../domain/run-report.js';
import type { StudentKeys } from '../store/students.js';

export interface FileJob {
  eligibility: EligibilityStore;
  runs: RunStore;
  /** The file's one transaction: begun before the first line, committed or rolled back after the last. */
  tx: FileTransaction;
  /** What each student holds, read inside the transaction. */
  heldRecords: () => HeldRecords;
  runId: number;
  test: boolean;
  approveChanges: boolean;
  maxChangeRatio: number;
  /** The run's date in FRAM_TZ: the mass-change guard weighs the records active on it. */
  today: IsoDate;
  mapping: Mapping;
  certifiedTypes: CertifiedType[];
  students: StudentKeys;
  name: string;
  sha256: string;
  stagedPath: string;
  sink: ReportSink;
  /** Aborted: the file stops at its next line and rolls back (5014). */
  signal?: AbortSignal;
  /** Called every PROGRESS_EVERY lines with the lines read so far (the log's `file:progress`). */
  progress?: (lines: number) => void;
  /** Called right after the file's transaction committed (the log's `file:committed`). */
  committed?: () => void;
}

export const PROGRESS_EVERY = 50_000;

export interface FileResult {
  status: 'imported' | 'rejected' | 'held';
  /** The file's physical lines, header included; for a file that could not be read to its end, the line it stopped on. */
  lines: number;
  counts: ReportSummary;
  error: FramError | null;
}

export function emptyCounts(): ReportSummary {
  return { new: 0, ended: 0, removed: 0, existing: 0, errors: 0, warnings: 0 };
}

export async function processFile(job: FileJob): Promise<FileResult> {
  const { eligibility, mapping, runId, sink, tx } = job;
  const counts = emptyCounts();
  const tally = new YearTally();
  const year = mapping.schoolYear;
  // Read inside the file's transaction, below.
  let activeBefore: number;
  let held: HeldRecords;
  let changes: ChangeTally;
  let rows = 0;
  let lines = 0; // the physical line count once the file is read; until then the last line read
  let cm: CompiledMapping | null = mapping.hasHeader ? null : compile(job, null);

  const report = (line: number, p: Problem) => {
    if (p.severity === 'error') counts.errors++;
    else counts.warnings++;
    sink.message(line, p);
  };

  const onRow = (fields: string[], line: number) => {
    if (job.signal?.aborted) throw new FramError(5014);
    lines = line;
    if (!cm) {
      cm = compile(job, fields);
      return;
    }
    rows++;
    if (rows % PROGRESS_EVERY === 0) job.progress?.(rows);
    const m = mapLine(fields, cm);
    if (m.startDate) tally.add(m.startDate);
    const studentId = job.students.get(m.key);
    if (studentId === undefined) report(line, problem(1001, { id: m.key }));
    else if (studentId < 0) report(line, problem(2001, { id: m.key }));
    for (const p of m.problems) report(line, p);
    if (studentId === undefined || studentId < 0 || !m.record) return;

    if (held.holds(studentId, m.record)) {
      counts.existing++; // rule 1, from memory: most lines of a daily snapshot end here
      return;
    }
    const outcome = reconcile(m.record, held.has(studentId) ? eligibility.forStudent(studentId) : []);
    if (outcome.result === 'existing') counts.existing++;
    for (const change of outcome.changes) {
      changes.add(change);
      const record = eligibility.apply(change, studentId, runId);
      held.changed(studentId);
      const status = statusOf(change);
      if (status === 'New') counts.new++;
      else if (status === 'Ended') counts.ended++;
      else if (status === 'Removed') counts.removed++;
      sink.update(record, status);
    }
    for (const p of outcome.problems) report(line, p);
  };

  let status: FileResult['status'] = 'imported';
  let error: FramError | null = null;
  await tx.begin();
  try {
    eligibility.deferIndexIfEmpty();
    activeBefore = eligibility.countActive(year, job.today);
    changes = new ChangeTally(year, job.today, eligibility.maxId());
    held = job.heldRecords();
    lines = (await readRows(job.stagedPath, { fileType: mapping.fileType, encoding: mapping.encoding }, onRow)).lines;
    if (isWrongYear(tally, year)) {
      const looksLike = tally.mostCommon();
      error = new FramError(5008, {
        file: job.name,
        looksLike: looksLike === null ? 'unknown' : schoolYearLabel(looksLike),
        outside: tally.outside(year),
        dated: tally.dated,
        year: schoolYearLabel(year),
      });
      status = 'rejected';
    } else if (!job.approveChanges && isMassChange(changes.changed, activeBefore, job.maxChangeRatio)) {
      const changed = changes.changed;
      error = new FramError(5009, {
        file: job.name,
        changed,
        active: activeBefore,
        year: schoolYearLabel(year),
        percent: Math.round((changed / activeBefore) * 1000) / 10,
        limit: Math.round(job.maxChangeRatio * 1000) / 10,
      });
      status = 'held';
    }
    if (status === 'imported' && !job.test) {
      job.runs.markImported(job.sha256, runId, job.name);
      tx.commit();
      job.committed?.();
    } else tx.rollback();
  } catch (e) {
    tx.rollback();
    status = 'rejected';
    error = failureOf(e, job);
  }
  // A held file's report shows what it would have done, as a test run's does (its rows are kept
  // only where they outlive the rollback: a test run's spill sink).
  const shows = status === 'imported' || status === 'held';
  await sink.finish(shows);
  return shows ? { status, lines, counts, error } : { status, lines, counts: emptyCounts(), error };
}

/** Why a file failed, as the catalog names it: text that cannot be read is 5010, the disk or store by what they are. */
function failureOf(e: unknown, job: FileJob): FramError {
  if (e instanceof FramError) return e;
  if (e instanceof UnreadableText) return new FramError(5010, { file: job.name, reason: e.message }, { cause: e });
  const code = errorCode(e);
  if (code && (/^E[A-Z]+$/.test(code) || code.startsWith('SQLITE_')))
    return localFailure(e, job.stagedPath, `importing '${job.name}'`);
  return unexpected(e, `importing '${job.name}'`);
}

function compile(job: FileJob, header: string[] | null): CompiledMapping {
  const cm = compileMapping(job.mapping, header, job.certifiedTypes);
  if ('missingColumns' in cm) {
    throw new FramError(5010, {
      file: job.name,
      reason: `the header has no column ${cm.missingColumns.map((c) => `'${c}'`).join(', ')}`,
    });
  }
  return cm;
}
