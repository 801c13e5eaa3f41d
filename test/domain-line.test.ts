// Mapping and validation of one line (SPEC 7.0, 7.2), with literal mappings as the loader stores them.

import { describe, expect, it } from 'vitest';
import { compileMapping, mapLine, type CompiledMapping } from '../src/domain/line.js';
import type { CertifiedType, LineRecord, Mapping } from '../src/domain/types.js';

const TYPES: CertifiedType[] = [
  { code: 'SNAP', label: 'SNAP direct certification', source: 'direct', eligibility: ['F'] },
  { code: 'MEDICAID_R', label: 'Medicaid, reduced', source: 'direct', eligibility: ['R'] },
  { code: 'APP_F', label: 'Free by application', source: 'nonDirect', eligibility: ['F'] },
  { code: 'APP_R', label: 'Reduced by application', source: 'nonDirect', eligibility: ['R'] },
  { code: 'VERIFIED', label: 'Verification result', source: 'nonDirect', eligibility: ['F', 'R', 'S'] },
];

const HEADER = [
  'State ID',
  'Last Name',
  'First Name',
  'Start Date',
  'End Date',
  'Eligibility',
  'Certified Type',
  'Application',
  'Reference',
  'Source',
];

function mapping(over: Partial<Mapping> = {}): Mapping {
  return {
    name: 'Test',
    schoolYear: 2027,
    fileType: 'csv',
    hasHeader: true,
    encoding: 'auto',
    identifier: 'stateId',
    directCertification: false,
    dateFormat: 'M/D/YYYY',
    fields: {
      stateId: { column: 'State ID' },
      lastName: { column: 'Last Name' },
      firstName: { column: 'First Name' },
      startDate: { column: 'Start Date' },
      endDate: { column: 'End Date' },
      eligibility: { column: 'Eligibility' },
      certifiedType: { column: 'Certified Type' },
      applicationName: { column: 'Application' },
      referenceNumber: { column: 'Reference' },
    },
    values: {
      eligibility: { free: 'F', reduced: 'R', paid: 'S', f: 'F', r: 'R', p: 'S' },
      certifiedType: { snap: 'SNAP', medr: 'MEDICAID_R', appf: 'APP_F', appr: 'APP_R', ver: 'VERIFIED' },
      source: { dc: 'direct', app: 'nonDirect' },
    },
    ...over,
  };
}

function compile(m: Mapping = mapping(), header: string[] | null = HEADER): CompiledMapping {
  const cm = compileMapping(m, header, TYPES);
  if ('missingColumns' in cm) throw new Error(`missing columns ${cm.missingColumns.join(', ')}`);
  return cm;
}

type Row = { id: string; start: string; end: string; elig: string; type: string; app: string; ref: string; source: string };
const BASE: Row = {
  id: '000123',
  start: '8/1/2026',
  end: '6/30/2027',
  elig: 'Free',
  type: 'APPF',
  app: 'A-1',
  ref: 'R-9',
  source: '',
};

function row(over: Partial<Row> = {}): string[] {
  const r = { ...BASE, ...over };
  return [r.id, 'Doe', 'Jane', r.start, r.end, r.elig, r.type, r.app, r.ref, r.source];
}

const VALID: LineRecord = {
  schoolYear: 2027,
  startDate: '2026-08-01',
  endDate: '2027-06-30',
  eligibility: 'F',
  source: 'nonDirect',
  certifiedType: 'APP_F',
  applicationName: 'A-1',
  referenceNumber: 'R-9',
};

const codes = (fields: string[], cm = compile()) => mapLine(fields, cm).problems.map((p) => p.code);

describe('compileMapping', () => {
  it('matches header names ignoring case and surrounding spaces', () => {
    const header = [
      '  state id ',
      'LAST NAME',
      'first name',
      'START DATE\t',
      ' end date',
      'ELIGIBILITY',
      'certified type',
      'application',
      'REFERENCE',
      'source',
    ];
    const cm = compile(mapping(), header);
    expect(mapLine(row(), cm).record).toEqual(VALID);
  });

  it("trims the mapping's column names too", () => {
    const m = mapping();
    m.fields = { ...m.fields, stateId: { column: '  State ID  ' } };
    expect(mapLine(row(), compile(m)).key).toBe('000123');
  });

  it('reports every column the header lacks', () => {
    const m = mapping();
    m.fields = { ...m.fields, eligibility: { column: 'Elig Code' }, source: { column: 'Src' } };
    expect(compileMapping(m, HEADER, TYPES)).toEqual({ missingColumns: ['Elig Code', 'Src'] });
  });

  it('reports named columns as missing when there is no header', () => {
    const result = compileMapping(mapping(), null, TYPES);
    expect('missingColumns' in result && result.missingColumns).toHaveLength(9);
  });

  it('reads numeric (1-based) columns without a header', () => {
    const m = mapping({
      hasHeader: false,
      fields: {
        stateId: { column: 1 },
        startDate: { column: 4 },
        endDate: { column: 5 },
        eligibility: { column: 6 },
        certifiedType: { column: 7 },
      },
    });
    const cm = compile(m, null);
    expect(cm.bounds).toEqual({ from: '2026-07-01', to: '2027-06-30' });
    expect(mapLine(row(), cm).record).toEqual({ ...VALID, applicationName: null, referenceNumber: null });
  });

  it('reads fixed-width slices (1-based start), trimmed', () => {
    const m = mapping({
      fileType: 'fixed',
      hasHeader: false,
      fields: {
        stateId: { start: 1, length: 10 },
        startDate: { start: 11, length: 10 },
        endDate: { start: 21, length: 10 },
        eligibility: { start: 31, length: 8 },
        certifiedType: { start: 39, length: 6 },
      },
    });
    const line = '000123    08/01/202606/30/2027Free    APPF  ';
    const mapped = mapLine([line], compile(m, null));
    expect(mapped.key).toBe('000123');
    expect(mapped.record).toEqual({ ...VALID, applicationName: null, referenceNumber: null });
  });
});

describe('mapLine: valid lines', () => {
  it('maps a valid line to a record without problems', () => {
    const mapped = mapLine(row(), compile());
    expect(mapped).toEqual({ key: '000123', startDate: '2026-08-01', problems: [], record: VALID });
  });

  it('trims U+0085, the other Unicode spaces and U+FEFF from every field, header names included', () => {
    const ws = '\u0085\u2003\u3000\ufeff\u202f\u2028';
    const mapped = mapLine(
      row({
        id: `${ws}000123\u0085`,
        start: `\u00858/1/2026${ws}`,
        end: `6/30/2027\u0085`,
        elig: `\u0085Free\u0085`,
        type: `${ws}APPF`,
        app: `A-1${ws}`,
        ref: '\u0085R-9',
      }),
      compile(
        mapping(),
        HEADER.map((h) => `\u0085${h}\u3000`),
      ),
    );
    expect(mapped.problems).toEqual([]);
    expect(mapped.key).toBe('000123');
    expect(mapped.record).toEqual(VALID);
  });

  it('does not trim characters that are not white space', () => {
    expect(mapLine(row({ id: '\u200b000123' }), compile()).key).toBe('\u200b000123'); // ZERO WIDTH SPACE is not White_Space
  });

  it('trims spaces, tabs and non-breaking spaces from every field', () => {
    const mapped = mapLine(
      row({
        id: '\u00a0 000123\t',
        start: ' \t8/1/2026\u00a0',
        end: '\u00a06/30/2027 ',
        elig: '\tFree ',
        type: ' APPF\u00a0',
        app: ' A-1\t',
      }),
      compile(),
    );
    expect(mapped.problems).toEqual([]);
    expect(mapped.key).toBe('000123');
    expect(mapped.record).toEqual(VALID);
  });

  it.each(['0001234567', '00', '0'])('keeps the leading zeros of State ID %s', (id) => {
    expect(mapLine(row({ id }), compile()).key).toBe(id);
  });

  it.each([
    ['FREE', 'appf'],
    ['fReE', 'AppF'],
    ['f', 'APPF'],
    ['F', 'appF'],
  ])('value maps ignore case: %s / %s', (elig, type) => {
    expect(mapLine(row({ elig, type }), compile()).record).toEqual(VALID);
  });

  it('uses constants for coded fields as our own values, without lookup', () => {
    const m = mapping({ values: {} });
    m.fields = { ...m.fields, eligibility: { constant: 'F' }, certifiedType: { constant: 'SNAP' } };
    const mapped = mapLine(row({ elig: 'garbage', type: 'garbage' }), compile(m));
    expect(mapped.problems).toEqual([]);
    expect(mapped.record).toMatchObject({ eligibility: 'F', certifiedType: 'SNAP', source: 'direct' });
  });

  it('takes the source from the certified type when there is no source column', () => {
    expect(mapLine(row({ type: 'SNAP' }), compile()).record).toMatchObject({ source: 'direct', certifiedType: 'SNAP' });
  });

  it('accepts a source column that agrees with the certified type', () => {
    const m = mapping();
    m.fields = { ...m.fields, source: { column: 'Source' } };
    expect(mapLine(row({ type: 'SNAP', source: 'DC' }), compile(m)).record).toMatchObject({ source: 'direct' });
  });

  it('makes every line Direct with directCertification: true', () => {
    const m = mapping({ directCertification: true });
    m.fields = {
      stateId: { column: 'State ID' },
      startDate: { column: 'Start Date' },
      endDate: { column: 'End Date' },
      eligibility: { column: 'Eligibility' },
    };
    expect(mapLine(row(), compile(m)).record).toMatchObject({ source: 'direct', certifiedType: null });
    expect(mapLine(row({ type: 'SNAP' }), compile(mapping({ directCertification: true }))).record).toMatchObject({
      source: 'direct',
    });
  });
});

describe('mapLine: line errors', () => {
  it('rejects an unmapped eligibility with exactly one 4001', () => {
    const mapped = mapLine(row({ elig: 'X' }), compile());
    expect(mapped.problems).toEqual([{ code: 4001, severity: 'error', text: "Invalid Eligibility 'X'" }]);
    expect(mapped.record).toBeNull();
  });

  it('rejects an unmapped certified type', () => {
    const mapped = mapLine(row({ type: 'ZZZ 9' }), compile());
    expect(mapped.problems).toEqual([{ code: 4001, severity: 'error', text: "Invalid Certified Type 'ZZZ 9'" }]);
    expect(mapped.record).toBeNull();
  });

  it('treats an empty eligibility as a value: error without a "" mapping, fine with one', () => {
    expect(mapLine(row({ elig: '  ', type: 'VER' }), compile()).problems.map((p) => p.text)).toEqual(["Invalid Eligibility ''"]);
    const m = mapping();
    m.values = { ...m.values, eligibility: { ...m.values.eligibility, '': 'S' } };
    const mapped = mapLine(row({ elig: '', type: 'VER' }), compile(m));
    expect(mapped.problems).toEqual([]);
    expect(mapped.record).toMatchObject({ eligibility: 'S', certifiedType: 'VERIFIED' });
  });

  it('rejects a source column that disagrees with the certified type (4007)', () => {
    const m = mapping();
    m.fields = { ...m.fields, source: { column: 'Source' } };
    const mapped = mapLine(row({ type: 'SNAP', source: 'app' }), compile(m));
    expect(mapped.problems.map((p) => p.code)).toEqual([4007]);
    expect(mapped.problems[0].text).toContain("Certified Type 'SNAP'");
    expect(mapped.record).toBeNull();
  });

  it('rejects an eligibility the certified type does not allow (4008)', () => {
    const mapped = mapLine(row({ elig: 'Reduced', type: 'SNAP' }), compile());
    expect(mapped.problems).toEqual([
      {
        code: 4008,
        severity: 'error',
        text: "Eligibility 'R' is not allowed for Certified Type 'SNAP' (allowed: F)",
      },
    ]);
    expect(mapped.record).toBeNull();
  });

  it('rejects a Non-Direct type under directCertification: true (4007)', () => {
    const mapped = mapLine(row({ type: 'APPF' }), compile(mapping({ directCertification: true })));
    expect(mapped.problems.map((p) => p.code)).toEqual([4007]);
    expect(mapped.record).toBeNull();
  });

  it.each(['13/1/2026', '8/32/2026', '2026-08-01', 'soon', ''])('rejects start date %j (4002)', (start) => {
    const mapped = mapLine(row({ start }), compile());
    expect(mapped.problems).toEqual([
      {
        code: 4002,
        severity: 'error',
        text: `Invalid Start Date '${start}': expected a date as M/D/YYYY`,
      },
    ]);
    expect(mapped.startDate).toBeNull();
    expect(mapped.record).toBeNull();
  });

  it.each([
    ['8/1/1850', 'the year 1850 is out of range (1900-2200)'],
    ['8/1/2201', 'the year 2201 is out of range (1900-2200)'],
    ['8/1/0000', 'the year 0 is out of range (1900-2200)'],
    ['13/1/1850', 'the year 1850 is out of range (1900-2200)'],
    ['8/1/20266', 'expected a date as M/D/YYYY'],
  ])('says when a date %s is refused for its year (4002)', (end, why) => {
    expect(mapLine(row({ end }), compile()).problems).toEqual([
      { code: 4002, severity: 'error', text: `Invalid End Date '${end}': ${why}` },
    ]);
  });

  it('accepts the first and last years of the range', () => {
    const m = mapping({ schoolYear: 2201 });
    expect(mapLine(row({ start: '8/1/2200', end: '6/30/2201' }), compile(m)).problems.map((p) => p.text)).toEqual([
      "Invalid End Date '6/30/2201': the year 2201 is out of range (1900-2200)",
    ]);
    expect(mapLine(row({ start: '8/1/2200', end: '12/31/2200' }), compile(m)).record).toMatchObject({ startDate: '2200-08-01' });
  });

  it('rejects an unparseable end date (4002)', () => {
    expect(mapLine(row({ end: '6/31/2027' }), compile()).problems.map((p) => p.text)).toEqual([
      "Invalid End Date '6/31/2027': expected a date as M/D/YYYY",
    ]);
  });

  it('rejects an empty end date without defaultEndDate (4003)', () => {
    const mapped = mapLine(row({ end: ' ' }), compile());
    expect(mapped.problems.map((p) => p.code)).toEqual([4003]);
    expect(mapped.record).toBeNull();
  });

  it('uses defaultEndDate for an empty end date, with warning 3103', () => {
    const mapped = mapLine(row({ end: '' }), compile(mapping({ defaultEndDate: '2027-06-30' })));
    expect(mapped.record).toEqual(VALID);
    expect(mapped.problems).toEqual([
      { code: 3103, severity: 'warning', text: 'End Date is empty; the default 06/30/2027 was used' },
    ]);
  });

  it('rejects an end date before the start date (4004)', () => {
    const mapped = mapLine(row({ start: '9/2/2026', end: '9/1/2026' }), compile());
    expect(mapped.problems).toEqual([{ code: 4004, severity: 'error', text: 'Record contains End Date before Start Date' }]);
    expect(mapped.record).toBeNull();
  });

  it('accepts a one-day record (end = start)', () => {
    expect(mapLine(row({ start: '9/1/2026', end: '9/1/2026' }), compile()).record).toMatchObject({
      startDate: '2026-09-01',
      endDate: '2026-09-01',
    });
  });

  it.each([
    ['6/30/2026', '7/31/2026', 'Start Date 06/30/2026 is outside school year 26-27 (07/01/2026 - 06/30/2027)'],
    ['7/1/2027', '7/31/2027', 'Start Date 07/01/2027 is outside school year 26-27 (07/01/2026 - 06/30/2027)'],
  ])('rejects start date %s outside the school year (4005)', (start, end, text) => {
    const mapped = mapLine(row({ start, end }), compile());
    expect(mapped.problems).toEqual([{ code: 4005, severity: 'error', text }]);
    expect(mapped.record).toBeNull();
    expect(mapped.startDate).not.toBeNull();
  });

  it.each([
    ['7/1/2026', '7/1/2026'],
    ['6/30/2027', '6/30/2027'],
    ['6/1/2027', '8/31/2027'],
    ['3/1/2027', '12/31/2027'],
  ])('accepts start %s (end %s) inside the year, end past June 30 as carryover', (start, end) => {
    const mapped = mapLine(row({ start, end }), compile());
    expect(mapped.problems).toEqual([]);
    expect(mapped.record).not.toBeNull();
  });

  it('reports every problem of a line', () => {
    expect(codes(row({ elig: 'X', type: 'ZZZ', start: 'bad', end: '' }))).toEqual([4001, 4001, 4002, 4003]);
    expect(codes(row({ elig: 'X', start: '6/1/2026', end: '5/1/2026' }))).toEqual([4001, 4004, 4005]);
    const m = mapping();
    m.fields = { ...m.fields, source: { column: 'Source' } };
    expect(codes(row({ elig: 'Reduced', type: 'SNAP', source: 'app', end: '13/13/2027' }), compile(m))).toEqual([
      4007, 4008, 4002,
    ]);
  });

  it('reports a row too short for the mapping (4006) once per line, naming the first required field it lacks', () => {
    const mapped = mapLine(['000123', 'Doe', 'Jane', '8/1/2026'], compile());
    expect(mapped.record).toBeNull();
    expect(mapped.key).toBe('000123');
    expect(mapped.problems).toEqual([
      { code: 4006, severity: 'error', text: 'Line has 4 fields; the mapping reads End Date from column 5' },
    ]);
  });

  it.each([
    [1, 'Start Date', 4],
    [6, 'Certified Type', 7],
  ])('a row of %i fields lacks %s (column %i) first', (count, field, column) => {
    const mapped = mapLine(row().slice(0, count), compile());
    expect(mapped.problems.filter((p) => p.code === 4006).map((p) => p.text)).toEqual([
      `Line has ${count} fields; the mapping reads ${field} from column ${column}`,
    ]);
    expect(mapped.record).toBeNull();
  });

  it('an optional field a short row lacks is empty, not an error: names, application name, reference number', () => {
    // The mapping reads Application (8) and Reference (9) after every required column.
    expect(mapLine(row().slice(0, 7), compile())).toEqual({
      key: '000123',
      startDate: '2026-08-01',
      problems: [],
      record: { ...VALID, applicationName: null, referenceNumber: null },
    });
    const m = mapping();
    m.fields = { ...m.fields, lastName: { column: 11 }, firstName: { column: 12 } };
    expect(mapLine(row(), compile(m)).problems).toEqual([]);
  });

  it('a required field in a column after the optional ones is still required', () => {
    const m = mapping();
    m.fields = { ...m.fields, source: { column: 'Source' } };
    const mapped = mapLine(row({ type: 'SNAP' }).slice(0, 9), compile(m));
    expect(mapped.problems.map((p) => p.text)).toEqual(['Line has 9 fields; the mapping reads Source from column 10']);
    expect(mapped.record).toBeNull();
  });
});
