// Names from a file server (names.ts), the P_ name that must fit (rename.ts), and the text report's escaping.

import { describe, expect, it } from 'vitest';
import { unsafeNameReason, markUnsafe } from '../src/transports/names.js';
import { processedName } from '../src/import/rename.js';
import { printable } from '../src/report/format.js';

const AT = new Date('2026-11-22T07:00:00Z');
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('unsafeNameReason', () => {
  it.each([
    ['IC_Eligibility.csv'],
    ['IC_Eligibility north (2).csv'],
    ['IC_Eligibility_élèves_ñ_日本.csv'],
    ['IC_Eligibility_' + 'x'.repeat(255 - 15)],
  ])('takes %j', (name) => {
    expect(unsafeNameReason(name)).toBeNull();
  });

  it.each([
    ['', 'the name is empty'],
    ['.', "'.' is not a file name"],
    ['..', "'..' is not a file name"],
    ['IC_Eligibility/../../fram-import.db', 'it holds a path separator'],
    ['IC_Eligibility\\..\\x', 'it holds a path separator'],
    ['IC_Eligibility\u0000.csv', 'it holds a NUL character'],
    ['IC_Eligibility\nRun: 1.csv', 'it holds a control character'],
    ['IC_Eligibility\r.csv', 'it holds a control character'],
    ['IC_Eligibility\u0085.csv', 'it holds a control character'],
    ['IC_Eligibility\u2028.csv', 'it holds a control character'],
    ['IC_Eligibility\u001b[2J.csv', 'it holds a control character'],
    ['IC_Eligibility_\ufffd.csv', 'it is not valid UTF-8'],
    ['IC_Eligibility_\ud800.csv', 'it is not valid UTF-8'],
    ['IC_Eligibility_' + 'x'.repeat(241), 'it is 256 bytes long (at most 255)'],
    ['IC_Eligibility_' + 'é'.repeat(121), 'it is 257 bytes long (at most 255)'],
  ])('refuses %j: %s', (name, reason) => {
    expect(unsafeNameReason(name)).toBe(reason);
  });

  it('marks, never drops, an unsafe name in a listing', () => {
    const mtime = new Date(0);
    const out = markUnsafe([
      { name: 'IC_Eligibility.csv', size: 1, mtime },
      { name: 'IC_Eligibility/../x', size: 2, mtime },
    ]);
    expect(out).toEqual([
      { name: 'IC_Eligibility.csv', size: 1, mtime },
      { name: 'IC_Eligibility/../x', size: 2, mtime, unsafe: 'it holds a path separator' },
    ]);
  });
});

describe('processedName', () => {
  it('keeps a short name whole', () => {
    expect(processedName('IC_Eligibility_north.csv', AT, 'America/Chicago')).toBe('P_IC_Eligibility_20261122010000_north.csv');
    expect(processedName('IC_Eligibility.txt', AT, 'America/Chicago', 3)).toBe('P_IC_Eligibility_20261122010000-3.txt');
  });

  it.each([239, 240, 245, 253, 255])('shortens a %i-byte name to 255 bytes, keeping the extension and both ends', (n) => {
    const name = `IC_Eligibility_${'a'.repeat(20)}${'m'.repeat(n - 15 - 40 - 4)}${'z'.repeat(20)}.csv`;
    expect(bytes(name)).toBe(n);
    for (const attempt of [1, 2, 12]) {
      const out = processedName(name, AT, 'America/Chicago', attempt);
      expect(bytes(out)).toBe(255);
      expect(out.startsWith(`P_IC_Eligibility_20261122010000${attempt > 1 ? `-${attempt}` : ''}_aaaaaaaaaaaaaaaaaaaa`)).toBe(
        true,
      );
      expect(out.endsWith(`${'z'.repeat(20)}.csv`)).toBe(true);
      expect(out).toContain('~');
      // Deterministic: the same name always gives the same P_ name.
      expect(processedName(name, AT, 'America/Chicago', attempt)).toBe(out);
    }
  });

  it('never splits a multi-byte character when it shortens', () => {
    const name = `IC_Eligibility_${'é'.repeat(118)}.csv`;
    expect(bytes(name)).toBe(255);
    const out = processedName(name, AT, 'UTC');
    expect(bytes(out)).toBeLessThanOrEqual(255);
    expect(out).not.toContain('\ufffd');
    expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
    expect(out.endsWith('é.csv')).toBe(true);
  });
});

describe('printable', () => {
  it('escapes control characters so a value cannot add report lines', () => {
    expect(printable('IC_Eligibility\nRun: 99\r\nStatus: Successful.csv')).toBe(
      'IC_Eligibility\\u000aRun: 99\\u000d\\u000aStatus: Successful.csv',
    );
    expect(printable('a\u0000b\u0085c\u2028d\u001be')).toBe('a\\u0000b\\u0085c\\u2028d\\u001be');
    expect(printable('IC_Eligibility élèves.csv')).toBe('IC_Eligibility élèves.csv');
  });
});
