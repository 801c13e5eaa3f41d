// Reconciliation of one valid line against a student's records (SPEC 7.3). Pure: it returns the
// changes to make; the caller applies them in the file's transaction.

import { addDays, usDate } from './dates.js';
import { eligibilityLevel, problem } from './line.js';
import { ELIGIBILITY_LABELS, type Eligibility, type EligibilityRecord, type LineRecord, type Problem, type Source, type UpdateStatus } from './types.js';

export type Change =
  | { kind: 'insert'; record: LineRecord }
  | { kind: 'end'; record: EligibilityRecord; endDate: string }
  | { kind: 'delete'; record: EligibilityRecord }
  | { kind: 'retype'; record: EligibilityRecord; source: Source; certifiedType: string | null };

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
  return r.eligibility === 'S' ? 'Paid' : `${ELIGIBILITY_LABELS[r.eligibility]} ${r.source === 'direct' ? 'Direct' : 'Non-Direct'}`;
}

function overlaps(r: EligibilityRecord, start: string, end: string): boolean {
  return r.startDate <= end && r.endDate >= start;
}

/** The status a change shows in the report's Updated Records. */
export function statusOf(change: Change): UpdateStatus {
  switch (change.kind) {
    case 'insert': return 'New';
    case 'end': return 'Ended';
    case 'delete': return 'Removed';
    case 'retype': return 'Updated';
  }
}

export function reconcile(line: LineRecord, existing: readonly EligibilityRecord[]): Outcome {
  const { startDate: S, endDate: E } = line;

  // 1. The same record is already held.
  for (const r of existing) {
    if (r.startDate === S && r.endDate === E && r.eligibility === line.eligibility
      && r.source === line.source && r.certifiedType === line.certifiedType) {
      return { result: 'existing', changes: [], problems: [] };
    }
  }

  // 2. Direct certification of higher rank in the same school year is never undone by a POS line.
  const lineRank = rank(line.eligibility, line.source);
  for (const r of existing) {
    if (r.source === 'direct' && r.schoolYear === line.schoolYear && overlaps(r, S, E)
      && rank(r.eligibility, r.source) > lineRank) {
      return {
        result: 'existing',
        changes: [],
        problems: [problem(3101, { kept: describe(r), start: usDate(r.startDate), end: usDate(r.endDate) })],
      };
    }
  }

  // 3. A Direct line confirms a record of the same start and eligibility: retype it in place.
  if (line.source === 'direct') {
    for (const r of existing) {
      if (r.startDate === S && r.eligibility === line.eligibility
        && (r.source !== 'direct' || r.certifiedType !== line.certifiedType)) {
        return {
          result: 'existing',
          changes: [{ kind: 'retype', record: r, source: 'direct', certifiedType: line.certifiedType }],
          problems: [problem(3037, { type: line.certifiedType ?? 'Direct' })],
        };
      }
    }
  }

  // 4. Insert; end what started before, remove what starts on or after.
  const changes: Change[] = [{ kind: 'insert', record: line }];
  const problems: Problem[] = [];
  for (const r of existing) {
    if (!overlaps(r, S, E)) continue;
    changes.push(r.startDate < S ? { kind: 'end', record: r, endDate: addDays(S, -1) } : { kind: 'delete', record: r });
    if (eligibilityLevel(line.eligibility) < eligibilityLevel(r.eligibility)) {
      problems.push(problem(3102, {
        from: ELIGIBILITY_LABELS[r.eligibility], to: ELIGIBILITY_LABELS[line.eligibility], start: usDate(S), end: usDate(E),
      }));
    }
  }
  return { result: 'new', changes, problems };
}
