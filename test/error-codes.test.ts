// docs/error-codes.md and the catalog (src/domain/codes.ts, re-exported by src/errors.ts) must agree (SPEC 8).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOG, FramError, formatMessage } from '../src/errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOC = readFileSync(path.join(ROOT, 'docs', 'error-codes.md'), 'utf8');

interface DocRow {
  code: number;
  severity: string;
  message: string;
  retry: string;
  http: string;
  hint: string;
  meaning: string;
}

/** The one table of the page: the rows after its `Code | Severity | ...` header and separator. */
function parseTable(markdown: string): { header: string[]; rows: DocRow[] } {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => /^\|\s*Code\s*\|/.test(l));
  if (start < 0) throw new Error('no table with a Code column in docs/error-codes.md');
  const cells = (l: string) =>
    l
      .trim()
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split('|')
      .map((c) => c.trim());
  const header = cells(lines[start]);
  const rows: DocRow[] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.trim().startsWith('|')) break;
    const [code, severity, message, retry, http, hint, meaning, ...rest] = cells(l);
    if (rest.length) throw new Error(`too many cells (an unescaped '|'?): ${l}`);
    rows.push({ code: Number(code), severity, message, retry, http, hint, meaning });
  }
  return { header, rows };
}

const { header, rows } = parseTable(DOC);

describe('docs/error-codes.md', () => {
  it('has the documented columns', () => {
    expect(header).toEqual(['Code', 'Severity', 'Message', 'Retry helps', 'HTTP', 'What to do', 'Meaning']);
  });

  it('has exactly one table', () => {
    expect(DOC.split(/\r?\n/).filter((l) => /^\|\s*-+/.test(l.trim()))).toHaveLength(1);
  });

  it('lists exactly the codes of the catalog, once each', () => {
    const codes = rows.map((r) => r.code);
    expect(codes.every(Number.isInteger)).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort((a, b) => a - b)).toEqual([...CATALOG.keys()].sort((a, b) => a - b));
  });

  it.each([...CATALOG.values()].map((e) => [e.code, e] as const))('row %i matches the catalog', (code, entry) => {
    const row = rows.find((r) => r.code === code);
    expect(row, `no row for ${code}`).toBeDefined();
    expect(row!.severity).toBe(entry.severity);
    expect(row!.message).toBe(`\`${entry.template}\``);
    const retry = entry.retryable === undefined ? '—' : entry.retryable ? 'yes' : 'no';
    expect(row!.retry).toBe(retry);
    expect(row!.http).toBe(String(entry.httpStatus));
    expect(row!.hint).toBe(entry.hint);
    expect(row!.meaning.length).toBeGreaterThan(20);
  });

  it('keeps the Infinite Campus codes and texts', () => {
    expect(CATALOG.get(1001)?.template).toBe("State ID '{id}' not found");
    expect(CATALOG.get(2001)?.template).toBe("Multiple matches found for Student State ID '{id}'");
    expect(CATALOG.get(3037)?.template).toBe("The record currently exists and was updated with the Direct Type '{type}'");
  });
});

describe('the catalog', () => {
  it.each([...CATALOG.values()].map((e) => [e.code, e] as const))('code %i is in the range of its kind', (code, entry) => {
    if ([1001, 2001].includes(code) || (code >= 4000 && code < 6000)) expect(entry.severity).toBe('error');
    else expect(entry.severity).toBe('warning');
    if (code >= 5000) expect(typeof entry.retryable).toBe('boolean');
    else expect(entry.retryable).toBeUndefined();
  });
});

describe('formatMessage', () => {
  it('fills every placeholder, repeated or not, with strings and numbers', () => {
    expect(formatMessage(1001, { id: '000123' })).toBe("State ID '000123' not found");
    expect(formatMessage(1001, { id: '' })).toBe("State ID '' not found");
    const text = formatMessage(5009, {
      file: 'IC_Eligibility.txt',
      changed: 30,
      active: 100,
      year: '26-27',
      percent: 30,
      limit: 20,
    });
    expect(text).toBe(
      "File 'IC_Eligibility.txt' would end or remove 30 of 100 active records of 26-27 (30%, limit 20%); held for approval",
    );
  });

  it('fills every template of the catalog completely, never truncating', () => {
    for (const entry of CATALOG.values()) {
      const names = [...entry.template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const long = 'x'.repeat(500);
      const text = formatMessage(entry.code, Object.fromEntries(names.map((n) => [n, `${n}:${long}`])));
      expect(text).not.toMatch(/\{\w+\}/);
      for (const n of names) expect(text).toContain(`${n}:${long}`);
    }
  });

  it('does not re-expand placeholders inside values', () => {
    expect(formatMessage(4001, { field: 'Eligibility', value: '{field}' })).toBe("Invalid Eligibility '{field}'");
  });

  it('throws on a missing parameter, naming it', () => {
    expect(() => formatMessage(4001, { field: 'Eligibility' })).toThrow(/missing parameter 'value'/);
    expect(() => formatMessage(1001)).toThrow(/missing parameter 'id'/);
  });

  it('throws on an unknown code', () => {
    expect(() => formatMessage(9999, {})).toThrow(/unknown code 9999/);
  });

  it('FramError carries the code, text, kind, parameters, hint and retryability', () => {
    const e = new FramError(5001, { host: 'pos.example.org', reason: 'timed out' }, { detail: 'timeout' });
    expect(e.kind).toBe('connection');
    expect(e.params).toEqual({ host: 'pos.example.org', reason: 'timed out' });
    expect(e.detail).toBe('timeout');
    expect(e.hint).toBe(CATALOG.get(5001)!.hint);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe(5001);
    expect(e.retryable).toBe(true);
    expect(e.message).toBe('Could not connect to pos.example.org: timed out');
    expect(new FramError(5002, { user: 'svc' }).retryable).toBe(false);
  });
});
