// Hostile and broken config files (issue 9, finding 8; acceptance 4): too big, alias bombs, not
// UTF-8, not files at all. Each is a problem of its own file, never an exception, and the imports
// that do not need it still load. The same files through the built CLI, as a process:
// config-hostile-process.test.ts.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { MAX_PROBLEMS_PER_FILE } from '../src/config/issues.js';
import { decodeUtf8, firstInvalidUtf8, MAX_YAML_BYTES } from '../src/config/yaml.js';
import { authenticate, describeTokenProblem, hashToken, loadTokens } from '../src/web/tokens.js';
import { MAPPING, configDir, load, tempDir } from './helpers/config-dir.js';
import { aliasBomb, utf16 } from './helpers/hostile-yaml.js';

const LOCAL_TWO = 'name: Local two\nmapping: M2\nprotocol: local\ndirectory: drop\n';

/** A config dir whose second mapping (M2, used by 'Local two') is the given bytes. */
function withBadMapping(bytes: Buffer | string) {
  const dir = configDir({ 'imports/two.yaml': LOCAL_TWO });
  writeFileSync(path.join(dir, 'mappings/m2.yaml'), bytes);
  return { dir, ...loadConfig(dir) };
}

/** The one problem of mappings/m2.yaml; 'Local one' still loads and 'Local two' is disabled by that file. */
function onlyM2Broken(result: ReturnType<typeof withBadMapping>): string {
  expect(result.problems).toHaveLength(1);
  expect(result.problems[0].startsWith('mappings/m2.yaml: ')).toBe(true);
  expect([...result.config!.imports.keys()]).toEqual(['Local one']);
  expect([...result.disabled.keys()]).toEqual(['Local two']);
  expect(result.disabled.get('Local two')!.files).toEqual(['mappings/m2.yaml']);
  return result.problems[0];
}

describe('size limit (1 MiB per file)', () => {
  it('refuses a file one byte over by its size, and reads one of exactly 1 MiB', () => {
    const m2 = MAPPING.replace('name: M1', 'name: M2');
    const exact = `${m2}#`.padEnd(MAX_YAML_BYTES - 1, 'x') + '\n';
    expect(Buffer.byteLength(exact)).toBe(1_048_576);
    const ok = withBadMapping(exact);
    expect(ok.problems).toEqual([]);
    expect([...ok.config!.imports.keys()]).toEqual(['Local one', 'Local two']);

    const over = withBadMapping(`${exact}x`);
    expect(onlyM2Broken(over)).toBe('mappings/m2.yaml: is 1,048,577 bytes; a file may be at most 1 MiB (1,048,576 bytes)');
  });

  it('refuses a 20 MB list in certified-types.yaml; mappings that use no certified type keep working', () => {
    const dir = configDir({
      'imports/two.yaml': LOCAL_TWO,
      'mappings/m2.yaml': `${MAPPING.replace('name: M1', 'name: M2')}  certifiedType: { SNAP: SNAP }\n`.replace(
        '  eligibility: Elig\n',
        '  eligibility: Elig\n  certifiedType: Type\n',
      ),
    });
    writeFileSync(
      path.join(dir, 'certified-types.yaml'),
      '- { code: SNAP, label: SNAP, source: direct, eligibility: [F] }\n'.repeat(320_000),
    );
    const { config, problems, disabled } = loadConfig(dir);
    expect(problems).toEqual(['certified-types.yaml: is 20,480,000 bytes; a file may be at most 1 MiB (1,048,576 bytes)']);
    // M1 reads no certified type; M2 does, so 'Local two' waits for the table.
    expect([...config!.imports.keys()]).toEqual(['Local one']);
    expect([...config!.mappings.keys()]).toEqual(['M1']);
    expect(disabled.get('Local two')).toEqual({
      name: 'Local two',
      file: 'imports/two.yaml',
      files: ['certified-types.yaml'],
      problems: [
        "imports/two.yaml: mapping: 'M2' uses certified types, and certified-types.yaml is invalid",
        'certified-types.yaml: is 20,480,000 bytes; a file may be at most 1 MiB (1,048,576 bytes)',
      ],
    });
  });
});

describe('YAML that attacks the parser', () => {
  it('an alias bomb is a problem of its file, not an exception', () => {
    expect(onlyM2Broken(withBadMapping(aliasBomb()))).toMatch(
      /^mappings\/m2\.yaml: uses YAML aliases \(\*name\) more than 100 times.*alias bomb/,
    );
  });

  it('an alias bomb in an import file disables that import alone', () => {
    const { config, problems, disabled } = load({ 'imports/bomb.yaml': `name: Bomb\n${aliasBomb()}` });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^imports\/bomb\.yaml: uses YAML aliases/);
    expect([...config!.imports.keys()]).toEqual(['Local one']);
    // The name cannot be read from a file that was not parsed: it is listed by its file.
    expect(disabled.get('imports/bomb.yaml')).toEqual({
      name: null,
      file: 'imports/bomb.yaml',
      files: ['imports/bomb.yaml'],
      problems,
    });
  });

  it('a few aliases are fine', () => {
    const m2 = `${MAPPING.replace('name: M1', 'name: M2').replace('{ Free: F, Reduced: R, Paid: S }', '&codes { Free: F, Reduced: R, Paid: S }')}`;
    const ok = withBadMapping(m2);
    expect(ok.problems).toEqual([]);
  });

  it.each([
    ['flow lists', `${'['.repeat(500_000)}${']'.repeat(500_000)}\n`, 'line 1, column 65'],
    ['compact block lists', `${'- '.repeat(500_000)}x\n`, 'line 1, column 128'],
    ['flow maps', `${'{a: '.repeat(250_000)}\n`, 'line 1, column 254'],
  ])('a 1 MB file of nested %s is refused at once, not parsed to a stack overflow', (_label, text, where) => {
    const started = Date.now();
    expect(onlyM2Broken(withBadMapping(text))).toBe(
      `mappings/m2.yaml: nests lists or maps more than 64 levels deep (at ${where})`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a syntax error names its line and column; a second document is refused', () => {
    expect(onlyM2Broken(withBadMapping('name: M2\nschoolYear: 2027: x\n'))).toBe(
      'mappings/m2.yaml: YAML syntax error at line 2, column 13: Nested mappings are not allowed in compact mappings',
    );
    expect(onlyM2Broken(withBadMapping('name: M2\n---\nname: M3\n'))).toBe(
      'mappings/m2.yaml: holds more than one YAML document (a second one starts at line 2, column 1); a config file is one document',
    );
  });

  it('lists at most 50 problems of one file, then how many more', () => {
    const keys = Array.from({ length: 500 }, (_, i) => `junk${i}: 1`).join('\n');
    const { problems } = withBadMapping(`${MAPPING.replace('name: M1', 'name: M2')}${keys}\n`);
    expect(problems).toHaveLength(MAX_PROBLEMS_PER_FILE + 1);
    expect(problems[0]).toBe('mappings/m2.yaml: junk0: unknown key');
    expect(problems.at(-1)).toBe('mappings/m2.yaml: ... and 450 more problem(s) in this file');
  });
});

describe('files that are not UTF-8', () => {
  const text = MAPPING.replace('name: M1', 'name: M2');
  it.each([
    [
      'UTF-16 LE with a BOM',
      utf16(text, 'le', true),
      'is UTF-16 (little-endian, with a byte-order mark), not UTF-8; save it as UTF-8',
    ],
    [
      'UTF-16 BE with a BOM',
      utf16(text, 'be', true),
      'is UTF-16 (big-endian, with a byte-order mark), not UTF-8; save it as UTF-8',
    ],
    [
      'UTF-16 LE without a BOM',
      utf16(text, 'le', false),
      'looks like UTF-16 (little-endian, without a byte-order mark), not UTF-8; save it as UTF-8',
    ],
    [
      'UTF-16 BE without a BOM',
      utf16(text, 'be', false),
      'looks like UTF-16 (big-endian, without a byte-order mark), not UTF-8; save it as UTF-8',
    ],
    [
      'UTF-32 LE',
      Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('name: M2\n')]),
      'is UTF-32 (it starts with a UTF-32 byte-order mark), not UTF-8; save it as UTF-8',
    ],
    [
      'Windows-1252 on line 3',
      Buffer.from('name: M2\nschoolYear: 2027\n# caf\xe9\n', 'latin1'),
      'is not UTF-8: the byte at line 3 is not valid UTF-8 (is it Windows-1252?); save it as UTF-8',
    ],
    [
      'a NUL byte on line 2',
      Buffer.from('name: M2\nschoolYear: 2027\0\n'),
      'contains a NUL byte (line 2): not a text file; save it as UTF-8',
    ],
  ])('%s is a problem that says so', (_label, bytes, message) => {
    expect(onlyM2Broken(withBadMapping(bytes))).toBe(`mappings/m2.yaml: ${message}`);
  });

  it('UTF-8 with a byte-order mark loads', () => {
    expect(withBadMapping(`\uFEFF${text}`).problems).toEqual([]);
  });

  it('finds the first malformed UTF-8 sequence', () => {
    const at = (...bytes: number[]) => firstInvalidUtf8(Uint8Array.from(bytes));
    expect(at(0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80)).toBe(-1); // a é € 😀
    expect(at(0x61, 0xc0, 0xaf)).toBe(1); // overlong '/'
    expect(at(0x61, 0x62, 0xe0, 0x80, 0xaf)).toBe(2); // overlong, three bytes
    expect(at(0xed, 0xa0, 0x80)).toBe(0); // a UTF-16 surrogate
    expect(at(0x61, 0xe2, 0x82)).toBe(1); // cut short
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(0); // past U+10FFFF
    expect(at(0x80)).toBe(0);
    expect(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toEqual({ text: 'a' });
  });
});

describe('entries that are not plain files', () => {
  it('a FIFO named like a mapping is refused without blocking; a folder is skipped', () => {
    const dir = configDir({ 'imports/two.yaml': LOCAL_TWO });
    expect(spawnSync('mkfifo', [path.join(dir, 'mappings/m2.yaml')]).status).toBe(0);
    mkdirSync(path.join(dir, 'mappings/folder.yaml'));
    const result = loadConfig(dir);
    expect(onlyM2Broken({ dir, ...result })).toBe('mappings/m2.yaml: is not a regular file');
  });

  it('follows a symlink (a Kubernetes ConfigMap mount) and names a dangling one', () => {
    const dir = configDir({ 'imports/two.yaml': LOCAL_TWO });
    const data = path.join(dir, '..data');
    mkdirSync(data);
    writeFileSync(path.join(data, 'm2.yaml'), MAPPING.replace('name: M1', 'name: M2'));
    symlinkSync(path.join(data, 'm2.yaml'), path.join(dir, 'mappings/m2.yaml'));
    expect(loadConfig(dir).problems).toEqual([]);
    symlinkSync(path.join(data, 'gone.yaml'), path.join(dir, 'imports/gone.yaml'));
    const { problems, disabled } = loadConfig(dir);
    expect(problems).toEqual(['imports/gone.yaml: cannot read the file: ENOENT']);
    expect([...disabled.keys()]).toEqual(['imports/gone.yaml']);
  });
});

describe('the API tokens file (finding 11)', () => {
  const file = (text: string | Buffer) => {
    const f = path.join(tempDir(), 'tokens.yaml');
    writeFileSync(f, text);
    return f;
  };

  it('leaves out a bad entry, names it by number and name only, and keeps the other tokens working', () => {
    const pasted = 'plain-token-someone-pasted-0123456789';
    const f = file(
      [
        `- { name: prometheus, role: viewer, sha256: ${hashToken('tok-a')} }`,
        `- { name: ci, role: superuser, sha256: ${hashToken('tok-b')} }`,
        `- { name: pasted, role: admin, sha256: ${pasted} }`,
        `- { name: ops, role: operator, sha256: ${hashToken('tok-c')}, expires: 2027-01-01 }`,
        `- { name: again, role: admin, sha256: ${hashToken('tok-a')} }`,
        '- just a string',
        `- { name: admin, role: admin, sha256: ${hashToken('tok-d').toUpperCase()} }`,
        '',
      ].join('\n'),
    );
    const { tokens, problems } = loadTokens(f);
    expect(tokens.map((t) => [t.name, t.role])).toEqual([
      ['prometheus', 'viewer'],
      ['admin', 'admin'],
    ]);
    expect(problems).toEqual([
      { entry: 2, name: 'ci', problem: 'role must be one of viewer, operator, admin' },
      { entry: 3, name: 'pasted', problem: "sha256 must be the token's SHA-256 in hex (64 characters)" },
      { entry: 4, name: 'ops', problem: "unknown key 'expires' (known: name, role, sha256)" },
      { entry: 5, name: 'again', problem: "the same token as entry 'prometheus'; each person or system needs its own" },
      { entry: 6, problem: 'must be a map { name, role, sha256 }' },
    ]);
    const text = JSON.stringify(problems);
    expect(text).not.toContain(pasted);
    for (const t of ['tok-a', 'tok-b', 'tok-c']) expect(text).not.toContain(hashToken(t));
    expect(authenticate(tokens, 'Bearer tok-a')?.name).toBe('prometheus');
    expect(authenticate(tokens, 'Bearer tok-d')?.role).toBe('admin');
    expect(authenticate(tokens, 'Bearer tok-b')).toBeNull();
    expect(describeTokenProblem(f, problems[0])).toBe(`${f}: entry 2 ('ci'): role must be one of viewer, operator, admin`);
  });

  it.each([
    ['an alias bomb', () => aliasBomb(), /^uses YAML aliases/],
    ['UTF-16', () => utf16(`- { name: a, role: viewer, sha256: ${hashToken('x')} }\n`, 'le', true), /^is UTF-16 \(little-endian/],
    [
      'over 1 MiB',
      () => `- { name: a, role: viewer, sha256: ${hashToken('x')} }\n`.repeat(20_000),
      /^is 2,\d{3},\d{3} bytes; a file may be at most 1 MiB/,
    ],
    ['not a list', () => 'name: a\n', /^must be a list of \{ name, role, sha256 \}$/],
  ])('a tokens file that is %s is one problem, never an exception', (_label, text, message) => {
    const { tokens, problems } = loadTokens(file(text()));
    expect(tokens).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0].entry).toBeUndefined();
    expect(problems[0].problem).toMatch(message);
  });

  it('an empty file holds no tokens and no problem; a missing one is a problem', () => {
    expect(loadTokens(file(''))).toEqual({ tokens: [], problems: [] });
    expect(loadTokens(path.join(tempDir(), 'none.yaml')).problems).toEqual([{ problem: 'cannot read the file: ENOENT' }]);
  });
});
