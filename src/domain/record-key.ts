// Rule 1 ("the same record is already held") written once: the key of the fields it compares. Both
// reconcile and the in-memory check of the held records (src/store/held-records.ts) use it.

import type { LineRecord } from './types.js';

/** The fields rule 1 compares: start, end, eligibility, source and certified type. */
export type Compared = Pick<LineRecord, 'startDate' | 'endDate' | 'eligibility' | 'source' | 'certifiedType'>;

/**
 * Rule 1's fields as one string: `start,end,<eligibility><source>,` and `=<type>` when there is one.
 * SQL builds the same string for every stored record (held-records.ts), so it must not change alone.
 */
export function recordKey(r: Compared): string {
  return `${r.startDate},${r.endDate},${r.eligibility}${r.source},${r.certifiedType === null ? '' : `=${r.certifiedType}`}`;
}

/**
 * The key a line looks for among held records, or null when the line's dates or type hold a comma.
 * Without one, the line's key has exactly three commas, so a record's key can only equal it when the
 * record's fields hold none either and every field is equal (eligibility is one letter and the
 * source 'direct' or 'nonDirect', as the table's CHECKs hold records to), whatever odd text a record
 * holds. A line read from a file always has ISO dates and a type code without commas.
 */
export function lineKey(l: Compared): string | null {
  if (l.startDate.includes(',') || l.endDate.includes(',') || l.certifiedType?.includes(',')) return null;
  return recordKey(l);
}

/** Rule 1: some held record equals the line in every field it compares. */
export function holdsSame(held: readonly Compared[], line: Compared): boolean {
  const key = lineKey(line);
  if (key === null) return false;
  for (const r of held) if (recordKey(r) === key) return true;
  return false;
}
