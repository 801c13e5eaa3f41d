// The bench's result table and its verdict against the issue's targets.

import type { Measurement } from './measure.js';

export interface Row extends Measurement {
  label: string;
  lines: number;
}

/** The issue's targets: time as a multiple of the sqlite3 floor, and peak RSS of an import. */
export const TARGETS = { firstImportRatio: 6, nextDayRatio: 4, maxRssMb: 300 } as const;

const fmt = (n: number, digits: number) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function table(rows: Row[], floorSeconds: number): string {
  const head = ['', 'lines', 'seconds', 'lines/s', 'peak RSS (MB)', 'x sqlite3'];
  const body = rows.map((r) => [
    r.label,
    fmt(r.lines, 0),
    fmt(r.seconds, 2),
    fmt(r.lines / r.seconds, 0),
    r.maxRssMb === null ? 'n/a' : fmt(r.maxRssMb, 0),
    `${fmt(r.seconds / floorSeconds, 2)}x`,
  ]);
  const widths = head.map((_, c) => Math.max(...[head, ...body].map((row) => row[c].length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

export function verdicts(floor: Measurement, first: Measurement, next: Measurement): string[] {
  const v = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const r1 = first.seconds / floor.seconds;
  const r2 = next.seconds / floor.seconds;
  const rss = (m: Measurement) => (m.maxRssMb === null ? 'n/a' : `${fmt(m.maxRssMb, 0)} MB`);
  const rssOk = (m: Measurement) => m.maxRssMb !== null && m.maxRssMb < TARGETS.maxRssMb;
  return [
    `${v(r1 <= TARGETS.firstImportRatio)}  first import <= ${TARGETS.firstImportRatio}x sqlite3: ${fmt(r1, 2)}x`,
    `${v(r2 <= TARGETS.nextDayRatio)}  next day's import <= ${TARGETS.nextDayRatio}x sqlite3: ${fmt(r2, 2)}x`,
    `${v(rssOk(first))}  first import peak RSS < ${TARGETS.maxRssMb} MB: ${rss(first)}`,
    `${v(rssOk(next))}  next day's import peak RSS < ${TARGETS.maxRssMb} MB: ${rss(next)}`,
  ];
}
