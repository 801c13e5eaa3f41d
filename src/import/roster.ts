// Reads a SIS roster export (SPEC 5) into students, rejecting rows it cannot use, with their line.

import { trimField } from '../domain/text.js';
import { parseDate } from '../domain/dates.js';
import { readRows } from './read-rows.js';
import type { Student } from '../store/students.js';

export const ROSTER_FIELDS = ['stateId', 'studentNumber', 'lastName', 'firstName', 'birthDate', 'school', 'grade'] as const;
export type RosterField = (typeof ROSTER_FIELDS)[number];

export interface RosterResult {
  students: Student[];
  rejected: { line: number; reason: string }[];
}

/** `headers` renames columns: { stateId: 'SASID' } reads the State ID from the column headed SASID. */
export async function readRoster(path: string, headers: Partial<Record<RosterField, string>> = {}): Promise<RosterResult> {
  const result: RosterResult = { students: [], rejected: [] };
  let index: Record<RosterField, number> | null = null;
  await readRows(path, { fileType: 'csv', encoding: 'auto' }, (fields, line) => {
    if (!index) {
      index = columnsOf(
        fields.map((f) => trimField(f).toLowerCase()),
        headers,
      );
      return;
    }
    const get = (f: RosterField) => (index![f] >= 0 ? trimField(fields[index![f]] ?? '') : '');
    const rawBirth = get('birthDate');
    const birthDate = rawBirth === '' ? null : (parseDate(rawBirth, 'YYYY-MM-DD') ?? parseDate(rawBirth, 'M/D/YYYY'));
    const reason = !get('stateId')
      ? 'State ID is empty'
      : !get('studentNumber')
        ? 'student number is empty'
        : rawBirth && !birthDate
          ? `birth date '${rawBirth}' is neither YYYY-MM-DD nor M/D/YYYY`
          : null;
    if (reason) {
      result.rejected.push({ line, reason });
      return;
    }
    result.students.push({
      stateId: get('stateId'),
      studentNumber: get('studentNumber'),
      lastName: get('lastName'),
      firstName: get('firstName'),
      birthDate,
      school: get('school'),
      grade: get('grade'),
    });
  });
  return result;
}

function columnsOf(header: string[], names: Partial<Record<RosterField, string>>): Record<RosterField, number> {
  const index = {} as Record<RosterField, number>;
  for (const f of ROSTER_FIELDS) index[f] = header.indexOf((names[f] ?? f).toLowerCase());
  const missing = (['stateId', 'studentNumber'] as const).filter((f) => index[f] < 0);
  if (missing.length) {
    throw new Error(`the roster's header has no column ${missing.map((f) => `'${names[f] ?? f}'`).join(' or ')}`);
  }
  return index;
}
