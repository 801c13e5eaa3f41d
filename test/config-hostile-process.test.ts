// Hostile config files through the built CLI, as a process (issue 9, finding 8; acceptance 4): the
// process's own peak RSS and time are what is measured. The same files read in this process:
// config-hostile.test.ts.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers/config-dir.js';
import { aliasBomb, utf16 } from './helpers/hostile-yaml.js';

describe('config check on hostile files (acceptance 4), as a process', () => {
  it('exits 2 naming the alias bomb, the 20 MB list and the UTF-16 file, within 10 s and under 300 MB RSS', () => {
    const dir = tempDir();
    for (const d of ['mappings', 'imports']) mkdirSync(path.join(dir, d));
    writeFileSync(path.join(dir, 'certified-types.yaml'), readFileSync(path.join(ROOT, 'config/certified-types.yaml')));
    writeFileSync(path.join(dir, 'mappings/pos-26-27.yaml'), readFileSync(path.join(ROOT, 'config/mappings/pos-26-27.yaml')));
    writeFileSync(path.join(dir, 'mappings/bomb.yaml'), aliasBomb());
    writeFileSync(path.join(dir, 'imports/list.yaml'), '- item item item item item item item item\n'.repeat(500_000));
    writeFileSync(
      path.join(dir, 'imports/utf16.yaml'),
      utf16('name: U\nmapping: POS 26-27\nprotocol: local\ndirectory: /tmp\n', 'le', true),
    );
    writeFileSync(path.join(dir, 'imports/good.yaml'), 'name: Good\nmapping: POS 26-27\nprotocol: local\ndirectory: drop\n');

    // The child reports its own peak RSS (getrusage's ru_maxrss, via process.resourceUsage) as it exits.
    const rssFile = path.join(tempDir(), 'rss');
    const report = `import { writeFileSync } from 'node:fs';
      process.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));`;
    const started = Date.now();
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(report)}`,
        path.join(ROOT, 'dist/cli/bin.js'),
        'config',
        'check',
        '--config-dir',
        dir,
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, FRAM_LOG_LEVEL: 'silent' },
        timeout: 30_000,
      },
    );
    const seconds = (Date.now() - started) / 1000;
    const rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;

    expect(r.status, r.stderr).toBe(2);
    expect(seconds).toBeLessThan(10);
    expect(rssMiB).toBeGreaterThan(10); // a real reading: node itself needs more than this
    expect(rssMiB).toBeLessThan(300);
    const problems = r.stderr.split('\n').filter((l) => l.startsWith('  ') && !l.startsWith('  Imports'));
    expect(r.stderr.split('\n')[0]).toBe(`${dir}: 3 problem(s)`);
    expect(problems.slice(0, 3)).toEqual([
      expect.stringMatching(/^ {2}mappings\/bomb\.yaml: uses YAML aliases \(\*name\) more than 100 times/),
      '  imports/list.yaml: is 21,000,000 bytes; a file may be at most 1 MiB (1,048,576 bytes)',
      '  imports/utf16.yaml: is UTF-16 (little-endian, with a byte-order mark), not UTF-8; save it as UTF-8',
    ]);
    expect(r.stderr).toContain('Imports that can run: Good\n');
  });
});
