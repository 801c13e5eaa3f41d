// The error/warning lines of a run as CSV (SPEC 9): RFC 4180 quoting, CRLF line ends, and
// spreadsheet formula injection defused: a cell that starts with = + - @ TAB or CR gets a leading '.
import type { ReportSource, Write } from '../domain/run-report.js';
import { chunkedWriter } from './format.js';

export const CSV_HEADER = ['File', 'Line', 'Severity', 'Code', 'Message'] as const;

export function csvCell(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvRow = (values: readonly (string | number)[]): string => values.map(csvCell).join(',') + '\r\n';

export function renderCsv(src: ReportSource, write: Write): void {
  const out = chunkedWriter(write);
  out.push(csvRow(CSV_HEADER));
  for (const m of src.messages()) {
    out.push(csvRow([m.file, m.line, m.severity === 'error' ? 'ERROR' : 'WARNING', m.code, m.text]));
  }
  out.flush();
}
