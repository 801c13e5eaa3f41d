import { describe, expect, it } from 'vitest';
import {
  renderReport,
  type ReportFormat,
  type ReportHeader,
  type ReportMessage,
  type ReportSource,
  type ReportUpdate,
} from '../src/report/index.js';

const header = (over: Partial<ReportHeader> = {}): ReportHeader => ({
  runId: 12,
  import: 'POS nightly',
  mapping: 'POS 26-27',
  schoolYear: 2027,
  mode: 'run',
  status: 'Successful',
  trigger: { kind: 'manual', by: 'jdoe' },
  startedAt: '2026-11-22T01:00:00-06:00',
  finishedAt: '2026-11-22T01:02:03-06:00',
  summary: { new: 3, ended: 1, removed: 0, existing: 1200, errors: 2, warnings: 1 },
  files: [
    {
      name: 'IC_Eligibility.txt',
      size: 123456,
      sha256: 'ab'.repeat(32),
      renamedTo: 'P_IC_Eligibility_20261122010000.txt',
      status: 'imported',
      lines: 1505,
    },
  ],
  runError: null,
  includeUpdatedRecords: true,
  notices: ["insecureTls is set: the server's certificate is not verified"],
  ...over,
});

const MESSAGES: ReportMessage[] = [
  { file: 'IC_Eligibility.txt', line: 187, severity: 'error', code: 1001, text: "State ID '406' not found" },
  { file: 'IC_Eligibility.txt', line: 190, severity: 'error', code: 4002, text: 'Start date is not a date' },
  { file: 'IC_Eligibility.txt', line: 12, severity: 'warning', code: 3001, text: 'Eligibility lowered' },
];

const upd = (over: Partial<ReportUpdate> = {}): ReportUpdate => ({
  stateId: '123',
  name: 'Smith, Ann',
  schoolYear: 2027,
  startDate: '2026-08-14',
  endDate: '2027-09-30',
  eligibility: 'F',
  source: 'direct',
  certifiedType: 'SNAP',
  applicationName: 'App 1',
  referenceNumber: 'R-9',
  status: 'New',
  ...over,
});

function source(
  h: ReportHeader,
  messages: Iterable<ReportMessage> = MESSAGES,
  updates: Iterable<ReportUpdate> = [upd()],
): ReportSource {
  return {
    header: h,
    *messages() {
      yield* messages;
    },
    updated: () => updates,
  };
}

function render(format: ReportFormat, src: ReportSource): { out: string; chunks: string[] } {
  const chunks: string[] = [];
  renderReport(format, src, (c) => chunks.push(c));
  return { out: chunks.join(''), chunks };
}

const BANNER = 'THIS IS A TEST. NO DATA IS WRITTEN TO THE DB.';

describe('text report', () => {
  it('puts the test banner first in test mode only', () => {
    expect(render('text', source(header({ mode: 'test' }))).out.split('\n')[0]).toBe(BANNER);
    expect(render('text', source(header())).out).not.toContain(BANNER);
  });

  it('writes error lines exactly, errors before warnings, under a file subheading', () => {
    const lines = render('text', source(header())).out.split('\n');
    const e1 = lines.indexOf("Line 187 | ERROR 1001 - State ID '406' not found");
    const e2 = lines.indexOf('Line 190 | ERROR 4002 - Start date is not a date');
    const w = lines.indexOf('Line 12 | WARNING 3001 - Eligibility lowered');
    expect(e1).toBeGreaterThan(0);
    expect(lines[e1 - 1]).toBe('File: IC_Eligibility.txt');
    expect(e2).toBe(e1 + 1);
    expect(w).toBe(e2 + 1);
  });

  it('shows header, summary, dates as MM/DD/YYYY and the school year as 26-27', () => {
    const out = render('text', source(header({ runError: { code: 5003, text: 'Directory not found' } }))).out;
    for (const s of [
      'Eligibility Import Report',
      'POS nightly',
      'POS 26-27',
      'manual by jdoe',
      '11/22/2026 01:00:00 -06:00',
      'ERROR 5003 - Directory not found',
      'insecureTls is set',
      'ab'.repeat(32),
      'P_IC_Eligibility_20261122010000.txt',
      '123,456 bytes',
      'New | Ended | Removed | Existing | Errors/Warnings',
      'Existing Eligibility Records: 1200',
    ]) {
      expect(out).toContain(s);
    }
    expect(out).toMatch(/^ {2}3\s+\| 1\s+\| 0\s+\| 1200\s+\| 2\/1$/m);
    expect(out).toMatch(/^Smith, Ann\s+26-27\s+08\/14\/2026\s+09\/30\/2027\s+Free\s+SNAP \(Direct\)\s+App 1\s+R-9\s+New$/m);
    expect(out).not.toContain('2026-08-14');
  });

  it('aligns updated rows in fixed columns and never truncates an overlong value', () => {
    const long = 'Wolfeschlegelsteinhausenbergerdorff, Hubert Blaine';
    const out = render('text', source(header(), [], [upd(), upd({ name: 'Li, Bo', status: 'Ended' }), upd({ name: long })])).out;
    const rows = out.split('\n').filter((l) => l.includes('08/14/2026'));
    expect(rows).toHaveLength(3);
    expect(rows[0].indexOf('26-27')).toBe(rows[1].indexOf('26-27'));
    expect(rows[2]).toContain(long);
    expect(rows[2].indexOf('26-27')).toBeGreaterThan(rows[0].indexOf('26-27'));
    expect(rows[2].indexOf('App 1')).toBe(rows[0].indexOf('App 1')); // later slack takes the overflow back
  });

  it('shows already-imported files with the run that imported them', () => {
    const f = {
      name: 'old.txt',
      size: 5,
      sha256: null,
      renamedTo: null,
      status: 'alreadyImported' as const,
      lines: 2,
      importedByRun: 7,
    };
    const out = render('text', source(header({ files: [f], trigger: { kind: 'schedule', by: null } }))).out;
    expect(out).toContain('Already imported by run 7');
    expect(out).toMatch(/^Trigger:\s+schedule$/m);
  });
});

describe('includeUpdatedRecords = false', () => {
  const src = () => source(header({ includeUpdatedRecords: false }));
  it('hides the section in text and HTML and gives updated: [] in JSON', () => {
    expect(render('text', source(header())).out).toContain('Updated Records');
    expect(render('text', src()).out).not.toContain('Updated Records');
    expect(render('text', src()).out).not.toContain('Smith, Ann');
    expect(render('html', source(header())).out).toContain('Updated Records');
    expect(render('html', src()).out).not.toContain('Updated Records');
    expect(JSON.parse(render('json', src()).out).updated).toEqual([]);
    expect(JSON.parse(render('json', source(header())).out).updated).toHaveLength(1);
  });
});

describe('HTML report', () => {
  const nasty = `<script>O'Brien & "Co"</script>`;
  it('is a standalone printable document with every value escaped', () => {
    const src = source(
      header({ mode: 'test', import: nasty, notices: [nasty] }),
      [{ ...MESSAGES[0], file: nasty, text: nasty }],
      [upd({ name: nasty, applicationName: nasty })],
    );
    const out = render('html', src).out;
    expect(out).toMatch(/^<!DOCTYPE html>/);
    expect(out).toContain('@media print');
    expect(out).toContain('<thead>');
    expect(out).toContain('class="test-banner"');
    expect(out).toContain(BANNER);
    expect(out).not.toMatch(/<script|src=|href=|@import|url\(/i);
    expect(out).not.toContain(nasty);
    expect(out).toContain('&lt;script&gt;O&#39;Brien &amp; &quot;Co&quot;&lt;/script&gt;');
    expect(out.split('&lt;script&gt;O&#39;Brien').length - 1).toBe(7); // title, import, notice, file, message, name, app name
  });

  it('has no test banner in run mode, and shows US dates and 26-27', () => {
    const out = render('html', source(header())).out;
    expect(out).not.toContain(BANNER);
    expect(out).toContain('<td>08/14/2026</td>');
    expect(out).toContain('<td>26-27</td>');
    expect(out).toContain('<td>ERROR 1001 - State ID &#39;406&#39; not found</td>');
  });
});

describe('CSV of error lines', () => {
  it('quotes per RFC 4180, defuses formulas, and ends lines with CRLF', () => {
    const texts = [`=cmd|' /C calc'!A0`, '+1', '-2', '@x', 'a, "b"', '\tTab', 'plain'];
    const msgs = texts.map((text, i) => ({ file: 'f.txt', line: i + 1, severity: 'error' as const, code: 4001, text }));
    const out = render('csv', source(header(), msgs)).out;
    expect(out.endsWith('\r\n')).toBe(true);
    expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(out.split('\r\n')).toEqual([
      'File,Line,Severity,Code,Message',
      `f.txt,1,ERROR,4001,'=cmd|' /C calc'!A0`,
      `f.txt,2,ERROR,4001,'+1`,
      `f.txt,3,ERROR,4001,'-2`,
      `f.txt,4,ERROR,4001,'@x`,
      'f.txt,5,ERROR,4001,"a, ""b"""',
      `f.txt,6,ERROR,4001,'\tTab`,
      'f.txt,7,ERROR,4001,plain',
      '',
    ]);
  });

  it('keeps the errors-then-warnings order', () => {
    const rows = render('csv', source(header())).out.split('\r\n').slice(1, 4);
    expect(rows.map((r) => r.split(',')[1])).toEqual(['187', '190', '12']);
    expect(rows.map((r) => r.split(',')[2])).toEqual(['ERROR', 'ERROR', 'WARNING']);
  });
});

describe('JSON report', () => {
  it('parses, has the SPEC 9 shape and round-trips the header', () => {
    const h = header({ runError: { code: 5003, text: 'x "y"' } });
    const doc = JSON.parse(render('json', source(h)).out);
    expect(Object.keys(doc)).toEqual([
      'runId',
      'import',
      'mapping',
      'schoolYear',
      'mode',
      'status',
      'trigger',
      'startedAt',
      'finishedAt',
      'summary',
      'files',
      'messages',
      'updated',
      'runError',
      'notices',
    ]);
    for (const k of [
      'runId',
      'import',
      'mapping',
      'schoolYear',
      'mode',
      'status',
      'trigger',
      'startedAt',
      'finishedAt',
      'summary',
      'files',
      'runError',
      'notices',
    ] as const) {
      expect(doc[k]).toEqual(h[k]);
    }
    expect(doc.messages).toEqual(MESSAGES);
    expect(doc.updated).toEqual([upd()]);
    expect(doc.updated[0].startDate).toBe('2026-08-14');
  });

  it('adds importedByRun and error to a file only when set', () => {
    const files = [
      { ...header().files[0], importedByRun: 4, error: { code: 5006, text: 'size mismatch' } },
      { ...header().files[0], importedByRun: null },
    ];
    const doc = JSON.parse(render('json', source(header({ files }), [], [])).out);
    expect(doc.files[0]).toMatchObject({ importedByRun: 4, error: { code: 5006, text: 'size mismatch' } });
    expect(Object.keys(doc.files[1])).toEqual(['name', 'size', 'sha256', 'renamedTo', 'status', 'lines']);
    expect(doc.messages).toEqual([]);
  });
});

describe('streaming', () => {
  function* many(n: number): Generator<ReportUpdate> {
    for (let i = 0; i < n; i++) yield upd({ stateId: String(i), name: `Student ${i}, Name` });
  }
  function* manyMessages(n: number): Generator<ReportMessage> {
    for (let i = 0; i < n; i++)
      yield { file: 'f.txt', line: i + 2, severity: 'error', code: 1001, text: `State ID '${i}' not found` };
  }
  it.each(['text', 'html', 'json', 'csv'] as const)('%s renders 100,000 rows through many bounded write() calls', (format) => {
    const src = format === 'csv' ? source(header(), manyMessages(100_000), []) : source(header(), [], many(100_000));
    const { out, chunks } = render(format, src);
    expect(chunks.length).toBeGreaterThan(10);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(128 * 1024);
    if (format === 'csv') expect(out.split('\r\n')).toHaveLength(100_002);
    if (format === 'json') expect(JSON.parse(out).updated).toHaveLength(100_000);
    if (format === 'text') expect(out).toContain('Student 99999, Name');
  });
});
