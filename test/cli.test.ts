// The CLI end to end on the demo config: exit codes, outputs, and the commands around a run.

import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { main } from '../src/cli/main.js';

const ROOT = resolve(import.meta.dirname, '..');
let dir: string;
let dataDir: string;
let configDir: string;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...args, '--data-dir', dataDir, '--config-dir', configDir], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env: { FRAM_LOG_LEVEL: 'silent', FRAM_TZ: 'America/Chicago' },
  });
  return { code, out, err };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fram-cli-'));
  dataDir = join(dir, 'data');
  configDir = join(dir, 'config');
  cpSync(join(ROOT, 'config'), configDir, { recursive: true });
  mkdirSync(join(configDir, 'drop'));
  cpSync(join(ROOT, 'fixtures/demo/IC_Eligibility_demo.csv'), join(configDir, 'drop/IC_Eligibility_demo.csv'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fram-import CLI', () => {
  it('config check: valid config exits 0', async () => {
    const r = await cli('config', 'check');
    expect(r.code).toBe(0);
    expect(r.out).toContain('valid');
  });

  it('students load prints counts, and a second load is unchanged', async () => {
    const first = await cli('students', 'load', join(ROOT, 'fixtures/demo/roster.csv'));
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^inserted 40, updated 0, unchanged 0, rejected 0/);
    const again = await cli('students', 'load', join(ROOT, 'fixtures/demo/roster.csv'), '--json');
    expect(JSON.parse(again.out)).toMatchObject({ inserted: 0, unchanged: 40, rejected: 0 });
  });

  it('run --test prints the test banner and renames nothing; run imports and renames', async () => {
    const test = await cli('run', 'Demo drop folder', '--test');
    expect(test.code).toBe(0);
    expect(test.out.split('\n')[0]).toBe('THIS IS A TEST. NO DATA IS WRITTEN TO THE DB.');
    expect(existsSync(join(configDir, 'drop/IC_Eligibility_demo.csv'))).toBe(true);

    const real = await cli('run', 'Demo drop folder', '--json');
    expect(real.code).toBe(0);
    const report = JSON.parse(real.out);
    expect(report.summary.new).toBe(26);
    expect(report.files[0].renamedTo).toMatch(/^P_IC_Eligibility_\d{14}_demo\.csv$/);
    expect(existsSync(join(configDir, 'drop/IC_Eligibility_demo.csv'))).toBe(false);
  });

  it('report renders each format from the stored rows', async () => {
    const csv = await cli('report', '2', '--format', 'csv');
    expect(csv.out.split('\r\n')[0]).toBe('File,Line,Severity,Code,Message');
    expect(csv.out).toContain('1001');
    const html = await cli('report', '2', '--format', 'html');
    expect(html.out).toMatch(/^<!DOCTYPE html>/i);
    const text = await cli('report', '2');
    expect(text.out).toContain("Line 28 | ERROR 1001 - State ID '0099999991' not found");
    expect((await cli('report', '99')).code).toBe(2);
  });

  it('logs lists both runs, newest first', async () => {
    const r = await cli('logs', '--json');
    const runs = JSON.parse(r.out);
    expect(runs.map((x: { id: number; mode: string }) => [x.id, x.mode])).toEqual([
      [2, 'run'],
      [1, 'test'],
    ]);
  });

  it('student shows records and the run that made them', async () => {
    const r = await cli('student', '0024540232');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Alvarez, Ava');
    expect(r.out).toContain('New      by run 2 (Demo drop folder): 08/03/2026 - 06/30/2027  Free Direct (SNAP)');
  });

  it('eligibility summary counts Free/Reduced/Paid by school', async () => {
    const r = await cli('eligibility', 'summary', '--school-year', '2027', '--as-of', '2027-05-01', '--json');
    const { schools } = JSON.parse(r.out);
    const total = schools.reduce((n: number, s: { total: number }) => n + s.total, 0);
    expect(total).toBe(40);
    expect(schools.reduce((n: number, s: { free: number }) => n + s.free, 0)).toBe(16);
  });

  it('db backup writes a readable copy', async () => {
    const target = join(dir, 'backup.db');
    expect((await cli('db', 'backup', target)).code).toBe(0);
    const copy = new Database(target, { readonly: true });
    expect(copy.prepare('SELECT count(*) FROM eligibility').pluck().get()).toBe(26);
    copy.close();
  });

  it('revert undoes the run; a second revert is refused with exit 1', async () => {
    expect((await cli('revert', '2')).code).toBe(0);
    const db = new Database(join(dataDir, 'fram-import.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM eligibility').pluck().get()).toBe(0);
    db.close();
    expect((await cli('revert', '2')).code).toBe(1);
  });

  it('logs clear --all empties the logs', async () => {
    expect((await cli('logs', 'clear', '--all')).out).toContain('2 run(s) cleared');
    expect(JSON.parse((await cli('logs', '--json')).out)).toEqual([]);
  });

  it('--wait is a global option: shown in --help, and a value that is not seconds exits 2', async () => {
    for (const help of [await cli('--help'), await cli('revert', '--help')]) {
      expect(help.code).toBe(0);
      expect(help.out).toContain('--wait SECONDS: how long a command that writes');
      expect(help.out).toContain('(default 120)');
    }
    for (const bad of ['soon', '-1', '']) {
      const r = await cli('logs', 'clear', '--all', `--wait=${bad}`);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`fram-import logs clear: --wait must be a number of seconds, 0 or more (got '${bad}')\n`);
    }
    expect((await cli('logs', '--wait', '0.5', '--json')).code).toBe(0);
  });

  it('bad usage and invalid config exit 2, listing every problem', async () => {
    expect((await cli('run')).code).toBe(2);
    expect((await cli('run', 'No such import')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    writeFileSync(
      join(configDir, 'imports/bad.yaml'),
      'name: bad\nmapping: POS 26-27\nprotocol: sftp\ndirectory: /abs\npassword: hunter2\n',
    );
    const r = await cli('config', 'check');
    expect(r.code).toBe(2);
    expect(r.err).toContain('bad.yaml');
    expect(r.err).not.toContain('hunter2');
    // Its four problems (the inline password, host, username, the absolute directory) and the import it disables.
    expect(r.err.split('\n').filter((l) => l.includes('bad.yaml'))).toHaveLength(5);
  });
});
