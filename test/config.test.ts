import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { IMPORT_KEYS, loadConfig, loadSettings, MAPPING_KEYS, readSecret, type Config } from '../src/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHIPPED = path.join(ROOT, 'config');

const TYPES = `
- { code: SNAP, label: SNAP, source: direct, eligibility: [F] }
- { code: APP_F, label: Free by application, source: nonDirect, eligibility: [F] }
- { code: APP_R, label: Reduced by application, source: nonDirect, eligibility: [R] }
`;

const MAPPING = `
name: M1
schoolYear: 2027
fields:
  stateId: State ID
  startDate: Start
  endDate: End
  eligibility: Elig
values:
  eligibility: { Free: F, Reduced: R, Paid: S }
`;

const LOCAL_IMPORT = `
name: Local one
mapping: M1
protocol: local
directory: drop
`;

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fram-config-'));
  dirs.push(dir);
  return dir;
}

/** Writes a config dir: the given files over a valid base (pass `null` to leave a base file out). */
function configDir(files: Record<string, string | null> = {}): string {
  const dir = tempDir();
  const all: Record<string, string | null> = {
    'certified-types.yaml': TYPES,
    'mappings/m1.yaml': MAPPING,
    'imports/local.yaml': LOCAL_IMPORT,
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    if (text === null) continue;
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function load(files: Record<string, string | null> = {}) {
  return loadConfig(configDir(files));
}

function loadOk(files: Record<string, string | null> = {}): Config {
  const { config, problems } = load(files);
  expect(problems).toEqual([]);
  expect(config).not.toBeNull();
  return config!;
}

function sftpImport(extra = ''): string {
  return `
name: Remote
mapping: M1
protocol: sftp
host: pos.example.org
username: fram
password: { env: POS_PASSWORD }
directory: out
${extra}`;
}

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
    for (const n of examples) copyFileSync(path.join(SHIPPED, 'imports', n), path.join(dir, 'imports', n.replace(/\.example$/, '')));
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
    const settings = ['FRAM_DATA_DIR', 'FRAM_CONFIG_DIR', 'FRAM_PORT', 'FRAM_TZ', 'FRAM_LOG_LEVEL', 'FRAM_API_TOKENS_FILE', 'FRAM_RETENTION_DAYS'];
    const keys = [...MAPPING_KEYS, ...IMPORT_KEYS, ...settings, 'code', 'label', 'frequency', 'day', 'time'];
    expect(keys.length).toBeGreaterThan(40);
    for (const key of keys) expect(doc, key).toContain(`| \`${key}\``);
  });
});

describe('demo fixtures', () => {
  const csvRows = (file: string) =>
    readFileSync(path.join(ROOT, 'fixtures/demo', file), 'utf8').trim().split('\n').map((l) => l.split(','));

  it('the roster has exactly one State ID shared by two students with different student numbers', () => {
    const [header, ...rows] = csvRows('roster.csv');
    expect(header).toEqual(['stateId', 'studentNumber', 'lastName', 'firstName', 'birthDate', 'school', 'grade']);
    expect(rows.length).toBeGreaterThanOrEqual(35);
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
    const unmappedElig = rows.filter((r) => mapping.values.eligibility![r[col('Eligibility')].trim().toLowerCase()] === undefined);
    expect(unmappedElig.map((r) => r[col('Eligibility')])).toEqual(['X']);
    const unmappedType = rows.filter((r) => mapping.values.certifiedType![r[col('Certified Type')].trim().toLowerCase()] === undefined);
    expect(unmappedType).toEqual([]);
    expect(rows.filter((r) => r[0] === '')).toHaveLength(1);
  });
});

describe('problems', () => {
  it('reports every problem across files at once, each with file and field', () => {
    const { config, problems } = load({
      'certified-types.yaml': `${TYPES}- { code: SNAP, label: again, source: direct, eligibility: [F] }\n`,
      'mappings/m1.yaml': MAPPING.replace('  stateId: State ID\n', '').replace('schoolYear: 2027', 'schoolYear: 2027\ndateFormat: DD.MM.YYYY'),
      'imports/local.yaml': `${LOCAL_IMPORT}stableSeconds: -1\nmaxChangeRatio: 0\n`,
      'imports/other.yaml': 'name: Other\nmapping: M1\nprotocol: gopher\ndirectory: x\nfilePrefx: IC\n',
    });
    expect(config).toBeNull();
    const expected = [
      'certified-types.yaml: [3].code:',
      'mappings/m1.yaml: fields.stateId: required',
      'mappings/m1.yaml: dateFormat:',
      'imports/local.yaml: stableSeconds:',
      'imports/local.yaml: maxChangeRatio:',
      'imports/other.yaml: protocol:',
      'imports/other.yaml: filePrefx: unknown key',
    ];
    for (const e of expected) expect(problems.some((p) => p.startsWith(e)), e).toBe(true);
  });

  it('reports YAML syntax errors with the file', () => {
    const { config, problems } = load({ 'mappings/m1.yaml': 'name: [unclosed\n', 'imports/local.yaml': null });
    expect(config).toBeNull();
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
      fileType: 'csv', hasHeader: true, encoding: 'auto', identifier: 'stateId', directCertification: false, dateFormat: 'M/D/YYYY',
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
      'mappings/m1.yaml': `${MAPPING}  certifiedType: { SNAP: SNAP, MEDX: MEDICAID_X }\n`
        .replace('  eligibility: Elig\n', '  eligibility: Elig\n  certifiedType: Type\n'),
    });
    expect(problems).toEqual([
      "mappings/m1.yaml: values.certifiedType.MEDX: unknown certified type 'MEDICAID_X' (not in certified-types.yaml)",
    ]);
  });

  it('rejects a string column when hasHeader is false, and accepts column numbers', () => {
    const { problems } = load({
      'mappings/m1.yaml': MAPPING.replace('schoolYear: 2027', 'schoolYear: 2027\nhasHeader: false')
        .replace('Start\n', '2\n').replace('End\n', '3\n').replace('Elig\n', '4\n'),
    });
    expect(problems).toEqual([
      'mappings/m1.yaml: fields.stateId: a column name needs hasHeader: true; give the column number (1-based) instead',
    ]);
    const ok = loadOk({
      'mappings/m1.yaml': MAPPING.replace('schoolYear: 2027', 'schoolYear: 2027\nhasHeader: false')
        .replace('State ID\n', '1\n').replace('Start\n', '2\n').replace('End\n', '3\n').replace('Elig\n', '4\n'),
    });
    expect(ok.mappings.get('M1')!.fields.stateId).toEqual({ column: 1 });
  });

  it('requires { start, length } for fixed files and refuses it for csv', () => {
    const fixed = MAPPING.replace('schoolYear: 2027', 'schoolYear: 2027\nfileType: fixed')
      .replace('State ID\n', '{ start: 1, length: 10 }\n').replace('Start\n', '{ start: 11, length: 8 }\n')
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
    expect(badType.problems).toEqual(["mappings/m1.yaml: fields.certifiedType.constant: unknown certified type 'NOPE' (not in certified-types.yaml)"]);
  });

  it('validates dateFormat against the list and defaultEndDate as YYYY-MM-DD', () => {
    expect(loadOk({ 'mappings/m1.yaml': `${MAPPING}dateFormat: YYYYMMDD\ndefaultEndDate: 2027-06-30\n` }).mappings.get('M1'))
      .toMatchObject({ dateFormat: 'YYYYMMDD', defaultEndDate: '2027-06-30' });
    const { problems } = load({ 'mappings/m1.yaml': `${MAPPING}dateFormat: DD-MM-YY\ndefaultEndDate: 6/30/2027\n` });
    expect(problems.some((p) => p.startsWith('mappings/m1.yaml: dateFormat: must be one of: M/D/YYYY'))).toBe(true);
    expect(problems).toContain('mappings/m1.yaml: defaultEndDate: must be a real date written YYYY-MM-DD');
  });

  it('rejects two mapping files with the same name', () => {
    const { problems } = load({ 'mappings/m2.yaml': MAPPING });
    expect(problems).toEqual(["mappings/m2.yaml: name: 'M1' is already the name of mappings/m1.yaml"]);
  });
});

describe('imports', () => {
  it('rejects an inline password without echoing it', () => {
    const secret = 'Tr0ub4dor&3-do-not-print';
    const { config, problems } = load({ 'imports/remote.yaml': sftpImport().replace('{ env: POS_PASSWORD }', `"${secret}"`) });
    expect(config).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^imports\/remote\.yaml: password: must be \{ env: NAME \} or \{ file: PATH \}/);
    expect(problems.join('\n')).not.toContain(secret);
    expect(problems.join('\n')).not.toContain('Tr0ub4dor');
  });

  it.each([
    ['../up', "must not contain a '..' folder"],
    ['a/../../b', "must not contain a '..' folder"],
    ['share\\..\\x', "must not contain a '..' folder"],
    ['/abs/path', 'must be relative to the login folder: no leading / or \\'],
    ['\\\\server\\share', 'must be relative to the login folder: no leading / or \\'],
    ['C:\\POS\\out', 'must not start with a drive letter'],
    ['x'.repeat(101), 'must be at most 100 characters'],
  ])('rejects the remote directory %s', (dir, message) => {
    const { problems } = load({ 'imports/remote.yaml': sftpImport().replace('directory: out', `directory: '${dir}'`) });
    expect(problems).toContain(`imports/remote.yaml: directory: ${message}`);
  });

  it('accepts relative remote directories with / or \\', () => {
    const config = loadOk({ 'imports/remote.yaml': sftpImport().replace('directory: out', "directory: 'POS\\Out/..x'") });
    expect(config.imports.get('Remote')!.directory).toBe('POS\\Out/..x');
  });

  it('rejects a reference to an unknown mapping', () => {
    const { problems } = load({ 'imports/local.yaml': LOCAL_IMPORT.replace('mapping: M1', 'mapping: Nope') });
    expect(problems).toEqual(["imports/local.yaml: mapping: no mapping named 'Nope' in mappings/ (known: 'M1')"]);
  });

  it('resolves a mapping named by its file name', () => {
    const config = loadOk({ 'imports/local.yaml': LOCAL_IMPORT.replace('mapping: M1', 'mapping: m1') });
    expect(config.imports.get('Local one')!.mapping).toBe('M1');
  });

  it('applies defaults', () => {
    const config = loadOk({
      'imports/sftp.yaml': sftpImport(),
      'imports/smb.yaml': 'name: S\nmapping: M1\nprotocol: smb\nhost: h\nusername: u\npassword: { env: P }\ndirectory: share\n',
      'imports/ftps.yaml': 'name: F\nmapping: M1\nprotocol: ftps\nhost: h\nusername: u\npassword: { file: pw.txt }\n',
      'imports/ftpx.yaml': 'name: FX\nmapping: M1\nprotocol: ftps\nftpsMode: explicit\nhost: h\nusername: u\npassword: { env: P }\n',
    });
    const sftp = config.imports.get('Remote')!;
    expect(sftp).toMatchObject({
      port: 22, filePrefix: 'IC_Eligibility', stableSeconds: 30, maxChangeRatio: 0.2, active: true,
      includeUpdatedRecords: true, insecureAcceptAnyHostKey: false, insecureTls: false, paused: false,
    });
    expect(sftp.schedule).toBeUndefined();
    expect(config.imports.get('S')!.port).toBe(445);
    expect(config.imports.get('F')).toMatchObject({ port: 990, ftpsMode: 'implicit', directory: '' });
    expect(config.imports.get('F')!.password).toEqual({ file: path.join(config.configDir, 'pw.txt') });
    expect(config.imports.get('FX')!.port).toBe(21);
    const local = config.imports.get('Local one')!;
    expect(local.port).toBeUndefined();
    expect(local.directory).toBe(path.join(config.configDir, 'drop'));
    expect(local.sourceFile).toBe(path.join(config.configDir, 'imports/local.yaml'));
  });

  it('keeps explicit values, stableSeconds 0 included', () => {
    const imp = loadOk({
      'imports/sftp.yaml': sftpImport('port: 2222\nstableSeconds: 0\nmaxChangeRatio: 1\nfilePrefix: IC_Elig_North\nactive: false\n'),
    }).imports.get('Remote')!;
    expect(imp).toMatchObject({ port: 2222, stableSeconds: 0, maxChangeRatio: 1, filePrefix: 'IC_Elig_North', active: false });
  });

  it('derives paused from a host starting with **', () => {
    const config = loadOk({ 'imports/sftp.yaml': sftpImport().replace('host: pos.example.org', 'host: "**pos.example.org"') });
    expect(config.imports.get('Remote')!.paused).toBe(true);
  });

  it('normalises certSha256 to lower-case hex without colons', () => {
    const hex = '12:2C:59:70:83:BD:43:8B:7F:6D:72:AF:75:D0:25:94:88:99:64:77:11:B8:06:BD:D2:CD:82:FA:69:71:3D:B3';
    const config = loadOk({
      'imports/ftps.yaml': `name: F\nmapping: M1\nprotocol: ftps\nhost: h\nusername: u\npassword: { env: P }\ncertSha256: "${hex}"\n`,
    });
    expect(config.imports.get('F')!.certSha256).toBe(hex.replace(/:/g, '').toLowerCase());
    const { problems } = load({
      'imports/ftps.yaml': 'name: F\nmapping: M1\nprotocol: ftps\nhost: h\nusername: u\npassword: { env: P }\ncertSha256: "12:2C"\n',
    });
    expect(problems).toEqual(['imports/ftps.yaml: certSha256: must be a SHA-256 fingerprint: 32 bytes in hex, with or without colons']);
  });

  it('checks hostKeySha256 is written as ssh-keygen prints it', () => {
    const good = 'SHA256:0aWsmgFfrC73s0FnNjVRKhUR9B/jfREbJn8DnuxdT1g';
    expect(loadOk({ 'imports/sftp.yaml': sftpImport(`hostKeySha256: "${good}"`) }).imports.get('Remote')!.hostKeySha256).toBe(good);
    for (const bad of [`${good}=`, good.slice(7), 'SHA256:abc', 'MD5:aa:bb']) {
      const { problems } = load({ 'imports/sftp.yaml': sftpImport(`hostKeySha256: "${bad}"`) });
      expect(problems, bad).toHaveLength(1);
      expect(problems[0]).toMatch(/^imports\/sftp\.yaml: hostKeySha256: must be written as `ssh-keygen -l` prints it/);
    }
  });

  it('validates schedules per frequency and normalises them', () => {
    const sched = (s: string) => sftpImport(`schedule: ${s}\n`);
    const config = loadOk({
      'imports/a.yaml': sched('{ frequency: weekly, day: Monday, time: "5:30" }'),
      'imports/b.yaml': sched('{ frequency: monthly, day: 1, time: "23:59" }').replace('name: Remote', 'name: B'),
      'imports/c.yaml': sched('{ frequency: monthly, day: eom, time: "00:00" }').replace('name: Remote', 'name: C'),
    });
    expect(config.imports.get('Remote')!.schedule).toEqual({ frequency: 'weekly', day: 'mon', time: '05:30' });
    expect(config.imports.get('B')!.schedule).toEqual({ frequency: 'monthly', day: '1', time: '23:59' });
    expect(config.imports.get('C')!.schedule).toEqual({ frequency: 'monthly', day: 'EOM', time: '00:00' });
    const cases: [string, string][] = [
      ['{ frequency: weekly, time: "01:00" }', 'schedule.day: required for frequency: weekly'],
      ['{ frequency: weekly, day: 3, time: "01:00" }', 'schedule.day: must be a weekday'],
      ['{ frequency: monthly, day: 32, time: "01:00" }', 'schedule.day: must be a day of the month 1..31, or EOM'],
      ['{ frequency: daily, day: mon, time: "01:00" }', 'schedule.day: not used with frequency: daily'],
      ['{ frequency: daily, time: "25:00" }', 'schedule.time: must be a 24-hour time HH:MM'],
      ['{ frequency: hourly, time: "01:00" }', 'schedule.frequency: must be one of: daily, weekly, monthly'],
    ];
    for (const [s, message] of cases) {
      const { problems } = load({ 'imports/local.yaml': `${LOCAL_IMPORT}schedule: ${s}\n` });
      expect(problems, s).toHaveLength(1);
      expect(problems[0], s).toMatch(new RegExp(`^imports/local\\.yaml: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
  });

  it('checks names: allowed characters, length, unique across files ignoring case', () => {
    expect(load({ 'imports/local.yaml': LOCAL_IMPORT.replace('Local one', 'Local/one') }).problems)
      .toEqual(['imports/local.yaml: name: must be 1-40 letters, digits, spaces, - or _']);
    expect(load({ 'imports/local.yaml': LOCAL_IMPORT.replace('Local one', 'x'.repeat(41)) }).problems)
      .toEqual(['imports/local.yaml: name: must be 1-40 letters, digits, spaces, - or _']);
    expect(loadOk({ 'imports/local.yaml': LOCAL_IMPORT.replace('Local one', 'x'.repeat(40)) }).imports.size).toBe(1);
    const { problems } = load({ 'imports/local2.yaml': LOCAL_IMPORT.replace('Local one', 'LOCAL ONE') });
    expect(problems).toEqual([
      "imports/local2.yaml: name: 'LOCAL ONE' is already the name of imports/local.yaml (names are compared ignoring case)",
    ]);
  });

  it('requires host and username for remote protocols and refuses keys of other protocols', () => {
    const { problems } = load({
      'imports/local.yaml': `${LOCAL_IMPORT}host: h\n`,
      'imports/smb.yaml': 'name: S\nmapping: M1\nprotocol: smb\ndirectory: share\npassword: { env: P }\nhostKeySha256: x\n',
    });
    expect(problems).toEqual(expect.arrayContaining([
      'imports/local.yaml: host: only used with protocol smb or ftps or sftp; remove it',
      'imports/smb.yaml: host: required for protocol smb',
      'imports/smb.yaml: username: required for protocol smb',
      'imports/smb.yaml: hostKeySha256: only used with protocol sftp; remove it',
    ]));
  });

  it('resolves a local directory against the config dir, and keeps an absolute one', () => {
    const abs = path.join(tmpdir(), 'somewhere');
    const config = loadOk({ 'imports/local.yaml': LOCAL_IMPORT.replace('directory: drop', `directory: '${abs}'`) });
    expect(config.imports.get('Local one')!.directory).toBe(abs);
  });

  it('freezes the config', () => {
    const config = loadOk();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.imports.get('Local one'))).toBe(true);
    expect(Object.isFrozen(config.mappings.get('M1')!.values.eligibility)).toBe(true);
    expect(Object.isFrozen(config.certifiedTypes[0].eligibility)).toBe(true);
    expect(() => {
      (config.imports.get('Local one') as { active: boolean }).active = false;
    }).toThrow(TypeError);
  });
});

describe('loadSettings', () => {
  it('applies defaults', () => {
    expect(loadSettings({}, {})).toEqual({
      dataDir: '/data', configDir: '/config', port: 8080, tz: 'UTC', logLevel: 'info', retentionDays: 1100,
    });
  });

  it('takes env over defaults and flags over env', () => {
    const env = {
      FRAM_DATA_DIR: '/srv/data', FRAM_CONFIG_DIR: '/srv/config', FRAM_PORT: '9090', FRAM_TZ: 'America/Chicago', TZ: 'Europe/Berlin',
      FRAM_LOG_LEVEL: 'debug', FRAM_RETENTION_DAYS: '400', FRAM_API_TOKENS_FILE: '/run/secrets/tokens',
    };
    expect(loadSettings(env, {})).toEqual({
      dataDir: '/srv/data', configDir: '/srv/config', port: 9090, tz: 'America/Chicago', logLevel: 'debug',
      retentionDays: 400, apiTokensFile: '/run/secrets/tokens',
    });
    expect(loadSettings(env, { dataDir: '/x', configDir: '/y', port: 1234 })).toMatchObject({ dataDir: '/x', configDir: '/y', port: 1234 });
    expect(loadSettings({ TZ: 'Europe/Berlin' }, {}).tz).toBe('Europe/Berlin');
  });

  it('throws on a zone that is not a real IANA zone', () => {
    expect(() => loadSettings({ FRAM_TZ: 'Mars/Olympus_Mons' }, {})).toThrow(/FRAM_TZ: 'Mars\/Olympus_Mons' is not a known IANA time zone/);
    expect(() => loadSettings({ TZ: 'Nowhere/Land' }, {})).toThrow(/TZ: 'Nowhere\/Land'/);
  });

  it('throws on a bad port or retention', () => {
    expect(() => loadSettings({ FRAM_PORT: '80a' }, {})).toThrow(/FRAM_PORT/);
    expect(() => loadSettings({}, { port: 70000 })).toThrow(/port/);
    expect(() => loadSettings({ FRAM_RETENTION_DAYS: '0' }, {})).toThrow(/FRAM_RETENTION_DAYS/);
  });
});

describe('readSecret', () => {
  const SECRET = 's3cr3t-value-xyz';

  it('reads from env, and from NAME_FILE when NAME is unset', () => {
    expect(readSecret({ env: 'POS_PW' }, { POS_PW: SECRET })).toBe(SECRET);
    const file = path.join(tempDir(), 'pw');
    writeFileSync(file, `${SECRET}\n`);
    expect(readSecret({ env: 'POS_PW' }, { POS_PW_FILE: file })).toBe(SECRET);
  });

  it('reads a file, trimming one trailing newline only', () => {
    const file = path.join(tempDir(), 'pw');
    writeFileSync(file, `${SECRET} \r\n`);
    expect(readSecret({ file }, {})).toBe(`${SECRET} `);
  });

  it('names the variable or file in its errors, never the secret', () => {
    let message = '';
    try {
      readSecret({ env: 'POS_PW' }, { OTHER: SECRET });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('POS_PW');
    expect(message).not.toContain(SECRET);

    const missing = path.join(tempDir(), 'no-such-file');
    expect(() => readSecret({ file: missing }, { X: SECRET })).toThrow(missing);
    try {
      readSecret({ env: 'POS_PW' }, { POS_PW_FILE: missing, POS_PW: '' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('POS_PW_FILE');
    expect(message).toContain(missing);
    expect(message).not.toContain(SECRET);
  });
});
