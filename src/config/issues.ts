// Collecting config problems: every one is reported at once, as `<file>: <field path>: <message>`.
// Messages never contain the offending value (it may be a password).

import type { z } from 'zod';

export type Path = (string | number)[];

/**
 * Most problems one file adds to the shared list. A hostile or mangled file can hold thousands
 * (one per unknown key); the rest are counted in one closing line.
 */
export const MAX_PROBLEMS_PER_FILE = 50;

/** Collects the problems of one config file into a shared list, and keeps that file's own. */
export class Reporter {
  /** This file's problems as listed (at most MAX_PROBLEMS_PER_FILE, then one line for the rest). */
  readonly problems: string[] = [];
  private total = 0;

  constructor(
    readonly file: string,
    private readonly out: string[],
  ) {}

  add(path: Path, message: string): void {
    this.total++;
    if (this.total > MAX_PROBLEMS_PER_FILE) return;
    const where = formatPath(path);
    this.push(where ? `${this.file}: ${where}: ${message}` : `${this.file}: ${message}`);
  }

  /** Every problem added, listed or not. */
  get count(): number {
    return this.total;
  }

  /** Adds the line for the problems past the limit; call once, when the file is done. */
  close(): void {
    const more = this.total - MAX_PROBLEMS_PER_FILE;
    if (more > 0) this.push(`${this.file}: ... and ${more} more problem(s) in this file`);
  }

  private push(line: string): void {
    this.problems.push(line);
    this.out.push(line);
  }
}

/** `fields.stateId`, `[2].code`, `values.eligibility.Free`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

function kindOf(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  return `a ${typeof value}`;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
  record: 'a map',
};

/** Plain messages for zod's issues, without the input value. */
const describeIssue: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'required';
      return `expected ${EXPECTED[iss.expected] ?? iss.expected}, got ${kindOf(iss.input)}`;
    case 'invalid_value':
      return `must be one of: ${iss.values.map(String).join(', ')}`;
    case 'too_small':
      if (iss.origin === 'string') return iss.minimum === 1 ? 'must not be empty' : `must be at least ${iss.minimum} characters`;
      if (iss.origin === 'array' || iss.origin === 'set') return `must have at least ${iss.minimum} item(s)`;
      return iss.inclusive ? `must be ${iss.minimum} or more` : `must be more than ${iss.minimum}`;
    case 'too_big':
      if (iss.origin === 'string') return `must be at most ${iss.maximum} characters`;
      if (iss.origin === 'array' || iss.origin === 'set') return `must have at most ${iss.maximum} item(s)`;
      return iss.inclusive ? `must be ${iss.maximum} or less` : `must be less than ${iss.maximum}`;
    default:
      return undefined;
  }
};

/** Parses one value; on failure reports every issue under `path`. */
export function tryParse<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  path: Path,
  rep: Reporter,
): { ok: true; value: z.output<S> } | { ok: false } {
  const result = schema.safeParse(raw, { error: describeIssue });
  if (result.success) return { ok: true, value: result.data };
  for (const iss of result.error.issues) {
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) rep.add([...path, ...(iss.path as Path), key], 'unknown key');
    } else {
      rep.add([...path, ...(iss.path as Path)], iss.message);
    }
  }
  return { ok: false };
}

/** Like tryParse, returning undefined on failure. */
export function parseValue<S extends z.ZodType>(schema: S, raw: unknown, path: Path, rep: Reporter): z.output<S> | undefined {
  const r = tryParse(schema, raw, path, rep);
  return r.ok ? r.value : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type Parsed<S extends Record<string, z.ZodType>> = { [K in keyof S]?: z.output<S[K]> };

/**
 * Parses a map key by key, so one bad key never hides the problems of another: unknown keys,
 * and every key's own problems, are all reported. Keys that failed are absent from the result
 * and listed in `failed`, so cross-field checks can skip what is already reported.
 */
export function parseObject<S extends Record<string, z.ZodType>>(
  shape: S,
  raw: unknown,
  path: Path,
  rep: Reporter,
): { value: Parsed<S>; failed: Set<string> } | null {
  if (!isPlainObject(raw)) {
    rep.add(path, raw === undefined ? 'required' : `expected a map, got ${kindOf(raw)}`);
    return null;
  }
  for (const key of Object.keys(raw)) {
    if (!Object.prototype.hasOwnProperty.call(shape, key)) rep.add([...path, key], 'unknown key');
  }
  const value: Record<string, unknown> = {};
  const failed = new Set<string>();
  for (const [key, schema] of Object.entries(shape)) {
    const r = tryParse(schema, raw[key], [...path, key], rep);
    if (!r.ok) failed.add(key);
    else if (r.value !== undefined) value[key] = r.value;
  }
  return { value: value as Parsed<S>, failed };
}

/** Deep-freezes plain objects and arrays (Maps are left as they are). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof Map) && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
