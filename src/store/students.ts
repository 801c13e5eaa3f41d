// The student roster (SPEC 5): upserted by SIS student number, matched by State ID.

import type { Db } from './db.js';
import { KeyTable } from './key-table.js';
import { eachEntry, PAGE } from './pages.js';

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
      } else if (
        row.state_id !== s.stateId ||
        row.last_name !== s.lastName ||
        row.first_name !== s.firstName ||
        row.birth_date !== s.birthDate ||
        row.school !== s.school ||
        row.grade !== s.grade ||
        row.active !== 1
      ) {
        update.run(s.stateId, s.lastName, s.firstName, s.birthDate, s.school, s.grade, row.id);
        counts.updated++;
      } else counts.unchanged++;
    }
    if (replace) {
      counts.deactivated = db
        .prepare(
          `UPDATE students SET active = 0 WHERE active = 1
        AND student_number NOT IN (SELECT student_number FROM seen)`,
        )
        .run().changes;
      db.exec('DROP TABLE seen');
    }
  })();
  return counts;
}

/** Identifier -> student id; a negative id marks an identifier shared by several students (ERROR 2001). */
export interface StudentKeys {
  get(key: string): number | undefined;
}

const SHARED = -2;

/**
 * Identifier -> student id for matching. Inactive students still match (withdrawn students still
 * have eligibility). Read in pages of `key,id` entries.
 */
export function studentKeys(db: Db, identifier: 'stateId' | 'studentNumber'): StudentKeys {
  const column = identifier === 'stateId' ? 'state_id' : 'student_number';
  const { n, max } = db.prepare('SELECT count(*) AS n, coalesce(max(id), 0) AS max FROM students').get() as {
    n: number;
    max: number;
  };
  const table = new KeyTable(n);
  const add = (s: string, start: number, end: number, id: number) => {
    if (table.set(s, start, end, id) !== -1) table.set(s, start, end, SHARED);
  };
  const page = db
    .prepare(`SELECT group_concat(${column} || ',' || id, ';'), count(*) FROM students WHERE id > ? AND id <= ?`)
    .raw(true);
  const rows = db.prepare(`SELECT ${column}, id FROM students WHERE id > ? AND id <= ?`).raw(true);
  for (let from = 0; from < max; from += PAGE) {
    const [entries, count] = page.get(from, from + PAGE) as [string | null, number];
    const paged = eachEntry(entries, count, (start, end) => {
      const comma = entries!.lastIndexOf(',', end - 1); // keys may hold commas, ids do not
      if (comma < start) throw new Error(`unexpected entry in a page of students: ${entries!.slice(start, end)}`);
      let id = 0;
      for (let i = comma + 1; i < end; i++) id = id * 10 + entries!.charCodeAt(i) - 48;
      add(entries!, start, comma, id);
    });
    if (!paged)
      for (const [key, id] of rows.iterate(from, from + PAGE) as Iterable<[string, number]>) add(key, 0, key.length, id);
  }
  return {
    get(key: string): number | undefined {
      const id = table.find(key);
      return id === -1 ? undefined : id;
    },
  };
}
