// config/mappings/<name>.yaml: an Eligibility Import Mapping (SPEC 4, 7.0).

import { z } from 'zod';
import { DATE_FORMATS, parseDate, schoolYearBounds, type DateFormat } from '../domain/dates.js';
import {
  FIELD_NAMES,
  type CertifiedType,
  type Eligibility,
  type FieldName,
  type FieldSource,
  type Mapping,
  type Source,
} from '../domain/types.js';
import { ELIGIBILITIES, SOURCES } from './certified-types.js';
import { isPlainObject, parseObject, parseValue, type Path, type Reporter } from './issues.js';

const mappingShape = {
  name: z.string().trim().min(1).max(100),
  schoolYear: z.number().int().min(2000).max(2100),
  fileType: z.enum(['csv', 'tab', 'fixed']).default('csv'),
  hasHeader: z.boolean().default(true),
  encoding: z.enum(['auto', 'utf-8', 'windows-1252']).default('auto'),
  identifier: z.enum(['stateId', 'studentNumber']).default('stateId'),
  directCertification: z.boolean().default(false),
  dateFormat: z.enum(DATE_FORMATS).default('M/D/YYYY'),
  defaultEndDate: z
    .string()
    .trim()
    .refine((v) => parseDate(v, 'YYYY-MM-DD') !== null, { error: 'must be a real date written YYYY-MM-DD' })
    .optional(),
  // Checked by hand below, for clearer messages.
  fields: z.unknown(),
  values: z.unknown(),
};

/** Every top-level key of a mapping file (docs/configuration.md lists each). */
export const MAPPING_KEYS = Object.keys(mappingShape);

const CODED = ['eligibility', 'source', 'certifiedType'] as const;
type CodedField = (typeof CODED)[number];

const valueSchemas = {
  eligibility: z.record(z.string(), z.enum(ELIGIBILITIES)),
  source: z.record(z.string(), z.enum(SOURCES)),
  certifiedType: z.record(z.string(), z.string().trim().min(1)),
};

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** A header name, a 1-based column number, `{ start, length }`, `{ column }` or `{ constant }`. */
function parseFieldSource(raw: unknown, at: Path, rep: Reporter): FieldSource | undefined {
  if (typeof raw === 'string') {
    if (raw.trim() === '') rep.add(at, 'column name must not be empty');
    else return { column: raw.trim() };
    return undefined;
  }
  if (typeof raw === 'number') {
    if (positive(raw)) return { column: raw };
    rep.add(at, 'column number must be a whole number, 1 or more (columns count from 1)');
    return undefined;
  }
  if (isPlainObject(raw)) {
    const keys = Object.keys(raw).sort().join(',');
    if (keys === 'constant') {
      const c = raw.constant;
      if (typeof c === 'string' || typeof c === 'number') return { constant: String(c).trim() };
      rep.add([...at, 'constant'], 'must be a text or number value');
      return undefined;
    }
    if (keys === 'length,start') {
      let ok = true;
      for (const k of ['start', 'length'] as const) {
        if (!positive(raw[k])) {
          rep.add([...at, k], 'must be a whole number, 1 or more (start counts from 1)');
          ok = false;
        }
      }
      return ok ? { start: raw.start as number, length: raw.length as number } : undefined;
    }
    if (keys === 'column') return parseFieldSource(raw.column, [...at, 'column'], rep);
  }
  rep.add(at, 'expected a column name, a column number, { start, length } or { constant }');
  return undefined;
}

/** Value-map keys are stored trimmed and lower-cased; two spellings of one key must agree. */
function normaliseKeys<T>(map: Record<string, T>, at: Path, rep: Reporter): Record<string, T> {
  const out: Record<string, T> = {};
  const seen = new Map<string, string>();
  for (const [key, value] of Object.entries(map)) {
    const norm = key.trim().toLowerCase();
    const earlier = seen.get(norm);
    if (earlier !== undefined && out[norm] !== value) {
      rep.add(
        [...at, key],
        `matches the same file value as '${earlier}' (matching ignores case and spaces) but maps it differently`,
      );
    }
    seen.set(norm, key);
    out[norm] = value;
  }
  return out;
}

function fieldIsRead(src: FieldSource | undefined): boolean {
  return src !== undefined && !('constant' in src);
}

/**
 * Checks one mapping file. `types` is the certified-type table (null when it could not be read,
 * which skips the cross-file code check); `codes` also holds codes of invalid entries, to avoid
 * knock-on problems.
 */
export function parseMapping(raw: unknown, rep: Reporter, types: CertifiedType[] | null, codes: Set<string>): Mapping | null {
  const before = rep.count;
  const parsed = parseObject(mappingShape, raw, [], rep);
  if (!parsed) return null;
  const { value: m, failed } = parsed;
  const typeByCode = new Map((types ?? []).map((t) => [t.code, t]));
  const knownCode = (code: string) => types === null || codes.has(code);

  if (m.defaultEndDate !== undefined && m.schoolYear !== undefined && m.defaultEndDate < schoolYearBounds(m.schoolYear).from) {
    rep.add(['defaultEndDate'], `is before school year ${m.schoolYear} begins`);
  }

  // fields
  const fields: Partial<Record<FieldName, FieldSource>> = {};
  if (m.fields === undefined) rep.add(['fields'], 'required');
  else if (!isPlainObject(m.fields)) rep.add(['fields'], 'expected a map of field name to column');
  else {
    for (const [name, rawSrc] of Object.entries(m.fields)) {
      if (!(FIELD_NAMES as readonly string[]).includes(name)) {
        rep.add(['fields', name], `unknown field (known: ${FIELD_NAMES.join(', ')})`);
        continue;
      }
      const src = parseFieldSource(rawSrc, ['fields', name], rep);
      if (src) fields[name as FieldName] = src;
    }
    const given = (f: FieldName) => Object.prototype.hasOwnProperty.call(m.fields, f);
    for (const f of ['stateId', 'eligibility', 'startDate'] as const) {
      if (!given(f)) rep.add(['fields', f], 'required');
    }
    if (!given('endDate') && m.defaultEndDate === undefined && !failed.has('defaultEndDate')) {
      rep.add(['fields', 'endDate'], 'required (or set defaultEndDate)');
    }
  }

  // how each field is read, per file type
  for (const [name, src] of Object.entries(fields) as [FieldName, FieldSource][]) {
    const at = ['fields', name];
    if ('constant' in src) {
      if (name === 'stateId') rep.add(at, 'the student identifier must be read from the file, not a constant');
      else if (
        (name === 'startDate' || name === 'endDate') &&
        m.dateFormat &&
        parseDate(src.constant, m.dateFormat as DateFormat) === null
      ) {
        rep.add([...at, 'constant'], `must be a date written ${m.dateFormat}`);
      }
      continue;
    }
    if (m.fileType === 'fixed' && !('start' in src)) {
      rep.add(at, 'a fixed-width file needs { start, length } for every field read from the file');
    } else if (m.fileType !== undefined && m.fileType !== 'fixed' && 'start' in src) {
      rep.add(at, '{ start, length } is only for fileType: fixed; give a column name or number');
    } else if ('column' in src && typeof src.column === 'string' && m.hasHeader === false) {
      rep.add(at, 'a column name needs hasHeader: true; give the column number (1-based) instead');
    }
  }

  // values
  const values: Mapping['values'] = {};
  const valueOk: Partial<Record<CodedField, boolean>> = {};
  const rawValues = m.values ?? {};
  if (!isPlainObject(rawValues)) rep.add(['values'], 'expected a map with eligibility, source and/or certifiedType');
  else {
    for (const key of Object.keys(rawValues)) {
      if (!(CODED as readonly string[]).includes(key)) rep.add(['values', key], `unknown key (known: ${CODED.join(', ')})`);
    }
    for (const f of CODED) {
      if (rawValues[f] === undefined) continue;
      const map = parseValue(valueSchemas[f], rawValues[f], ['values', f], rep);
      valueOk[f] = map !== undefined;
      if (map) (values as Record<string, Record<string, string>>)[f] = normaliseKeys<string>(map, ['values', f], rep);
    }
    for (const [key, code] of Object.entries((rawValues.certifiedType ?? {}) as Record<string, unknown>)) {
      if (typeof code !== 'string' || code.trim() === '') continue;
      const type = typeByCode.get(code.trim());
      if (!knownCode(code.trim()))
        rep.add(['values', 'certifiedType', key], `unknown certified type '${code.trim()}' (not in certified-types.yaml)`);
      else if (type && m.directCertification && type.source !== 'direct') {
        rep.add(['values', 'certifiedType', key], `certified type '${type.code}' is nonDirect, but directCertification is true`);
      }
    }
  }

  // coded fields: a column needs a value map; a constant is one of our own values
  for (const f of CODED) {
    const src = fields[f];
    if (!src) continue;
    if (fieldIsRead(src)) {
      if (isPlainObject(rawValues) && rawValues[f] === undefined) {
        rep.add(['values', f], `required: fields.${f} is read from the file, so its codes need a value map`);
      } else if (valueOk[f] && Object.keys(values[f] ?? {}).length === 0) {
        rep.add(['values', f], 'must map at least one file value');
      }
      continue;
    }
    const c = (src as { constant: string }).constant;
    const at = ['fields', f, 'constant'];
    if (f === 'eligibility' && !(ELIGIBILITIES as readonly string[]).includes(c))
      rep.add(at, `must be one of: ${ELIGIBILITIES.join(', ')}`);
    if (f === 'source') {
      if (!(SOURCES as readonly string[]).includes(c)) rep.add(at, `must be one of: ${SOURCES.join(', ')}`);
      else if (c === 'nonDirect' && m.directCertification) rep.add(at, 'is nonDirect, but directCertification is true');
    }
    if (f === 'certifiedType') {
      if (!knownCode(c)) rep.add(at, `unknown certified type '${c}' (not in certified-types.yaml)`);
      else if (m.directCertification && typeByCode.get(c)?.source === 'nonDirect') {
        rep.add(at, `certified type '${c}' is nonDirect, but directCertification is true`);
      }
    }
  }

  if (rep.count > before || m.name === undefined || m.schoolYear === undefined) return null;
  const mapping: Mapping = {
    name: m.name,
    schoolYear: m.schoolYear,
    fileType: m.fileType!,
    hasHeader: m.hasHeader!,
    encoding: m.encoding!,
    identifier: m.identifier!,
    directCertification: m.directCertification!,
    dateFormat: m.dateFormat!,
    ...(m.defaultEndDate !== undefined ? { defaultEndDate: m.defaultEndDate } : {}),
    fields,
    values: values as {
      eligibility?: Record<string, Eligibility>;
      source?: Record<string, Source>;
      certifiedType?: Record<string, string>;
    },
  };
  return mapping;
}

/** Whether a mapping needs the certified-type table: it reads or sets a certified type. */
export function usesCertifiedTypes(m: Mapping): boolean {
  return m.fields.certifiedType !== undefined || m.values.certifiedType !== undefined;
}

/** The certified-type codes a mapping names (its value map's targets and its constant). */
export function codesUsed(m: Mapping): string[] {
  const src = m.fields.certifiedType;
  const constant = src && 'constant' in src ? [src.constant] : [];
  return [...new Set([...Object.values(m.values.certifiedType ?? {}), ...constant])];
}
