// config/certified-types.yaml: the district's certified-type table (SPEC 4).

import { z } from 'zod';
import type { CertifiedType } from '../domain/types.js';
import { parseObject, type Reporter } from './issues.js';

export const ELIGIBILITIES = ['F', 'R', 'S'] as const;
export const SOURCES = ['direct', 'nonDirect'] as const;

const CODE = /^[A-Za-z0-9_-]{1,40}$/;

const entryShape = {
  code: z.string().trim().regex(CODE, { error: 'must be 1-40 letters, digits, - or _' }),
  label: z.string().trim().min(1).max(100),
  source: z.enum(SOURCES),
  eligibility: z
    .array(z.enum(ELIGIBILITIES))
    .min(1)
    .refine((list) => new Set(list).size === list.length, { error: 'lists a value twice' }),
};

export interface CertifiedTypesResult {
  types: CertifiedType[];
  /** Every code written in the file, valid entry or not: for cross-file checks without knock-on problems. */
  codes: Set<string>;
}

export function parseCertifiedTypes(raw: unknown, rep: Reporter): CertifiedTypesResult {
  const types: CertifiedType[] = [];
  const codes = new Set<string>();
  if (!Array.isArray(raw)) {
    rep.add([], 'expected a list of { code, label, source, eligibility }');
    return { types, codes };
  }
  const firstIndex = new Map<string, number>();
  raw.forEach((item, i) => {
    const parsed = parseObject(entryShape, item, [i], rep);
    if (!parsed) return;
    const { value, failed } = parsed;
    let duplicate = false;
    if (value.code !== undefined) {
      const earlier = firstIndex.get(value.code);
      duplicate = earlier !== undefined;
      if (duplicate) rep.add([i, 'code'], `'${value.code}' is already used by entry [${earlier}]`);
      else firstIndex.set(value.code, i);
      codes.add(value.code);
    }
    if (
      !duplicate &&
      failed.size === 0 &&
      value.code !== undefined &&
      value.label !== undefined &&
      value.source &&
      value.eligibility
    ) {
      types.push({ code: value.code, label: value.label, source: value.source, eligibility: [...value.eligibility] });
    }
  });
  return { types, codes };
}
