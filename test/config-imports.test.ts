import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_IMPORT, configDir, load, loadOk, sftpImport } from './helpers/config-dir.js';

describe('imports', () => {
  it('rejects an inline password without echoing it', () => {
    const secret = 'Tr0ub4dor&3-do-not-print';
    const { config, problems, disabled } = load({
      'imports/remote.yaml': sftpImport().replace('{ env: POS_PASSWORD }', `"${secret}"`),
    });
    expect([...config!.imports.keys()]).toEqual(['Local one']);
    expect([...disabled.keys()]).toEqual(['Remote']);
    expect(disabled.get('Remote')!.problems).toEqual(problems);
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
      'imports/ftpx.yaml':
        'name: FX\nmapping: M1\nprotocol: ftps\nftpsMode: explicit\nhost: h\nusername: u\npassword: { env: P }\n',
    });
    const sftp = config.imports.get('Remote')!;
    expect(sftp).toMatchObject({
      port: 22,
      filePrefix: 'IC_Eligibility',
      stableSeconds: 30,
      maxChangeRatio: 0.2,
      active: true,
      includeUpdatedRecords: true,
      insecureAcceptAnyHostKey: false,
      insecureTls: false,
      paused: false,
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
      'imports/sftp.yaml': sftpImport(
        'port: 2222\nstableSeconds: 0\nmaxChangeRatio: 1\nfilePrefix: IC_Elig_North\nactive: false\n',
      ),
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
      'imports/ftps.yaml':
        'name: F\nmapping: M1\nprotocol: ftps\nhost: h\nusername: u\npassword: { env: P }\ncertSha256: "12:2C"\n',
    });
    expect(problems).toEqual([
      'imports/ftps.yaml: certSha256: must be a SHA-256 fingerprint: 32 bytes in hex, with or without colons',
    ]);
  });

  it('checks hostKeySha256 is written as ssh-keygen prints it', () => {
    const good = 'SHA256:0aWsmgFfrC73s0FnNjVRKhUR9B/jfREbJn8DnuxdT1g';
    expect(loadOk({ 'imports/sftp.yaml': sftpImport(`hostKeySha256: "${good}"`) }).imports.get('Remote')!.hostKeySha256).toBe(
      good,
    );
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
    expect(load({ 'imports/local.yaml': LOCAL_IMPORT.replace('Local one', 'Local/one') }).problems).toEqual([
      'imports/local.yaml: name: must be 1-40 letters, digits, spaces, - or _',
    ]);
    expect(load({ 'imports/local.yaml': LOCAL_IMPORT.replace('Local one', 'x'.repeat(41)) }).problems).toEqual([
      'imports/local.yaml: name: must be 1-40 letters, digits, spaces, - or _',
    ]);
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
    expect(problems).toEqual(
      expect.arrayContaining([
        'imports/local.yaml: host: only used with protocol smb or ftps or sftp; remove it',
        'imports/smb.yaml: host: required for protocol smb',
        'imports/smb.yaml: username: required for protocol smb',
        'imports/smb.yaml: hostKeySha256: only used with protocol sftp; remove it',
      ]),
    );
  });

  it('refuses an smb directory that smbclient could not be given safely', () => {
    const smb = (dir: string) =>
      `name: S\nmapping: M1\nprotocol: smb\nhost: h\nusername: u\npassword: { env: P }\ndirectory: '${dir}'\n`;
    expect(load({ 'imports/smb.yaml': smb('share/a;b') }).problems).toEqual([
      'imports/smb.yaml: directory: must not contain " or ; for smb',
    ]);
    expect(load({ 'imports/smb.yaml': smb('share/"x"') }).problems).toEqual([
      'imports/smb.yaml: directory: must not contain " or ; for smb',
    ]);
    expect(loadOk({ 'imports/smb.yaml': smb('share/POS Exports') }).imports.get('S')!.directory).toBe('share/POS Exports');
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
