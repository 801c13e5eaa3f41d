// The shared vocabulary of the import rules. Pure data: no I/O anywhere in domain/.

/** F free, R reduced, S paid (IC's letters). */
export type Eligibility = 'F' | 'R' | 'S';
export type Source = 'direct' | 'nonDirect';

/** How people say the letters. */
export const ELIGIBILITY_LABELS: Record<Eligibility, string> = { F: 'Free', R: 'Reduced', S: 'Paid' };

/** Dates inside the engine are ISO `YYYY-MM-DD` strings: they sort and compare as text. */
export type IsoDate = string;

export interface CertifiedType {
  code: string;
  label: string;
  source: Source;
  eligibility: Eligibility[];
}

export type FileType = 'csv' | 'tab' | 'fixed';
export type Encoding = 'auto' | 'utf-8' | 'windows-1252';

/** The fields a mapping can read from a file. */
export const FIELD_NAMES = [
  'stateId',
  'startDate',
  'endDate',
  'eligibility',
  'certifiedType',
  'source',
  'applicationName',
  'referenceNumber',
  'lastName',
  'firstName',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

/** Where a field's value comes from: a column (header name or 1-based index), a fixed-width slice, or a constant. */
export type FieldSource = { column: string | number } | { start: number; length: number } | { constant: string };

/** An Eligibility Import Mapping, validated (SPEC 4). */
export interface Mapping {
  name: string;
  /** IC's end-year label: 2027 = school year 2026-27. */
  schoolYear: number;
  fileType: FileType;
  hasHeader: boolean;
  encoding: Encoding;
  identifier: 'stateId' | 'studentNumber';
  directCertification: boolean;
  dateFormat: string;
  defaultEndDate?: IsoDate;
  fields: Partial<Record<FieldName, FieldSource>>;
  /** Value maps per coded field, keys as written in the file (matched case-insensitively, trimmed). */
  values: {
    eligibility?: Record<string, Eligibility>;
    source?: Record<string, Source>;
    certifiedType?: Record<string, string>;
  };
}

/** A file line after mapping and validation: what it asks the store to hold. */
export interface LineRecord {
  schoolYear: number;
  startDate: IsoDate;
  endDate: IsoDate;
  eligibility: Eligibility;
  source: Source;
  certifiedType: string | null;
  applicationName: string | null;
  referenceNumber: string | null;
}

/** One stored eligibility record. */
export interface EligibilityRecord extends LineRecord {
  id: number;
  studentId: number;
  /** The run that inserted it (kept by the store so `revert` can restore a record exactly). */
  createdRun?: number | null;
}

export type Severity = 'error' | 'warning';

/** A problem found on a line: a code from the catalog and its finished text. */
export interface Problem {
  code: number;
  severity: Severity;
  text: string;
}

export type UpdateStatus = 'New' | 'Ended' | 'Removed' | 'Updated';
