// The model of one run's report (SPEC 9): what the store records of a run and what every renderer
// of src/report/ reads. Pure types, in the domain so that the store and the import write it without
// knowing the renderers.

import type { LineRecord, Severity, UpdateStatus } from './types.js';

export type FileStatus = 'imported' | 'alreadyImported' | 'rejected' | 'held' | 'waiting' | 'renamePending' | 'dismissed';

export interface ReportFile {
  name: string;
  size: number;
  sha256: string | null;
  renamedTo: string | null;
  status: FileStatus;
  lines: number;
  importedByRun?: number | null;
  error?: { code: number; text: string } | null;
  /** What names a file that was never downloaded (no sha256), for `dismiss`. */
  listingKey?: string | null;
}

export interface ReportSummary {
  new: number;
  ended: number;
  removed: number;
  existing: number;
  errors: number;
  warnings: number;
}

export interface ReportHeader {
  runId: number;
  import: string;
  mapping: string;
  schoolYear: number;
  mode: 'test' | 'run';
  status: 'Successful' | 'Unsuccessful' | 'Running';
  trigger: { kind: 'schedule' | 'manual' | 'batch' | 'api'; by: string | null };
  startedAt: string;
  finishedAt: string | null; // ISO-8601 timestamps with offset
  summary: ReportSummary;
  files: ReportFile[];
  runError: { code: number; text: string } | null;
  includeUpdatedRecords: boolean;
  notices: string[]; // e.g. "insecureTls is set: the server's certificate is not verified"
}

export interface ReportMessage {
  file: string;
  line: number;
  severity: Severity;
  code: number;
  text: string;
}

export interface ReportUpdate extends LineRecord {
  stateId: string;
  name: string;
  status: UpdateStatus;
}

/** What every renderer reads. messages() yields errors first, then warnings, each by file then line (the store does the ordering); updated() in file order. Both may yield millions of rows: iterate, never collect into arrays. */
export interface ReportSource {
  header: ReportHeader;
  messages(): Iterable<ReportMessage>;
  updated(): Iterable<ReportUpdate>;
}

export type Write = (chunk: string) => void;
