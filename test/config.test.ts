import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMPORT_KEYS, loadConfig, MAPPING_KEYS } from '../src/config.js';
import { ROOT, SHIPPED, TYPES, MAPPING, LOCAL_IMPORT, tempDir, load, loadOk } from './helpers/config-dir.js';

describe('the shipped config', () => {
  it('loads with zero problems', () => {
    const { config, problems } = loadConfig(SHIPPED);
    expect(problems).toEqual([]);
    expect(config!.mappings.get('POS 26-27')?.schoolYear).toBe(2027);
    const demo = config!.imports.get('Demo drop folder')!;
    expect(demo.protocol).toBe('local');
    expect(demo.directory).toBe(path.join(SHIPPED, 'drop'));
    expect(demo.stableSeconds).toBe(0);
    expect(demo.schedule).toEqual({ frequency: 'daily', time: '01:00' });
    expect(demo.mapping).toBe('POS 26-27');
    expect(config!.certifiedTypes.map((t) => t.code)).toContain('VERIFIED');
  });

  it('the .example imports load too once renamed to .yaml', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'mappings'));
    mkdirSync(path.join(dir, 'imports'));
    copyFileSync(path.join(SHIPPED, 'certified-types.yaml'), path.join(dir, 'certified-types.yaml'));
    copyFileSync(path.join(SHIPPED, 'mappings/pos-26-27.yaml'), path.join(dir, 'mappings/pos-26-27.yaml'));
    const examples = readdirSync(path.join(SHIPPED, 'imports')).filter((n) => n.endsWith('.example'));
    expect(examples.length).toBe(3);
    for (const n of examples)
      copyFileSync(path.join(SHIPPED, 'imports', n), path.join(dir, 'imports', n.replace(/\.example$/, '')));
    const { config, problems } = loadConfig(dir);
    expect(problems).toEqual([]);
    expect([...config!.imports.values()].map((i) => i.protocol).sort()).toEqual(['ftps', 'sftp', 'smb']);
    const ftps = [...config!.imports.values()].find((i) => i.protocol === 'ftps')!;
    expect(ftps.port).toBe(21);
    expect(ftps.certSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores files that are not .yaml/.yml (the .example files)', () => {
    const config = loadConfig(SHIPPED).config!;
    expect([...config.imports.keys()]).toEqual(['Demo drop folder']);
  });
});

describe('docs/configuration.md', () => {
  it('describes every key of mapping and import files, and every setting', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/configuration.md'), 'utf8');
    const settings = [
      'FRAM_DATA_DIR',
      'FRAM_CONFIG_DIR',
      'FRAM_PORT',
      'FRAM_TZ',
      'FRAM_LOG_LEVEL',
      'FRAM_API_TOKENS_FILE',
      'FRAM_RETENTION_DAYS',
    ];
    const keys = [...MAPPING_KEYS, ...IMPORT_KEYS, ...settings, 'code', 'label', 'frequency', 'day', 'time'];
    expect(keys.length).toBeGreaterThan(40);
    for (const key of keys) expect(doc, key).toContain(`| \`${key}\``);
  });
});

describe('demo fixtures', () => {
  const csvRows = (file: string) =>
    readFileSync(path.join(ROOT, 'fixtures/demo', file), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));

  it('the roster has exactly one State ID shared by two students with different student numbers', () => {
    const [header, ...rows] = csvRows('roster.csv');
    expect(header).toEqual(['stateId', 'studentNumber', 'lastName', 'firstName', 'birthDate', 'school', 'grade']);
    expect(rows).toHaveLength(40);
    const byId = new Map<string, string[]>();
    for (const r of rows) byId.set(r[0], [...(byId.get(r[0]) ?? []), r[1]]);
    const shared = [...byId.values()].filter((nums) => nums.length > 1);
    expect(shared).toHaveLength(1);
    expect(new Set(shared[0]).size).toBe(2);
    expect(rows.every((r) => /^\d{10}$/.test(r[0]))).toBe(true);
    expect(rows.some((r) => r[0].startsWith('00'))).toBe(true);
    expect(new Set(rows.map((r) => r[5])).size).toBe(3);
  });

  it('the eligibility file fits the demo mapping: its columns exist and only the one planted value is unmapped', () => {
    const mapping = loadConfig(SHIPPED).config!.mappings.get('POS 26-27')!;
    const [header, ...rows] = csvRows('IC_Eligibility_demo.csv');
    for (const src of Object.values(mapping.fields)) {
      if ('column' in src) expect(header).toContain(src.column);
    }
    const col = (name: string) => header.indexOf(name);
    const unmappedElig = rows.filter(
      (r) => mapping.values.eligibility![r[col('Eligibility')].trim().toLowerCase()] === undefined,
    );
    expect(unmappedElig.map((r) => r[col('Eligibility')])).toEqual(['X']);
    const unmappedType = rows.filter(
      (r) => mapping.values.certifiedType![r[col('Certified Type')].trim().toLowerCase()] === undefined,
    );
    expect(unmappedType).toEqual([]);
    expect(rows.filter((r) => r[0] === '')).toHaveLength(1);
  });
});

describe('problems', () => {
  it('reports every problem across files at once, each with file and field', () => {
    const { config, problems } = load({
      'certified-types.yaml': `${TYPES}- { code: SNAP, label: again, source: direct, eligibility: [F] }\n`,
      'mappings/m1.yaml': MAPPING.replace('  stateId: State ID\n', '').replace(
        'schoolYear: 2027',
        'schoolYear: 2027\ndateFormat: DD.MM.YYYY',
      ),
      'imports/local.yaml': `${LOCAL_IMPORT}stableSeconds: -1\nmaxChangeRatio: 0\n`,
      'imports/other.yaml': 'name: Other\nmapping: M1\nprotocol: gopher\ndirectory: x\nfilePrefx: IC\n',
    });
    expect(config!.imports.size).toBe(0);
    expect(config!.mappings.size).toBe(0);
    const expected = [
      'certified-types.yaml: [3].code:',
      'mappings/m1.yaml: fields.stateId: required',
      'mappings/m1.yaml: dateFormat:',
      'imports/local.yaml: stableSeconds:',
      'imports/local.yaml: maxChangeRatio:',
      'imports/other.yaml: protocol:',
      'imports/other.yaml: filePrefx: unknown key',
    ];
    for (const e of expected)
      expect(
        problems.some((p) => p.startsWith(e)),
        e,
      ).toBe(true);
  });

  it('reports YAML syntax errors with the file', () => {
    const { config, problems, disabled } = load({ 'mappings/m1.yaml': 'name: [unclosed\n', 'imports/local.yaml': null });
    expect(config!.mappings.size).toBe(0);
    expect(disabled.size).toBe(0);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^mappings\/m1\.yaml: YAML syntax error/);
  });

  it('does not report a mapping reference as unknown when that mapping file itself is broken', () => {
    const { problems } = load({ 'mappings/m1.yaml': MAPPING.replace('schoolYear: 2027', 'schoolYear: soon') });
    expect(problems).toEqual(['mappings/m1.yaml: schoolYear: expected a number, got a string']);
  });

  it('rejects a missing certified-types.yaml', () => {
    const { problems } = load({ 'certified-types.yaml': null });
    expect(problems.some((p) => p.startsWith('certified-types.yaml: missing'))).toBe(true);
  });
});

describe('mappings', () => {
  it('applies defaults', () => {
    const m = loadOk().mappings.get('M1')!;
    expect(m).toMatchObject({
      fileType: 'csv',
      hasHeader: true,
      encoding: 'auto',
      identifier: 'stateId',
      directCertification: false,
      dateFormat: 'M/D/YYYY',
    });
    expect(m.defaultEndDate).toBeUndefined();
    expect(m.fields.stateId).toEqual({ column: 'State ID' });
  });

  it('stores value-map keys trimmed and lower-cased, with numeric YAML keys as strings', () => {
    const m = loadOk({
      'mappings/m1.yaml': MAPPING.replace('{ Free: F, Reduced: R, Paid: S }', '{ " Free ": F, 1: F, 2: R, "": S }'),
    }).mappings.get('M1')!;
    expect(m.values.eligibility).toEqual({ free: 'F', '1': 'F', '2': 'R', '': 'S' });
  });

  it('rejects two spellings of one value-map key that map differently', () => {
    const { problems } = load({ 'mappings/m1.yaml': MAPPING.replace('Paid: S', 'Paid: S, PAID: F') });
    expect(problems.some((p) => p.startsWith('mappings/m1.yaml: values.eligibility.PAID:'))).toBe(true);
  });

  it('rejects an unknown certified-type code in values (cross-file)', () => {
    const { problems } = load({
      'mappings/m1.yaml': `${MAPPING}  certifiedType: { SNAP: SNAP, MEDX: MEDICAID_X }\n`.replace(
        '  eligibility: Elig\n',
        '  eligibility: Elig\n  certifiedType: Type\n',
      ),
    });
    expect(problems).toEqual([
      "mappings/m1.yaml: values.certifiedType.MEDX: unknown certified type 'MEDICAID_X' (not in certified-types.yaml)",
    ]);
  });

  it('rejects a string column when hasHeader is false, and accepts column numbers', () => {
    const { problems } = load({
      'mappings/m1.yaml': MAPPING.replace('schoolYear: 2027', 'schoolYear: 2027\nhasHeader: false')
        .replace('Start\n', '2\n')
        .replace('End\n', '3\n')
        .replace('Elig\n', '4\n'),
    });
    expect(problems).toEqual([
      'mappings/m1.yaml: fields.stateId: a column name needs hasHeader: true; give the column number (1-based) instead',
    ]);
    const ok = loadOk({
      'mappings/m1.yaml': MAPPING.replace('schoolYear: 2027', 'schoolYear: 2027\nhasHeader: false')
        .replace('State ID\n', '1\n')
        .replace('Start\n', '2\n')
        .replace('End\n', '3\n')
        .replace('Elig\n', '4\n'),
    });
    expect(ok.mappings.get('M1')!.fields.stateId).toEqual({ column: 1 });
  });

  it('requires { start, length } for fixed files and refuses it for csv', () => {
    const fixed = MAPPING.replace('schoolYear: 2027', 'schoolYear: 2027\nfileType: fixed')
      .replace('State ID\n', '{ start: 1, length: 10 }\n')
      .replace('Start\n', '{ start: 11, length: 8 }\n')
      .replace('End\n', '{ start: 19, length: 8 }\n');
    expect(load({ 'mappings/m1.yaml': fixed }).problems).toEqual([
      'mappings/m1.yaml: fields.eligibility: a fixed-width file needs { start, length } for every field read from the file',
    ]);
    const m = loadOk({ 'mappings/m1.yaml': fixed.replace('Elig\n', '{ start: 27, length: 1 }\n') }).mappings.get('M1')!;
    expect(m.fields.eligibility).toEqual({ start: 27, length: 1 });
    const csv = load({ 'mappings/m1.yaml': MAPPING.replace('Elig\n', '{ start: 27, length: 1 }\n') });
    expect(csv.problems[0]).toMatch(/^mappings\/m1\.yaml: fields\.eligibility: \{ start, length \} is only for fileType: fixed/);
  });

  it('needs a value map for a coded field read from a column, and our own value for a constant', () => {
    const noMap = load({ 'mappings/m1.yaml': MAPPING.replace(/values:[\s\S]*$/, '') });
    expect(noMap.problems).toEqual([
      'mappings/m1.yaml: values.eligibility: required: fields.eligibility is read from the file, so its codes need a value map',
    ]);
    const badConst = load({ 'mappings/m1.yaml': MAPPING.replace('Elig\n', '{ constant: Free }\n') });
    expect(badConst.problems).toEqual(['mappings/m1.yaml: fields.eligibility.constant: must be one of: F, R, S']);
    const m = loadOk({
      'mappings/m1.yaml': MAPPING.replace('Elig\n', '{ constant: F }\n  certifiedType: { constant: SNAP }\n'),
    }).mappings.get('M1')!;
    expect(m.fields.eligibility).toEqual({ constant: 'F' });
    const badType = load({ 'mappings/m1.yaml': MAPPING.replace('Elig\n', 'Elig\n  certifiedType: { constant: NOPE }\n') });
    expect(badType.problems).toEqual([
      "mappings/m1.yaml: fields.certifiedType.constant: unknown certified type 'NOPE' (not in certified-types.yaml)",
    ]);
  });

  it('validates dateFormat against the list and defaultEndDate as YYYY-MM-DD', () => {
    expect(
      loadOk({ 'mappings/m1.yaml': `${MAPPING}dateFormat: YYYYMMDD\ndefaultEndDate: 2027-06-30\n` }).mappings.get('M1'),
    ).toMatchObject({ dateFormat: 'YYYYMMDD', defaultEndDate: '2027-06-30' });
    const { problems } = load({ 'mappings/m1.yaml': `${MAPPING}dateFormat: DD-MM-YY\ndefaultEndDate: 6/30/2027\n` });
    expect(problems.some((p) => p.startsWith('mappings/m1.yaml: dateFormat: must be one of: M/D/YYYY'))).toBe(true);
    expect(problems).toContain('mappings/m1.yaml: defaultEndDate: must be a real date written YYYY-MM-DD');
  });

  it('rejects two mapping files with the same name', () => {
    const { problems } = load({ 'mappings/m2.yaml': MAPPING });
    expect(problems).toEqual(["mappings/m2.yaml: name: 'M1' is already the name of mappings/m1.yaml"]);
  });
});
