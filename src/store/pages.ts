// Reading a large table in pages of ids, each page as one string that SQLite's group_concat builds
// (`entry;entry;...`): a row at a time through the driver costs about 1.6 us a row, more than the
// work a large import then does with it.

export const PAGE = 100_000;

/**
 * Calls `entry(start, end)` for each ';'-separated entry of `page`, in order, and returns true. When
 * the page does not hold exactly `rows` entries (a value holds a ';'), it calls nothing and returns
 * false: the caller reads that page a row at a time instead.
 */
export function eachEntry(page: string | null, rows: number, entry: (start: number, end: number) => void): boolean {
  if (page === null) return rows === 0;
  let n = 1;
  for (let i = page.indexOf(';'); i !== -1; i = page.indexOf(';', i + 1)) n++;
  if (n !== rows) return false;
  for (let start = 0; start <= page.length;) {
    let end = page.indexOf(';', start);
    if (end === -1) end = page.length;
    entry(start, end);
    start = end + 1;
  }
  return true;
}
