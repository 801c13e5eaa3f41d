// Text rules of the import. White space as the rules mean it (reading lines): Unicode White_Space,
// and U+FEFF (a byte order mark left inside a file). JavaScript's trim() and \s cover exactly that
// set except U+0085 (NEXT LINE), so the native trim does the work and U+0085 is handled only when it
// is at an edge. And text made printable, for a plain-text report or a message naming a file.

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

/**
 * Text as a plain-text report (or a message naming a remote file) may print it: control characters
 * (a newline in a file name, say) are escaped as \uXXXX, so no value can forge a report line such as
 * `Run:` or `Status:`.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
