// White space as the import rules mean it (reading lines): Unicode White_Space, and U+FEFF (a byte
// order mark left inside a file). JavaScript's trim() and \s cover exactly that set except U+0085
// (NEXT LINE), so the native trim does the work and U+0085 is handled only when it is at an edge.

const NEL = 0x85;
const EDGES = /^[\s\u0085]+|[\s\u0085]+$/g;
const NON_BLANK = /[^\s\u0085]/;

/** A field without the white space around it. */
export function trimField(s: string): string {
  const t = s.trim();
  if (t.length === 0 || (t.charCodeAt(0) !== NEL && t.charCodeAt(t.length - 1) !== NEL)) return t;
  return t.replace(EDGES, '');
}

/** Whether a text holds nothing but white space (an empty text included). */
export function isBlank(s: string): boolean {
  return !NON_BLANK.test(s);
}
