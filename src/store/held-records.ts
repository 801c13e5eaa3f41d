// What each student holds, read once per file inside its transaction, so that reconciliation's
// rule 1 ("this exact record is already held": most lines of a daily snapshot) needs no query per
// line. Exact: a record is keyed by rule 1's own key (src/domain/record-key.ts, which reconcile
// uses too), and a student this file has changed is asked of the store again. A miss only sends
// the line down the full path (the student's records from SQL), which is exact too.

import type { Db } from './db.js';
import { eachEntry, PAGE } from './pages.js';
import { lineKey, recordKey, type Compared } from '../domain/record-key.js';

/** recordKey, built by SQLite for every stored record. */
const KEY_SQL = `start_date || ',' || end_date || ',' || eligibility || source || ',' || ifnull('=' || certified_type, '')`;

/** Per student: no records, records as loaded, or records this file has changed since. */
const NONE = 0;
const LOADED = 1;
const CHANGED = 2;

export interface HeldRecords {
  /** Whether the student has any record. */
  has(studentId: number): boolean;
  /** Whether the student holds exactly this record, answered from memory; false when it cannot tell. */
  holds(studentId: number, l: Compared): boolean;
  /** The file changed the student's records: from now on holds() says false and the store is asked. */
  changed(studentId: number): void;
}

/** (student, key) pairs, open addressing: [student + 1, key] per slot, 0 for an empty slot. */
class PairSet {
  private readonly slots: Int32Array;
  private readonly mask: number;
  constructor(expected: number) {
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(16, expected) * 2));
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  private slotOf(student: number, key: number): number {
    let slot = (Math.imul(student, 0x9e3779b1) ^ Math.imul(key, 0x85ebca6b)) & this.mask;
    for (let s = this.slots[slot * 2]; s !== 0; s = this.slots[slot * 2]) {
      if (s === student + 1 && this.slots[slot * 2 + 1] === key) break;
      slot = (slot + 1) & this.mask;
    }
    return slot;
  }

  add(student: number, key: number): void {
    const slot = this.slotOf(student, key);
    this.slots[slot * 2] = student + 1;
    this.slots[slot * 2 + 1] = key;
  }

  has(student: number, key: number): boolean {
    return this.slots[this.slotOf(student, key) * 2] !== 0;
  }
}

export function loadHeldRecords(db: Db): HeldRecords {
  const { records, maxRecord, maxStudent } = db
    .prepare(
      `SELECT (SELECT count(*) FROM eligibility) AS records,
    (SELECT coalesce(max(id), 0) FROM eligibility) AS maxRecord,
    max((SELECT coalesce(max(id), 0) FROM students), (SELECT coalesce(max(student_id), 0) FROM eligibility)) AS maxStudent`,
    )
    .get() as { records: number; maxRecord: number; maxStudent: number };
  const state = new Uint8Array(maxStudent + 1);
  const keys = new Map<string, number>(); // few: a school year has a few thousand distinct records at most
  const pairs = new PairSet(records);

  const add = (student: number, text: string) => {
    let key = keys.get(text);
    // A copy: a slice would keep its whole page of records alive.
    if (key === undefined) keys.set(Buffer.from(text).toString(), (key = keys.size));
    pairs.add(student, key);
    state[student] = LOADED;
  };
  // Pages of `student,key` entries.
  const page = db
    .prepare(
      `SELECT group_concat(student_id || ',' || ${KEY_SQL}, ';'), count(*)
    FROM eligibility WHERE id > ? AND id <= ?`,
    )
    .raw(true);
  const rows = db.prepare(`SELECT student_id AS studentId, start_date AS startDate, end_date AS endDate, eligibility,
    source, certified_type AS certifiedType FROM eligibility WHERE id > ? AND id <= ?`);
  for (let from = 0; from < maxRecord; from += PAGE) {
    const [entries, count] = page.get(from, from + PAGE) as [string | null, number];
    const paged = eachEntry(entries, count, (start, end) => {
      const comma = entries!.indexOf(',', start);
      if (comma === -1 || comma > end) throw new Error(`unexpected entry in a page of records: ${entries!.slice(start, end)}`);
      let student = 0;
      for (let i = start; i < comma; i++) student = student * 10 + entries!.charCodeAt(i) - 48;
      add(student, entries!.slice(comma + 1, end));
    });
    if (!paged)
      for (const r of rows.iterate(from, from + PAGE) as Iterable<Compared & { studentId: number }>)
        add(r.studentId, recordKey(r));
  }

  return {
    has: (studentId) => state[studentId] !== NONE, // beyond the array (not expected): ask the store
    holds(studentId, l) {
      if (state[studentId] !== LOADED) return false;
      const wanted = lineKey(l);
      const key = wanted === null ? undefined : keys.get(wanted);
      return key !== undefined && pairs.has(studentId, key);
    },
    changed(studentId) {
      if (studentId >= state.length) throw new Error(`student ${studentId} is beyond the students loaded (${maxStudent})`);
      state[studentId] = CHANGED;
    },
  };
}
