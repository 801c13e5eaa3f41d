// Mapping and validation of one file line (SPEC 7.0, 7.2). Pure: fields in, record and problems out.

import { formatMessage, CATALOG } from './codes.js';
import { dateProblem, parseDate, schoolYearBounds, usDate, schoolYearLabel, type DateFormat } from './dates.js';
import { trimField } from './text.js';
import type {
  CertifiedType,
  Eligibility,
  FieldName,
  FieldSource,
  IsoDate,
  LineRecord,
  Mapping,
  Problem,
  Source,
} from './types.js';

/** How to read one field from a row: a column index, a fixed-width slice, or a constant. */
type Reader =
  | { kind: 'column'; index: number; column: number | string }
  | { kind: 'slice'; start: number; end: number }
  | { kind: 'constant'; value: string };

export interface CompiledMapping {
  mapping: Mapping;
  readers: Partial<Record<FieldName, Reader>>;
  typesByCode: Map<string, CertifiedType>;
  /** The mapping's value maps, keyed by the trimmed, lower-cased file value. */
  values: { eligibility: Map<string, Eligibility>; source: Map<string, Source>; certifiedType: Map<string, string> };
  bounds: { from: IsoDate; to: IsoDate };
  /** Dates parsed so far, by their text: a file repeats a few hundred dates a million times. */
  dates: Map<string, IsoDate | null>;
  /** A row with fewer fields than this lacks a required field (4006). */
  requiredWidth: number;
  /** The required fields read from columns, by column: the first one a short row lacks is named. */
  required: { field: FieldName; index: number }[];
}

export interface MappedLine {
  /** The identifier (State ID or student number), trimmed, leading zeros kept. */
  key: string;
  /** Present when the line has no errors. */
  record: LineRecord | null;
  /** Every problem of the line, errors and warnings. */
  problems: Problem[];
  /** The start date when it parsed, for the wrong-year guard. */
  startDate: IsoDate | null;
}

/** Fields a line may lack: a short row leaves them empty instead of failing (SPEC 7.0). */
const OPTIONAL: ReadonlySet<FieldName> = new Set(['lastName', 'firstName', 'applicationName', 'referenceNumber']);

const FIELD_LABELS: Record<FieldName, string> = {
  stateId: 'State ID',
  startDate: 'Start Date',
  endDate: 'End Date',
  eligibility: 'Eligibility',
  certifiedType: 'Certified Type',
  source: 'Source',
  applicationName: 'Application Name',
  referenceNumber: 'Reference Number',
  lastName: 'Last Name',
  firstName: 'First Name',
};

export function problem(code: number, params: Record<string, string | number> = {}): Problem {
  return { code, severity: CATALOG.get(code)!.severity, text: formatMessage(code, params) };
}

/**
 * Resolves column names against the header (case-insensitive, trimmed). Returns the names the
 * header lacks instead of a mapping, since such a file cannot be read at all.
 */
export function compileMapping(
  mapping: Mapping,
  header: string[] | null,
  certifiedTypes: CertifiedType[],
): CompiledMapping | { missingColumns: string[] } {
  const readers: Partial<Record<FieldName, Reader>> = {};
  const missing: string[] = [];
  const names = header?.map((h) => trimField(h).toLowerCase());
  for (const [field, src] of Object.entries(mapping.fields) as [FieldName, FieldSource][]) {
    if ('constant' in src) readers[field] = { kind: 'constant', value: src.constant };
    else if ('start' in src) readers[field] = { kind: 'slice', start: src.start - 1, end: src.start - 1 + src.length };
    else if (typeof src.column === 'number') readers[field] = { kind: 'column', index: src.column - 1, column: src.column };
    else {
      const index = names ? names.indexOf(trimField(src.column).toLowerCase()) : -1;
      if (index < 0) missing.push(src.column);
      else readers[field] = { kind: 'column', index, column: src.column };
    }
  }
  if (missing.length) return { missingColumns: missing };
  const required: CompiledMapping['required'] = [];
  for (const [field, r] of Object.entries(readers) as [FieldName, Reader][]) {
    if (r.kind === 'column' && !OPTIONAL.has(field)) required.push({ field, index: r.index });
  }
  required.sort((a, b) => a.index - b.index);
  return {
    mapping,
    readers,
    typesByCode: new Map(certifiedTypes.map((t) => [t.code, t])),
    values: {
      eligibility: new Map(Object.entries(mapping.values.eligibility ?? {})),
      source: new Map(Object.entries(mapping.values.source ?? {})),
      certifiedType: new Map(Object.entries(mapping.values.certifiedType ?? {})),
    },
    bounds: schoolYearBounds(mapping.schoolYear),
    dates: new Map(),
    requiredWidth: required.length ? required[required.length - 1].index + 1 : 0,
    required,
  };
}

/** Reads a field, trimmed; undefined when the mapping does not read it; null when the row is too short. */
function read(fields: string[], reader: Reader | undefined): string | null | undefined {
  if (!reader) return undefined;
  if (reader.kind === 'constant') return reader.value;
  if (reader.kind === 'slice') return trimField(fields[0].slice(reader.start, reader.end));
  const value = fields[reader.index];
  return value === undefined ? null : trimField(value);
}

const MAX_DATES = 100_000;

function dateOf(text: string, cm: CompiledMapping): IsoDate | null {
  let date = cm.dates.get(text);
  if (date === undefined) {
    date = parseDate(text, cm.mapping.dateFormat as DateFormat);
    if (cm.dates.size < MAX_DATES) cm.dates.set(text, date);
  }
  return date;
}

const RANK_OF_ELIGIBILITY: Record<Eligibility, number> = { F: 3, R: 2, S: 1 };

/** Maps and validates one row. Constants for coded fields are our own values, never looked up. */
export function mapLine(fields: string[], cm: CompiledMapping): MappedLine {
  const { mapping, readers } = cm;
  const problems: Problem[] = [];
  if (fields.length < cm.requiredWidth) {
    // One field-count message per line: the first required field the short row cannot give.
    const first = cm.required.find((r) => r.index >= fields.length)!;
    problems.push(problem(4006, { count: fields.length, field: FIELD_LABELS[first.field], column: first.index + 1 }));
  }
  /** A field's value; undefined when a short row lacks it (an optional field is then empty). */
  const value = (field: FieldName): string | undefined => {
    const v = read(fields, readers[field]);
    if (v !== null) return v;
    return OPTIONAL.has(field) ? '' : undefined;
  };
  const coded = <T>(field: FieldName, map: Map<string, T>): T | undefined => {
    const raw = value(field);
    if (raw === undefined) return undefined;
    if (readers[field]!.kind === 'constant') return raw as T;
    const mapped = map.get(raw.toLowerCase());
    if (mapped === undefined) problems.push(problem(4001, { field: FIELD_LABELS[field], value: raw }));
    return mapped;
  };

  const key = value('stateId') ?? '';
  const eligibility = coded('eligibility', cm.values.eligibility);
  const typeCode = readers.certifiedType ? coded('certifiedType', cm.values.certifiedType) : undefined;
  const sourceValue = readers.source ? coded('source', cm.values.source) : undefined;
  const type = typeCode !== undefined ? cm.typesByCode.get(typeCode) : undefined;

  let source: Source = mapping.directCertification ? 'direct' : (sourceValue ?? type?.source ?? 'nonDirect');
  if (type) {
    const claimed = mapping.directCertification ? 'direct' : sourceValue;
    if (claimed !== undefined && claimed !== type.source) {
      problems.push(problem(4007, { value: claimed, type: type.code, source: type.source }));
    }
    source = type.source;
    if (eligibility && !type.eligibility.includes(eligibility)) {
      problems.push(problem(4008, { value: eligibility, type: type.code, allowed: type.eligibility.join(', ') }));
    }
  }

  const format = mapping.dateFormat as DateFormat;
  const rawStart = value('startDate');
  const startDate = rawStart === undefined ? null : dateOf(rawStart, cm);
  if (rawStart !== undefined && startDate === null) {
    problems.push(problem(4002, { field: 'Start Date', value: rawStart, why: dateProblem(rawStart, format) }));
  }
  let endDate: IsoDate | null = null;
  const rawEnd = value('endDate');
  if (rawEnd === '' || (rawEnd === undefined && !readers.endDate)) {
    if (mapping.defaultEndDate) {
      endDate = mapping.defaultEndDate;
      problems.push(problem(3103, { date: usDate(endDate) }));
    } else problems.push(problem(4003));
  } else if (rawEnd !== undefined) {
    endDate = dateOf(rawEnd, cm);
    if (endDate === null) problems.push(problem(4002, { field: 'End Date', value: rawEnd, why: dateProblem(rawEnd, format) }));
  }
  if (startDate && endDate && endDate < startDate) problems.push(problem(4004));
  if (startDate && (startDate < cm.bounds.from || startDate > cm.bounds.to)) {
    problems.push(
      problem(4005, {
        date: usDate(startDate),
        year: schoolYearLabel(mapping.schoolYear),
        from: usDate(cm.bounds.from),
        to: usDate(cm.bounds.to),
      }),
    );
  }

  const applicationName = value('applicationName') || null;
  const referenceNumber = value('referenceNumber') || null;
  const ok = eligibility !== undefined && startDate !== null && endDate !== null && !problems.some((p) => p.severity === 'error');
  return {
    key,
    startDate,
    problems,
    record: ok
      ? {
          schoolYear: mapping.schoolYear,
          startDate: startDate!,
          endDate: endDate!,
          eligibility: eligibility!,
          source,
          certifiedType: type?.code ?? null,
          applicationName,
          referenceNumber,
        }
      : null,
  };
}

/** Free > Reduced > Paid, for the "eligibility lowered" warning. */
export function eligibilityLevel(e: Eligibility): number {
  return RANK_OF_ELIGIBILITY[e];
}
