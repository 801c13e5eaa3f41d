// The student roster (SPEC 5): upserted by SIS student number, matched by State ID.

import type { Db } from './db.js';

export interface Student {
  stateId: string;
  studentNumber: string;
  lastName: string;
  firstName: string;
  birthDate: string | null;
  school: string;
  grade: string;
}

export interface LoadCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  deactivated: number;
}

/** Upserts students in one transaction; with `replace`, students not in `students` are marked inactive. */
export function upsertStudents(db: Db, students: Iterable<Student>, replace: boolean): LoadCounts {
  const counts: LoadCounts = { inserted: 0, updated: 0, unchanged: 0, deactivated: 0 };
  const find = db.prepare(`SELECT id, state_id, last_name, first_name, birth_date, school, grade, active
    FROM students WHERE student_number = ?`);
  const insert = db.prepare(`INSERT INTO students (student_number, state_id, last_name, first_name, birth_date, school, grade)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const update = db.prepare(`UPDATE students SET state_id = ?, last_name = ?, first_name = ?, birth_date = ?, school = ?,
    grade = ?, active = 1 WHERE id = ?`);
  db.transaction(() => {
    if (replace) db.exec('CREATE TEMP TABLE IF NOT EXISTS seen (student_number TEXT PRIMARY KEY); DELETE FROM seen;');
    const seen = replace ? db.prepare('INSERT OR IGNORE INTO seen VALUES (?)') : null;
    for (const s of students) {
      seen?.run(s.studentNumber);
      const row = find.get(s.studentNumber) as Record<string, string | number | null> | undefined;
      if (!row) {
        insert.run(s.studentNumber, s.stateId, s.lastName, s.firstName, s.birthDate, s.school, s.grade);
        counts.inserted++;
      } else if (row.state_id !== s.stateId || row.last_name !== s.lastName || row.first_name !== s.firstName
        || row.birth_date !== s.birthDate || row.school !== s.school || row.grade !== s.grade || row.active !== 1) {
        update.run(s.stateId, s.lastName, s.firstName, s.birthDate, s.school, s.grade, row.id);
        counts.updated++;
      } else counts.unchanged++;
    }
    if (replace) {
      counts.deactivated = db.prepare(`UPDATE students SET active = 0 WHERE active = 1
        AND student_number NOT IN (SELECT student_number FROM seen)`).run().changes;
      db.exec('DROP TABLE seen');
    }
  })();
  return counts;
}

/**
 * Identifier -> student id for matching. Inactive students still match (withdrawn students still
 * have eligibility). An identifier held by several students maps to -1 (ERROR 2001).
 */
export function studentKeys(db: Db, identifier: 'stateId' | 'studentNumber'): Map<string, number> {
  const column = identifier === 'stateId' ? 'state_id' : 'student_number';
  const keys = new Map<string, number>();
  // Pages along the column's index (which covers it and the id), far cheaper than a row-by-row iterator.
  const page = db.prepare(`SELECT ${column}, id FROM students WHERE (${column}, id) > (?, ?) ORDER BY ${column}, id LIMIT 50000`).raw(true);
  for (let last: [string, number] = ['', 0]; ;) {
    const rows = page.all(last[0], last[1]) as [string, number][];
    for (const [key, id] of rows) keys.set(key, keys.has(key) ? -1 : id);
    if (rows.length < 50000) return keys;
    last = rows[rows.length - 1];
  }
}
