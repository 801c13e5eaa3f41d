// Config isolation (issue 9, finding 20; SPEC 4 and 10): an invalid file disables only the imports
// that need it; on a running daemon those keep their previous config and the rest take the change.

import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { configInForce, type InForce } from '../src/config/in-force.js';
import { configOf, UsageError } from '../src/cli/context.js';
import { main } from '../src/cli/main.js';
import { loadSettings } from '../src/config.js';
import { MAPPING, TYPES, configDir, load } from './helpers/config-dir.js';

const M2_TYPED =
  MAPPING.replace('name: M1', 'name: M2').replace('  eligibility: Elig\n', '  eligibility: Elig\n  certifiedType: Type\n') +
  '  certifiedType: { SNAP: SNAP }\n';
const two = (mapping = 'M2', extra = '') => `name: Local two\nmapping: ${mapping}\nprotocol: local\ndirectory: drop\n${extra}`;

describe('loadConfig: an invalid file disables only the imports that need it', () => {
  it('an invalid mapping disables the imports that use it, and only those, without knock-on problems', () => {
    const { config, problems, disabled } = load({
      'mappings/m2.yaml': MAPPING.replace('name: M1', 'name: M2').replace('schoolYear: 2027', 'schoolYear: soon'),
      'imports/two.yaml': two(),
    });
    expect(problems).toEqual(['mappings/m2.yaml: schoolYear: expected a number, got a string']);
    expect([...config!.imports.keys()]).toEqual(['Local one']);
    expect([...config!.mappings.keys()]).toEqual(['M1']);
    expect(disabled.get('Local two')).toEqual({
      name: 'Local two',
      file: 'imports/two.yaml',
      files: ['mappings/m2.yaml'],
      problems: [
        "imports/two.yaml: mapping: 'M2' is invalid (mappings/m2.yaml)",
        'mappings/m2.yaml: schoolYear: expected a number, got a string',
      ],
    });
  });

  it('an invalid import disables itself alone', () => {
    const { config, problems, disabled } = load({ 'imports/two.yaml': two('M1', 'stableSeconds: -1\n') });
    expect(problems).toEqual(['imports/two.yaml: stableSeconds: must be 0 or more']);
    expect([...config!.imports.keys()]).toEqual(['Local one']);
    expect([...disabled.keys()]).toEqual(['Local two']);
    expect(disabled.get('Local two')!.files).toEqual(['imports/two.yaml']);
  });

  it('a mapping file that cannot be parsed may be the one an import names: disabled, with that file as the reason', () => {
    const { problems, disabled } = load({ 'mappings/m2.yaml': 'name: [M2\n', 'imports/two.yaml': two() });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^mappings\/m2\.yaml: YAML syntax error at line 2, column 1: /);
    expect(disabled.get('Local two')!.files).toEqual(['mappings/m2.yaml']);
    expect(disabled.get('Local two')!.problems[0]).toBe(
      "imports/two.yaml: mapping: 'M2' is not among the valid mappings; it may be in mappings/m2.yaml, which cannot be read",
    );
  });

  it('still reports a mapping name that matches nothing when every mapping file could be read', () => {
    const { problems, disabled } = load({ 'imports/two.yaml': two('Nope') });
    expect(problems).toEqual(["imports/two.yaml: mapping: no mapping named 'Nope' in mappings/ (known: 'M1')"]);
    expect(disabled.get('Local two')!.problems).toEqual(problems);
  });

  it('an invalid certified-types.yaml disables the mappings that use certified types; the others run', () => {
    const { config, problems, disabled } = load({
      'certified-types.yaml': `${TYPES}- { code: SNAP, label: again, source: direct, eligibility: [F] }\n`,
      'mappings/m2.yaml': M2_TYPED,
      'imports/two.yaml': two(),
    });
    expect(problems).toEqual(["certified-types.yaml: [3].code: 'SNAP' is already used by entry [0]"]);
    expect([...config!.imports.keys()]).toEqual(['Local one']);
    expect(disabled.get('Local two')!.files).toEqual(['certified-types.yaml']);
    expect(disabled.get('Local two')!.problems).toEqual([
      "imports/two.yaml: mapping: 'M2' uses certified types, and certified-types.yaml is invalid",
      ...problems,
    ]);
  });

  it('lists a second file with a name already in use by its file, and the first import runs', () => {
    const { config, disabled } = load({ 'imports/two.yaml': two('M1').replace('Local two', 'LOCAL ONE') });
    expect([...config!.imports.keys()]).toEqual(['Local one']);
    expect([...disabled.keys()]).toEqual(['imports/two.yaml']);
    expect(disabled.get('imports/two.yaml')!.name).toBe('LOCAL ONE');
  });
});

describe('configInForce: a running daemon keeps the previous config of what an invalid file touches', () => {
  const start = (dir: string): InForce => configInForce(loadConfig(dir), dir, null);

  it('at start an import an invalid file touches is disabled; later it keeps its previous config while others change', () => {
    const dir = configDir({ 'imports/two.yaml': two('M1', 'stableSeconds: -1\n') });
    const first = start(dir);
    expect([...first.config.imports.keys()]).toEqual(['Local one']);
    expect([...first.disabled.keys()]).toEqual(['Local two']);

    writeFileSync(path.join(dir, 'imports/two.yaml'), two('M1', 'stableSeconds: 5\n'));
    const second = configInForce(loadConfig(dir), dir, first);
    expect(second.config.imports.get('Local two')!.stableSeconds).toBe(5);
    expect(second.disabled.size).toBe(0);

    // Now its file breaks beyond reading its name, and the other import changes validly.
    writeFileSync(path.join(dir, 'imports/two.yaml'), '\uFEFFname: [broken\n');
    writeFileSync(
      path.join(dir, 'imports/local.yaml'),
      `name: Local one\nmapping: M1\nprotocol: local\ndirectory: drop\nstableSeconds: 7\n`,
    );
    const third = configInForce(loadConfig(dir), dir, second);
    expect(third.config.imports.get('Local one')!.stableSeconds).toBe(7);
    expect(third.config.imports.get('Local two')!.stableSeconds).toBe(5);
    expect([...third.previous.keys()]).toEqual(['Local two']);
    expect(third.previous.get('Local two')![0]).toMatch(/^imports\/two\.yaml: YAML syntax error/);
    expect(third.disabled.size).toBe(0);
    expect(third.affected.get('imports/two.yaml')).toEqual({ previousConfig: ['Local two'], disabled: [] });

    // Deleting the file removes the import: there is nothing left to keep.
    rmSync(path.join(dir, 'imports/two.yaml'));
    expect([...configInForce(loadConfig(dir), dir, third).config.imports.keys()]).toEqual(['Local one']);
  });

  it('an invalid mapping change keeps the previous mapping for its imports', () => {
    const dir = configDir({ 'mappings/m2.yaml': MAPPING.replace('name: M1', 'name: M2'), 'imports/two.yaml': two() });
    const first = start(dir);
    writeFileSync(
      path.join(dir, 'mappings/m2.yaml'),
      MAPPING.replace('name: M1', 'name: M2').replace('schoolYear: 2027', 'schoolYear: 2'),
    );
    const next = configInForce(loadConfig(dir), dir, first);
    expect([...next.config.imports.keys()]).toEqual(['Local one', 'Local two']);
    expect(next.config.mappings.get('M2')!.schoolYear).toBe(2027);
    expect(next.previous.get('Local two')).toEqual([
      "imports/two.yaml: mapping: 'M2' is invalid (mappings/m2.yaml)",
      'mappings/m2.yaml: schoolYear: must be 2000 or more',
    ]);
  });

  it('an invalid certified-types.yaml keeps the previous table for the imports that use it', () => {
    const dir = configDir({ 'mappings/m2.yaml': M2_TYPED, 'imports/two.yaml': two() });
    const first = start(dir);
    writeFileSync(path.join(dir, 'certified-types.yaml'), 'not: [a list\n');
    const next = configInForce(loadConfig(dir), dir, first);
    expect([...next.config.imports.keys()]).toEqual(['Local one', 'Local two']);
    expect(next.config.certifiedTypes.map((t) => t.code)).toEqual(['SNAP', 'APP_F', 'APP_R']);
    expect([...next.previous.keys()]).toEqual(['Local two']);
  });

  it('a kept mapping whose certified type a valid new table dropped is disabled rather than run against the wrong table', () => {
    const dir = configDir({ 'mappings/m2.yaml': M2_TYPED, 'imports/two.yaml': two() });
    const first = start(dir);
    writeFileSync(path.join(dir, 'imports/two.yaml'), two('M2', 'stableSeconds: -1\n'));
    writeFileSync(path.join(dir, 'certified-types.yaml'), TYPES.replace(/^- \{ code: SNAP.*$/m, ''));
    const next = configInForce(loadConfig(dir), dir, first);
    expect([...next.config.imports.keys()]).toEqual(['Local one']);
    expect(next.disabled.get('Local two')!.at(-1)).toBe(
      "mapping 'M2' of the previous config uses certified type(s) SNAP, which certified-types.yaml no longer lists",
    );
  });
});

describe('the CLI with one invalid file', () => {
  const io = (env: NodeJS.ProcessEnv = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: {
        out: (t: string) => {
          out.push(t);
        },
        err: (t: string) => {
          err.push(t);
        },
        env: { FRAM_LOG_LEVEL: 'silent', ...env },
      },
    };
  };

  it('config check lists every problem and the disabled imports, and exits 2', async () => {
    const dir = configDir({
      'mappings/m2.yaml': 'name: [M2\n',
      'imports/two.yaml': two(),
      'imports/three.yaml': 'name: Three\n',
    });
    const t = io();
    expect(await main(['config', 'check', '--config-dir', dir], t.io)).toBe(2);
    const text = t.err.join('');
    expect(text.split('\n')).toEqual([
      `${dir}: 3 problem(s)`,
      expect.stringMatching(/^ {2}mappings\/m2\.yaml: YAML syntax error at line 2, column 1: /),
      '  imports/three.yaml: mapping: required',
      '  imports/three.yaml: protocol: must be one of: smb, ftps, sftp, local',
      'Imports that cannot run until this is fixed:',
      '  Three (imports/three.yaml): its file is invalid',
      '  Local two (imports/two.yaml): it needs mappings/m2.yaml, which is invalid',
      'Imports that can run: Local one',
      '',
    ]);
    const j = io();
    expect(await main(['config', 'check', '--json', '--config-dir', dir], j.io)).toBe(2);
    expect(JSON.parse(j.out.join(''))).toMatchObject({
      valid: false,
      imports: ['Local one'],
      disabled: { 'Local two': { because: ['mappings/m2.yaml'] } },
    });
  });

  it('configOf hands a command the valid imports, and refuses a disabled one naming its problem', () => {
    const dir = configDir({ 'imports/two.yaml': two('M1', 'stableSeconds: -1\n') });
    const settings = loadSettings({}, { configDir: dir });
    expect([...configOf(settings, 'Local one').imports.keys()]).toEqual(['Local one']);
    let refusal: unknown;
    try {
      configOf(settings, 'local TWO');
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(UsageError);
    expect((refusal as UsageError).message).toBe(
      "import 'Local two' is disabled: imports/two.yaml is invalid (fram-import config check lists every problem)",
    );
    expect((refusal as UsageError).details).toEqual(['imports/two.yaml: stableSeconds: must be 0 or more']);
  });
});
