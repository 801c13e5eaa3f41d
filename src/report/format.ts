// Small helpers shared by the report renderers. Each lives here only.
import { ELIGIBILITY_LABELS, type Eligibility, type Severity, type Source } from '../domain/types.js';
import { usDate, schoolYearLabel } from '../domain/dates.js';
import { printable } from '../domain/text.js';

export { usDate, schoolYearLabel, printable };
import type { FileStatus, ReportHeader, ReportMessage, ReportUpdate, Write } from '../domain/run-report.js';

export const TEST_BANNER = 'THIS IS A TEST. NO DATA IS WRITTEN TO THE DB.';
export const REPORT_TITLE = 'Eligibility Import Report';

/** ISO-8601 timestamp with offset -> `MM/DD/YYYY HH:MM:SS <offset>`, keeping the wall-clock time written. */
export function usDateTime(iso: string | null): string {
  if (iso === null) return '-';
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso);
  if (!m) return iso;
  const zone = m[7] === undefined ? '' : m[7] === 'Z' ? ' UTC' : ` ${m[7]}`;
  return `${m[2]}/${m[3]}/${m[1]} ${m[4]}:${m[5]}:${m[6] ?? '00'}${zone}`;
}

export const eligibilityLabel = (e: Eligibility): string => ELIGIBILITY_LABELS[e] ?? String(e);

const SOURCE: Record<Source, string> = { direct: 'Direct', nonDirect: 'Non-Direct' };
export const sourceLabel = (s: Source): string => SOURCE[s] ?? String(s);

const FILE_STATUS: Record<FileStatus, string> = {
  imported: 'Imported',
  alreadyImported: 'Already imported',
  rejected: 'Rejected',
  held: 'Held for approval',
  waiting: 'Waiting',
  renamePending: 'Rename pending',
  dismissed: 'Dismissed: set aside, not imported',
};
export const fileStatusLabel = (s: FileStatus): string => FILE_STATUS[s] ?? String(s);

export const sizeLabel = (bytes: number): string => `${bytes.toLocaleString('en-US')} ${bytes === 1 ? 'byte' : 'bytes'}`;

export const modeLabel = (mode: ReportHeader['mode']): string => (mode === 'test' ? 'Test' : 'Run');

export function triggerLabel(t: ReportHeader['trigger']): string {
  return t.by !== null && t.by !== '' && t.kind !== 'schedule' ? `${t.kind} by ${t.by}` : t.kind;
}

/** `ERROR 1001 - State ID '406' not found` */
export function problemLabel(severity: Severity, code: number, text: string): string {
  return `${severity === 'error' ? 'ERROR' : 'WARNING'} ${code} - ${text}`;
}

/** `Line 187 | ERROR 1001 - State ID '406' not found` */
export const messageLine = (m: ReportMessage): string => `Line ${m.line} | ${problemLabel(m.severity, m.code, m.text)}`;

export const SUMMARY_LABELS = ['New', 'Ended', 'Removed', 'Existing', 'Errors/Warnings'] as const;
export function summaryValues(s: ReportHeader['summary']): string[] {
  return [s.new, s.ended, s.removed, s.existing, `${s.errors}/${s.warnings}`].map(String);
}

/** The Updated Records columns: heading, fixed text width, and the shown value. */
export interface UpdatedColumn {
  label: string;
  width: number;
  value(u: ReportUpdate): string;
}
export const UPDATED_COLUMNS: readonly UpdatedColumn[] = [
  { label: 'Name', width: 28, value: (u) => u.name },
  { label: 'School Year', width: 11, value: (u) => schoolYearLabel(u.schoolYear) },
  { label: 'Start Date', width: 10, value: (u) => usDate(u.startDate) },
  { label: 'End Date', width: 10, value: (u) => usDate(u.endDate) },
  { label: 'Eligibility', width: 11, value: (u) => eligibilityLabel(u.eligibility) },
  // The source has no column of its own in the report; it rides with the certified type.
  {
    label: 'Certified Type',
    width: 22,
    value: (u) => (u.certifiedType ? `${u.certifiedType} (${sourceLabel(u.source)})` : sourceLabel(u.source)),
  },
  { label: 'Application Name', width: 20, value: (u) => u.applicationName ?? '' },
  { label: 'Reference #', width: 14, value: (u) => u.referenceNumber ?? '' },
  { label: 'Status', width: 7, value: (u) => u.status },
];

export const CHUNK_SIZE = 64 * 1024;

export interface ChunkWriter {
  push(s: string): void;
  flush(): void;
}

/** Buffers pushed text and hands it to `write` in chunks of about `limit` characters (a single larger piece goes alone). */
export function chunkedWriter(write: Write, limit = CHUNK_SIZE): ChunkWriter {
  let buf = '';
  const flush = (): void => {
    if (buf.length > 0) {
      const out = buf;
      buf = '';
      write(out);
    }
  };
  return {
    push(s: string): void {
      if (s.length === 0) return;
      if (buf.length + s.length > limit) flush();
      buf += s;
      if (buf.length >= limit) flush();
    },
    flush,
  };
}
