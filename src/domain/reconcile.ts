// Reconciliation of one valid line against a student's records (SPEC 7.3). Pure: it returns the
// changes to make; the caller applies them in the file's transaction.

import { addDays, schoolYearLabel, usDate } from './dates.js';
import { eligibilityLevel, problem } from './line.js';
import { holdsSame } from './record-key.js';
import {
  ELIGIBILITY_LABELS,
  type Eligibility,
  type EligibilityRecord,
  type LineRecord,
  type Problem,
  type Source,
  type UpdateStatus,
} from './types.js';

export type Change =
  | { kind: 'insert'; record: LineRecord }
  | { kind: 'end'; record: EligibilityRecord; endDate: string }
  | { kind: 'delete'; record: EligibilityRecord }
  | { kind: 'retype'; record: EligibilityRecord; source: Source; certifiedType: string | null; endDate: string };

export interface Outcome {
  /** What the line counts as: 'existing' when nothing new was inserted. */
  result: 'new' | 'existing';
  changes: Change[];
  problems: Problem[];
}

/** Free Direct > Free Non-Direct > Reduced Direct > Reduced Non-Direct > Paid. */
export function rank(eligibility: Eligibility, source: Source): number {
  if (eligibility === 'S') return 1;
  return (eligibility === 'F' ? 4 : 2) + (source === 'direct' ? 1 : 0);
}

function describe(r: { eligibility: Eligibility; source: Source }): string {
  return r.eligibility === 'S'
    ? 'Paid'
    : `${ELIGIBILITY_LABELS[r.eligibility]} ${r.source === 'direct' ? 'Direct' : 'Non-Direct'}`;
}

function overlaps(r: EligibilityRecord, start: string, end: string): boolean {
  return r.startDate <= end && r.endDate >= start;
}

/** The status a change shows in the report's Updated Records. */
export function statusOf(change: Change): UpdateStatus {
  switch (change.kind) {
    case 'insert':
      return 'New';
    case 'end':
      return 'Ended';
    case 'delete':
      return 'Removed';
    case 'retype':
      return 'Updated';
  }
}

const unchanged = (): Outcome => ({ result: 'existing', changes: [], problems: [] });

export function reconcile(line: LineRecord, existing: readonly EligibilityRecord[]): Outcome {
  // 1. The same record is already held: checked on the line as sent first, which is exactly the
  // in-memory check most lines of a daily snapshot end at (such a record overlaps no other).
  if (holdsSame(existing, line)) return unchanged();

  // 0. A record of a later school year is never changed: the line ends the day before it starts.
  let later: EligibilityRecord | null = null;
  for (const r of existing) {
    if (
      r.schoolYear > line.schoolYear &&
      overlaps(r, line.startDate, line.endDate) &&
      (later === null || r.startDate < later.startDate)
    )
      later = r;
  }
  if (later === null) return decide(line, existing);
  const endDate = addDays(later.startDate, -1);
  const cut = problem(3104, {
    from: usDate(line.endDate),
    to: usDate(endDate),
    year: schoolYearLabel(later.schoolYear),
    start: usDate(later.startDate),
  });
  // Nothing of the line is left before the later record: it is not applied, and says why.
  if (endDate < line.startDate) return { result: 'existing', changes: [], problems: [cut] };
  const shorter = { ...line, endDate };
  // 1 again, for the shorter period: a re-send of a line applied in its cut form stays silent.
  if (holdsSame(existing, shorter)) return unchanged();
  const outcome = decide(shorter, existing);
  if (outcome.changes.length > 0) outcome.problems.unshift(cut);
  return outcome;
}

/** Rules 2 to 4 for a line that overlaps no record of a later school year and is not held already. */
function decide(line: LineRecord, existing: readonly EligibilityRecord[]): Outcome {
  const { startDate: S, endDate: E } = line;

  // 2. Direct certification of higher rank in the same school year is never undone by a POS line.
  // The warning names the highest-ranked such record, the earliest on a tie.
  const lineRank = rank(line.eligibility, line.source);
  let kept: EligibilityRecord | null = null;
  for (const r of existing) {
    if (r.source !== 'direct' || r.schoolYear !== line.schoolYear || !overlaps(r, S, E)) continue;
    const rRank = rank(r.eligibility, r.source);
    if (rRank <= lineRank) continue;
    const keptRank = kept === null ? 0 : rank(kept.eligibility, kept.source);
    if (rRank > keptRank || (rRank === keptRank && r.startDate < kept!.startDate)) kept = r;
  }
  if (kept !== null) {
    return {
      result: 'existing',
      changes: [],
      problems: [problem(3101, { kept: describe(kept), start: usDate(kept.startDate), end: usDate(kept.endDate) })],
    };
  }

  // 3. A Direct line confirms a record of the same start and eligibility: retype it in place, extend
  // it to the line's end, and supersede what then overlaps it, so Direct covers the line's period.
  if (line.source === 'direct') {
    const r = existing.find(
      (x) =>
        x.startDate === S &&
        x.eligibility === line.eligibility &&
        (x.source !== 'direct' || x.certifiedType !== line.certifiedType),
    );
    if (r) {
      const endDate = E > r.endDate ? E : r.endDate;
      const changes: Change[] = [{ kind: 'retype', record: r, source: 'direct', certifiedType: line.certifiedType, endDate }];
      const problems = [problem(3037, { type: line.certifiedType ?? 'Direct' })];
      supersede(
        line,
        existing.filter((x) => x !== r),
        endDate,
        changes,
        problems,
      );
      return { result: 'existing', changes, problems };
    }
  }

  // 4. Insert; end what started before, remove what starts on or after.
  const changes: Change[] = [{ kind: 'insert', record: line }];
  const problems: Problem[] = [];
  supersede(line, existing, E, changes, problems);
  return { result: 'new', changes, problems };
}

/**
 * Rule 4's ends and removals for a period from the line's start to `end`: a record that starts
 * before is ended the day before, one that starts on or after is removed. Lowering the eligibility
 * of a record of the line's own school year gets 3102, naming that record's period; a carryover
 * record of an earlier year is superseded without a warning. A later year is never touched (rule 0).
 */
function supersede(
  line: LineRecord,
  records: readonly EligibilityRecord[],
  end: string,
  changes: Change[],
  problems: Problem[],
): void {
  const S = line.startDate;
  for (const r of records) {
    if (r.schoolYear > line.schoolYear || !overlaps(r, S, end)) continue;
    changes.push(r.startDate < S ? { kind: 'end', record: r, endDate: addDays(S, -1) } : { kind: 'delete', record: r });
    if (r.schoolYear === line.schoolYear && eligibilityLevel(line.eligibility) < eligibilityLevel(r.eligibility)) {
      problems.push(
        problem(3102, {
          from: ELIGIBILITY_LABELS[r.eligibility],
          to: ELIGIBILITY_LABELS[line.eligibility],
          start: usDate(r.startDate),
          end: usDate(r.endDate),
        }),
      );
    }
  }
}
