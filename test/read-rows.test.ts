import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRows, type ReadRowsOptions, type ReadRowsResult } from '../src/import/read-rows.js';
import { pick, random } from './helpers/random.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/parse/', import.meta.url));
const KIB64 = 1 << 16;

let dir: string;
let fileNo = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'read-rows-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `content` (a string is written as UTF-8) to a fresh temp file. */
async function tempFile(content: string | Buffer): Promise<string> {
  const path = join(dir, `input-${++fileNo}`);
  await writeFile(path, content);
  return path;
}

type Rec = { line: number; fields: string[] };
async function collect(path: string, options: ReadRowsOptions): Promise<{ recs: Rec[]; result: ReadRowsResult }> {
  const recs: Rec[] = [];
  const result = await readRows(path, options, (fields, line) => recs.push({ line, fields: [...fields] }));
  return { recs, result };
}
const csv: ReadRowsOptions = { fileType: 'csv', encoding: 'auto' };

describe('readRows: csv quoting', () => {
  it('keeps quoted commas and "" escapes, and numbers the record after a multi-line field by physical line', async () => {
    const { recs, result } = await collect(join(FIXTURES, 'quoted.csv'), csv);
    expect(recs).toEqual([
      { line: 1, fields: ['stateId', 'lastName', 'firstName', 'note'] },
      { line: 2, fields: ['1001', 'Smith, Jr.', 'John', 'plain'] },
      { line: 3, fields: ['1002', 'O"Brien', 'Mary', 'two\nlines, with a comma'] },
      { line: 5, fields: ['1003', 'Lee', 'Ann "Annie"', 'last'] },
    ]);
    expect(result).toEqual({ encoding: 'utf-8', rows: 4, lastLine: 5, lines: 5 });
  });

  it('returns fields raw (untrimmed)', async () => {
    const { recs } = await collect(await tempFile(' a , b\t,"  c  "\n'), csv);
    expect(recs).toEqual([{ line: 1, fields: [' a ', ' b\t', '  c  '] }]);
  });
});

describe('readRows: line endings', () => {
  // Each file: header, a record whose quoted field holds one line break, a blank line, a last record without terminator.
  const body = (eol: string, inner: string) => `id,note${eol}1,"a${inner}b"${eol}${eol}2,c`;
  const cases: [string, string][] = [
    ['LF', body('\n', '\n')],
    ['CRLF', body('\r\n', '\r\n')],
    ['CR only', body('\r', '\r')],
    ['mixed', `id,note\r\n1,"a\rb"\n\r2,c`],
  ];
  it.each(cases)('%s', async (_name, text) => {
    const { recs, result } = await collect(await tempFile(text), csv);
    expect(recs).toEqual([
      { line: 1, fields: ['id', 'note'] },
      { line: 2, fields: ['1', 'a\nb'] }, // a line break inside quotes is one break, normalized to \n
      { line: 5, fields: ['2', 'c'] },
    ]);
    expect(result).toMatchObject({ lastLine: 5, lines: 5 });
  });

  it.each([
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('a %s split across a 64 KiB chunk boundary counts as one line break', async (_name, eol) => {
    const first = `1,${'x'.repeat(KIB64 - 3)}`; // the terminator starts at the last byte of the first chunk
    const text = `${first}${eol}2,y${eol}3,z${eol}`;
    expect(Buffer.byteLength(first)).toBe(KIB64 - 1);
    for (const fileType of ['csv', 'fixed'] as const) {
      const { recs } = await collect(await tempFile(text), { fileType, encoding: 'utf-8' });
      expect(recs.map((r) => r.line)).toEqual([1, 2, 3]);
      expect(recs[1].fields[0]).toBe(fileType === 'csv' ? '2' : '2,y');
    }
  });
});

describe('readRows: blank lines', () => {
  it('skips empty, whitespace-only and all-empty-field rows but counts them as lines', async () => {
    const text = 'h1,h2\n\n1,a\n   \n , \t\n,\n\u00a0,\n2,b\n\n\n';
    const { recs, result } = await collect(await tempFile(text), csv);
    expect(recs).toEqual([
      { line: 1, fields: ['h1', 'h2'] },
      { line: 3, fields: ['1', 'a'] },
      { line: 8, fields: ['2', 'b'] },
    ]);
    expect(result).toMatchObject({ rows: 3, lastLine: 8, lines: 10 });
  });

  it('skips rows of separators and any Unicode white space, U+0085 and U+FEFF included', async () => {
    const text = 'h1,h2\n\u0085\n\u0085,\u2003\n\ufeff\t,\u3000\u00a0\n1,\u0085a\n"\u0085",""\n';
    for (const fileType of ['csv', 'fixed'] as const) {
      const { recs, result } = await collect(await tempFile(text), { fileType, encoding: 'utf-8' });
      const expected =
        fileType === 'csv'
          ? [
              { line: 1, fields: ['h1', 'h2'] },
              { line: 5, fields: ['1', '\u0085a'] },
            ]
          : [
              { line: 1, fields: ['h1,h2'] },
              { line: 3, fields: ['\u0085,\u2003'] },
              { line: 4, fields: ['\ufeff\t,\u3000\u00a0'] },
              { line: 5, fields: ['1,\u0085a'] },
              { line: 6, fields: ['"\u0085",""'] },
            ];
      expect(recs).toEqual(expected); // a fixed-width line is blank only when all of it is white space
      expect(result.lines).toBe(6);
    }
  });

  it("counts a file's physical lines exactly like its line breaks, for any text (seeded)", async () => {
    const next = random(5);
    const pieces = ['a', ',', '\n', '\r', '\r\n', ' ', '\u0085', ',"q\nq",', ',"\r\n",', ',"",'];
    /** Line breaks (CRLF, CR or LF), plus a last line without one. */
    const physical = (t: string) => {
      const n = t.replace(/\r\n?/g, '\n');
      return (n.match(/\n/g)?.length ?? 0) + (n.length > 0 && !n.endsWith('\n') ? 1 : 0);
    };
    const texts = ['', '\n', 'a', 'a\n', 'a\n\n', '"x\ny"', `${'x'.repeat(KIB64 - 1)}\r\n`, `${'x'.repeat(KIB64)}\n\n`];
    for (let i = 0; i < 150; i++) {
      let t = '';
      for (let k = Math.floor(next() * 120); k > 0; k--) t += pick(next, pieces);
      texts.push(t);
    }
    for (const t of texts) {
      const path = await tempFile(t);
      for (const fileType of ['csv', 'fixed'] as const) {
        const { recs, result } = await collect(path, { fileType, encoding: 'utf-8' });
        expect(result.lines, JSON.stringify(t)).toBe(physical(t));
        expect(recs.every((r) => r.line <= result.lines)).toBe(true);
      }
    }
  });

  it('an empty file has no rows', async () => {
    for (const fileType of ['csv', 'tab', 'fixed'] as const) {
      expect(await readRows(await tempFile(''), { fileType, encoding: 'auto' }, () => {})).toEqual({
        encoding: 'utf-8',
        rows: 0,
        lastLine: 0,
        lines: 0,
      });
    }
  });
});

describe('readRows: tab and fixed', () => {
  it('splits tab files on tabs only, with quoting', async () => {
    const text = 'id\tname\n1\tSmith, John\t\n2\t"a\tb"\t"x ""y"""\n';
    const { recs } = await collect(await tempFile(text), { fileType: 'tab', encoding: 'auto' });
    expect(recs).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, fields: ['1', 'Smith, John', ''] },
      { line: 3, fields: ['2', 'a\tb', 'x "y"'] },
    ]);
  });

  it('gives fixed-width lines whole, untrimmed, without terminator, skipping blank ones', async () => {
    const { recs, result } = await collect(join(FIXTURES, 'fixed-width.txt'), { fileType: 'fixed', encoding: 'auto' });
    expect(recs).toEqual([
      { line: 1, fields: ['1001      SMITH     JOHN      F'] },
      { line: 3, fields: ["1002      O'BRIEN   MARY      R  "] },
    ]);
    expect(result).toEqual({ encoding: 'utf-8', rows: 2, lastLine: 3, lines: 3 });
  });

  it('does not treat quotes or commas specially in fixed-width files, and skips tab/NBSP-only lines', async () => {
    const text = '"abc,def\r\t \u00a0\r"x"\r';
    const { recs } = await collect(await tempFile(text), { fileType: 'fixed', encoding: 'auto' });
    expect(recs).toEqual([
      { line: 1, fields: ['"abc,def'] },
      { line: 3, fields: ['"x"'] },
    ]);
  });
});

describe('readRows: encodings', () => {
  it.each(['auto', 'utf-8'] as const)('strips a UTF-8 BOM (%s)', async (encoding) => {
    for (const fileType of ['csv', 'fixed'] as const) {
      const { recs, result } = await collect(join(FIXTURES, 'utf8-bom.csv'), { fileType, encoding });
      expect(result.encoding).toBe('utf-8');
      expect(recs[0].fields[0].startsWith('stateId')).toBe(true);
      expect(recs[1].fields.join(',')).toBe('1001,Zoë');
    }
  });

  it('a BOM makes auto pick utf-8 even if invalid bytes follow', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,'), Buffer.from([0xe9, 0x0a])]);
    const { recs, result } = await collect(await tempFile(bytes), csv);
    expect(result.encoding).toBe('utf-8');
    expect(recs[1].fields).toEqual(['1', '\ufffd']);
  });

  it.each(['auto', 'windows-1252'] as const)('decodes Windows-1252 bytes (%s)', async (encoding) => {
    const { recs, result } = await collect(join(FIXTURES, 'windows-1252.csv'), { fileType: 'csv', encoding });
    expect(result.encoding).toBe('windows-1252');
    expect(recs[1]).toEqual({ line: 2, fields: ['1001', 'Renée', '\u201cpaid\u201d \u20ac5'] });
  });

  it('explicit utf-8 does not sniff: Windows-1252 bytes become U+FFFD', async () => {
    const { recs, result } = await collect(join(FIXTURES, 'windows-1252.csv'), { fileType: 'csv', encoding: 'utf-8' });
    expect(result.encoding).toBe('utf-8');
    expect(recs[1].fields[1]).toBe('Ren\ufffde');
  });

  it('explicit windows-1252 does not sniff: UTF-8 multi-byte chars come out as mojibake', async () => {
    const path = await tempFile('1,é\n');
    const { recs } = await collect(path, { fileType: 'csv', encoding: 'windows-1252' });
    expect(recs[0].fields[1]).toBe('Ã©');
  });

  it('auto picks windows-1252 when the only invalid byte is far past the first chunk', async () => {
    const bytes = Buffer.concat([Buffer.from('1,plain\n'.repeat(20000)), Buffer.from([0x31, 0x2c, 0x80, 0x0a])]);
    expect(bytes.length).toBe(160_004); // well past the first two 64 KiB chunks
    expect(bytes.length).toBeGreaterThan(2 * KIB64);
    const { recs, result } = await collect(await tempFile(bytes), csv);
    expect(result.encoding).toBe('windows-1252');
    expect(recs[20000]).toEqual({ line: 20001, fields: ['1', '€'] });
  });

  it('auto picks windows-1252 when the file ends in the middle of a UTF-8 sequence', async () => {
    const bytes = Buffer.concat([Buffer.from('1,€\n2,'), Buffer.from('€').subarray(0, 2)]);
    const { result } = await collect(await tempFile(bytes), csv);
    expect(result.encoding).toBe('windows-1252');
  });

  it('auto detects UTF-8 with multi-byte chars straddling chunk boundaries', async () => {
    const pieces: Buffer[] = [];
    let len = 0;
    const add = (s: string) => {
      const b = Buffer.from(s, 'utf8');
      pieces.push(b);
      len += b.length;
    };
    const expected: string[] = [];
    // Each char starts one or two bytes before a power-of-two boundary, so any chunk size from 64 KiB up splits it.
    const placements: [number, string][] = [
      [KIB64 - 1, '€'],
      [2 * KIB64 - 2, '😀'],
      [3 * KIB64 - 1, 'é'],
      [4 * KIB64 - 2, '€'],
      [(1 << 20) - 1, '“'],
    ];
    for (const [at, ch] of placements) {
      while (at - len > 300) add(`f,${'x'.repeat(100)}\n`);
      add(`v,${'y'.repeat(at - len - 2)}`);
      expect(len).toBe(at);
      add(`${ch}\n`);
      expected.push(ch);
    }
    const path = await tempFile(Buffer.concat(pieces));
    for (const encoding of ['auto', 'utf-8'] as const) {
      const values: string[] = [];
      const result = await readRows(path, { fileType: 'csv', encoding }, (fields) => {
        if (fields[0] === 'v') values.push(fields[1].slice(-2).replace(/y/g, ''));
      });
      expect(result.encoding).toBe('utf-8');
      expect(values).toEqual(expected);
    }
  });
});

describe('readRows: errors', () => {
  it('rejects with the fs error when the file cannot be opened', async () => {
    await expect(readRows(join(dir, 'missing.csv'), csv, () => {})).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    ['on the record’s first line', 'id,name\n1,ok\n2,"never closed\nmore\n', 3],
    ['after a multi-line field of the same record', 'id,a,b\n1,"x\ny","open\n', 3],
    ['a tab file', 'id\tname\n\n1\t"open\tstill\n', 3],
  ])('rejects an unterminated quote at EOF naming the line it opened on (%s)', async (_name, text, line) => {
    const fileType = text.includes('\t') ? 'tab' : 'csv';
    const seen: number[] = [];
    const reading = readRows(await tempFile(text), { fileType, encoding: 'auto' }, (_f, l) => seen.push(l));
    await expect(reading).rejects.toThrow(new RegExp(`quote opened on line ${line}\\b`));
    expect(seen).not.toContain(line); // the broken record is never handed out
  });

  it('gives up on a quote that stays open for megabytes instead of buffering the rest of the file', async () => {
    const text = `id,name\n1,"open\n${'2,plain value\n'.repeat(400_000)}`; // ~5.6 MB, no other quote
    const seen: number[] = [];
    await expect(readRows(await tempFile(text), csv, (_f, l) => seen.push(l))).rejects.toThrow(
      /quote opened on line 2 is not closed within/,
    );
    expect(seen).toEqual([1]);
  });

  it('rejects a fixed-width file with an absurdly long line', async () => {
    const path = await tempFile(`ok\n${'x'.repeat(5_000_000)}\n`);
    await expect(readRows(path, { fileType: 'fixed', encoding: 'auto' }, () => {})).rejects.toThrow(
      /record starting on line 2 is longer than/,
    );
  });

  it.each(['csv', 'tab', 'fixed'] as const)('propagates an error thrown by onRow and stops reading (%s)', async (fileType) => {
    const path = await tempFile('1,a\n'.repeat(200_000));
    const boom = new Error('boom');
    let calls = 0;
    const reading = readRows(path, { fileType, encoding: 'auto' }, () => {
      if (++calls === 3) throw boom;
    });
    await expect(reading).rejects.toBe(boom);
    expect(calls).toBe(3);
  });
});

describe('readRows: volume', () => {
  it('counts a 200,000-line generated file', async () => {
    const lines = ['stateId,startDate,eligibility,lastName'];
    for (let i = 2; i <= 200_000; i++) {
      const name = i % 1000 === 0 ? '"Doe, Jane"' : `Name${i}`;
      lines.push(`${i},2026-08-15,${'FRS'[i % 3]},${name}`);
    }
    const path = await tempFile(lines.join('\r\n') + '\r\n');
    let lineSum = 0;
    let bad = 0;
    const result = await readRows(path, csv, (fields, line) => {
      lineSum += line;
      if (line > 1 && (fields[0] !== String(line) || fields.length !== 4)) bad++;
    });
    expect(result).toEqual({ encoding: 'utf-8', rows: 200_000, lastLine: 200_000, lines: 200_000 });
    expect(bad).toBe(0);
    expect(lineSum).toBe((200_000 * 200_001) / 2);
  });
});
