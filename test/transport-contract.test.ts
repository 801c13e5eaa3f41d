// One contract and one end-to-end suite, the same for every transport (issue 3, acceptance 1-4):
// OpenSSH sftp, vsftpd implicit and explicit TLS, Samba with four server settings, and local.
// The servers are real, started here on 127.0.0.1.

import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import YAML from 'yaml';
import { loadConfig } from '../src/config.js';
import { createConnect } from '../src/transports/index.js';
import { TargetExistsError, type Transport } from '../src/transports/transport.js';
import { PASSWORD_ENV, UNCAPPED, type TestServer } from './servers/common.js';
import { startSftpServer } from './servers/sftp.js';
import { startFtpsServer } from './servers/ftps.js';
import { startSmbServer, type SambaVariant } from './servers/smb.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const password = inject('testPassword');

/** A local drop folder dressed as a server, so the same suites run against `local`. */
function localServer(): TestServer {
  const dropDir = mkdtempSync(join(tmpdir(), 'fram-local-'));
  return {
    protocol: 'local' as TestServer['protocol'], label: 'local', dropDir, fingerprint: null,
    importFields: { protocol: 'local', directory: dropDir },
    put: (name, data) => writeFileSync(join(dropDir, name), data),
    stop: async () => {},
  };
}

const servers: TestServer[] = [];
beforeAll(async () => {
  const started = await Promise.all([
    startSftpServer({ password }),
    startFtpsServer({ password, mode: 'implicit' }),
    startFtpsServer({ password, mode: 'explicit' }),
    ...(['defaults', 'signing', 'encrypt', 'smb3'] as SambaVariant[]).map((variant) => startSmbServer({ password, variant })),
  ]);
  servers.push(...started, localServer());
}, 120_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const LABELS = ['sftp', 'ftps (implicit)', 'ftps (explicit)', 'smb (defaults)', 'smb (signing)', 'smb (encrypt)', 'smb (smb3)', 'local'];
const serverAt = (i: number) => servers[i];

function clearDrop(s: TestServer): void {
  for (const name of readdirSync(s.dropDir)) execFileSync('rm', ['-rf', join(s.dropDir, name)]);
}

const env = { [PASSWORD_ENV]: password };

async function open(s: TestServer, fields: Record<string, unknown> = {}): Promise<Transport> {
  const dir = mkdtempSync(join(tmpdir(), 'fram-contract-cfg-'));
  writeSite(dir, s, fields);
  const { config, problems } = loadConfig(join(dir, 'config'));
  expect(problems).toEqual([]);
  return createConnect(env, { connectTimeoutMs: 8000, idleTimeoutMs: 8000 }, { attempts: 1, firstDelayMs: 0 })(
    config!.imports.get('Remote')!);
}

/** A config dir (certified types, the demo mapping, one import named Remote) under `dir`/config. */
function writeSite(dir: string, s: TestServer, fields: Record<string, unknown> = {}): void {
  const config = join(dir, 'config');
  mkdirSync(join(config, 'mappings'), { recursive: true });
  mkdirSync(join(config, 'imports'), { recursive: true });
  writeFileSync(join(config, 'certified-types.yaml'), readFileSync(join(ROOT, 'config', 'certified-types.yaml')));
  writeFileSync(join(config, 'mappings', 'pos.yaml'), readFileSync(join(ROOT, 'config', 'mappings', 'pos-26-27.yaml')));
  const imp = { name: 'Remote', mapping: 'POS 26-27', stableSeconds: 0, maxChangeRatio: 1, ...s.importFields, ...fields };
  for (const [k, v] of Object.entries(imp)) if (v === undefined) delete (imp as Record<string, unknown>)[k];
  writeFileSync(join(config, 'imports', 'remote.yaml'), YAML.stringify(imp));
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(LABELS.map((label, i) => ({ label, i })))('transport contract: $label', ({ label, i }) => {
  it('is the server it says', () => {
    expect(serverAt(i).importFields.protocol).toBe(label.split(' ')[0]);
  });

  it('lists regular files with size and mtime to the second, downloads them whole, and renames without overwriting', async () => {
    const s = serverAt(i);
    clearDrop(s);
    const body = randomBytes(300_000);
    s.put('IC_Eligibility_x.csv', body);
    s.put('P_IC_Eligibility_20260101010101_x.csv', 'old');
    mkdirSync(join(s.dropDir, 'IC_Eligibility_folder'));
    const t = await open(s);
    try {
      const files = await t.list();
      expect(files.map((f) => f.name).sort()).toEqual(['IC_Eligibility_x.csv', 'P_IC_Eligibility_20260101010101_x.csv']);
      const x = files.find((f) => f.name === 'IC_Eligibility_x.csv')!;
      expect(x.size).toBe(body.length);
      expect(Math.floor(x.mtime.getTime() / 1000)).toBe(Math.floor(statSync(join(s.dropDir, x.name)).mtimeMs / 1000));

      const local = join(mkdtempSync(join(tmpdir(), 'fram-contract-')), 'x.part');
      expect(await t.download('IC_Eligibility_x.csv', local, UNCAPPED)).toBe(body.length);
      expect(sha(readFileSync(local))).toBe(sha(body));

      await expect(t.rename('IC_Eligibility_x.csv', 'P_IC_Eligibility_20260101010101_x.csv')).rejects.toBeInstanceOf(TargetExistsError);
      expect(readFileSync(join(s.dropDir, 'P_IC_Eligibility_20260101010101_x.csv'), 'utf8')).toBe('old');
      await t.rename('IC_Eligibility_x.csv', 'P_IC_Eligibility_20261122010000_x.csv');
      expect(readdirSync(s.dropDir).sort()).toEqual(['IC_Eligibility_folder', 'P_IC_Eligibility_20260101010101_x.csv', 'P_IC_Eligibility_20261122010000_x.csv']);
      expect(sha(readFileSync(join(s.dropDir, 'P_IC_Eligibility_20261122010000_x.csv')))).toBe(sha(body));
    } finally {
      await t.close();
    }
  });
});

/** Runs the CLI as an operator would; FRAM_LOG_LEVEL=trace so that every log line is there to be searched. */
function cli(dir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, FRAM_DATA_DIR: join(dir, 'data'), FRAM_CONFIG_DIR: join(dir, 'config'),
        FRAM_TZ: 'America/Chicago', FRAM_LOG_LEVEL: 'trace', ...env, ...extraEnv },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => res({ code: code ?? -1, out, err }));
  });
}

async function site(s: TestServer, fields: Record<string, unknown> = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fram-e2e-'));
  writeSite(dir, s, fields);
  const load = await cli(dir, ['students', 'load', join(ROOT, 'fixtures', 'demo', 'roster.csv')]);
  expect(load.code, load.err).toBe(0);
  return dir;
}

const DEMO = readFileSync(join(ROOT, 'fixtures', 'demo', 'IC_Eligibility_demo.csv'));

interface Report { runId: number; status: string; summary: Record<string, number>; notices?: string[];
  files: { name: string; status: string; renamedTo: string | null }[]; runError: { code: number; text: string } | null }

async function runJson(dir: string, extraEnv: Record<string, string> = {}) {
  const r = await cli(dir, ['run', 'Remote', '--json'], extraEnv);
  return { ...r, report: JSON.parse(r.out) as Report };
}

describe.each(LABELS.map((label, i) => ({ label, i })))('end to end: $label', ({ label, i }) => {
  it('imports a fixture file and renames it P_IC_Eligibility_<14 digits>', async () => {
    const s = serverAt(i);
    clearDrop(s);
    s.put('IC_Eligibility_north.csv', DEMO);
    const { report, code, err } = await runJson(await site(s));
    expect(code, err).toBe(0);
    expect(report.status).toBe('Successful');
    expect(report.summary.new).toBeGreaterThan(0);
    expect(report.files).toEqual([expect.objectContaining({ name: 'IC_Eligibility_north.csv', status: 'imported',
      renamedTo: expect.stringMatching(/^P_IC_Eligibility_\d{14}_north\.csv$/) })]);
    expect(readdirSync(s.dropDir)).toEqual([report.files[0].renamedTo]);
    expect(readFileSync(join(s.dropDir, report.files[0].renamedTo!))).toEqual(DEMO);
  });

  it('leaves a file that is still growing for the next run', async () => {
    const s = serverAt(i);
    clearDrop(s);
    s.put('IC_Eligibility_growing.csv', DEMO.subarray(0, 200));
    const dir = await site(s, { stableSeconds: 2 });
    const grow = setInterval(() => appendFileSync(join(s.dropDir, 'IC_Eligibility_growing.csv'), 'x'), 250);
    try {
      const { report, code } = await runJson(dir);
      expect(code).toBe(0);
      expect(report.status).toBe('Successful');
      expect(report.files).toEqual([expect.objectContaining({ name: 'IC_Eligibility_growing.csv', status: 'waiting', renamedTo: null })]);
    } finally {
      clearInterval(grow);
    }
    expect(readdirSync(s.dropDir)).toEqual(['IC_Eligibility_growing.csv']);
  });

  if (label === 'local') return;

  it('test-connection counts the waiting files and shows the fingerprint', async () => {
    const s = serverAt(i);
    clearDrop(s);
    s.put('IC_Eligibility_a.csv', 'a');
    s.put('P_IC_Eligibility_20260101010101.csv', 'b');
    const r = await cli(await site(s), ['test-connection', 'Remote', '--json']);
    expect(r.code, r.out + r.err).toBe(0);
    const report = JSON.parse(r.out) as { ok: boolean; fileCount: number; waiting: { name: string }[]; peer: { fingerprint: string } | null };
    expect(report).toMatchObject({ ok: true, fileCount: 2, waiting: [expect.objectContaining({ name: 'IC_Eligibility_a.csv' })] });
    expect(report.peer?.fingerprint ?? null).toBe(s.fingerprint);
  });

  it('a wrong password is Unsuccessful with 5002, and the file stays as it was', async () => {
    const s = serverAt(i);
    clearDrop(s);
    s.put('IC_Eligibility.csv', DEMO);
    const dir = await site(s, { password: { env: 'WRONG_PASSWORD' } });
    const r = await runJson(dir, { WRONG_PASSWORD: `${password}x` });
    expect(r.code).toBe(1);
    expect(r.report.runError?.code).toBe(5002);
    expect(`${r.out}${r.err}`).not.toContain(password);
    expect(readdirSync(s.dropDir)).toEqual(['IC_Eligibility.csv']);
    const tc = await cli(dir, ['test-connection', 'Remote'], { WRONG_PASSWORD: `${password}x` });
    expect(tc.code).toBe(1);
    expect(tc.out).toContain('FAILED (authentication): ERROR 5002');
  });

  it('a missing directory is Unsuccessful with 5003', async () => {
    const s = serverAt(i);
    const { report, code } = await runJson(await site(s, { directory: `${String(s.importFields.directory)}/nowhere` }));
    expect(code).toBe(1);
    expect(report.runError?.code).toBe(5003);
  });

  if (label === 'sftp') {
    it('an unknown host key is Unsuccessful with 5004, naming its fingerprint; test-connection says how to pin it', async () => {
      const s = serverAt(i);
      clearDrop(s);
      s.put('IC_Eligibility.csv', DEMO);
      const dir = await site(s, { hostKeySha256: undefined });
      const { report, code } = await runJson(dir);
      expect(code).toBe(1);
      expect(report.runError?.code).toBe(5004);
      expect(report.runError?.text).toContain(s.fingerprint!);
      expect(readdirSync(s.dropDir)).toEqual(['IC_Eligibility.csv']);
      const tc = await cli(dir, ['test-connection', 'Remote']);
      expect(tc.out).toContain(`hostKeySha256: "${s.fingerprint}"`);
    });
  }

  if (label.startsWith('ftps')) {
    it('an untrusted certificate is Unsuccessful with 5005, and the file stays as it was', async () => {
      const s = serverAt(i);
      clearDrop(s);
      s.put('IC_Eligibility.csv', DEMO);
      const { report, code } = await runJson(await site(s, { caFile: undefined }));
      expect(code).toBe(1);
      expect(report.runError?.code).toBe(5005);
      expect(readdirSync(s.dropDir)).toEqual(['IC_Eligibility.csv']);
    });

    it('insecureTls connects, and the report says the certificate was not verified', async () => {
      const s = serverAt(i);
      clearDrop(s);
      s.put('IC_Eligibility.csv', DEMO);
      const dir = await site(s, { caFile: undefined, insecureTls: true });
      const { report, code } = await runJson(dir);
      expect(code).toBe(0);
      const text = await cli(dir, ['report', String(report.runId)]);
      expect(text.out).toContain('insecureTls is set');
    });
  }

  it('no rename permission: Unsuccessful with 5007, imported once, the file left in place and renamed by the next run; no secret anywhere', async () => {
    const s = serverAt(i);
    clearDrop(s);
    s.put('IC_Eligibility.csv', DEMO);
    const dir = await site(s);
    chmodSync(s.dropDir, 0o555);
    try {
      const r = await runJson(dir);
      expect(r.code).toBe(1);
      expect(r.report.runError?.code).toBe(5007);
      expect(r.report.files[0]).toMatchObject({ status: 'renamePending', renamedTo: null });
      expect(readdirSync(s.dropDir)).toEqual(['IC_Eligibility.csv']);
      expect(r.err).toContain('"msg":"file:failed"');
      const outputs = [r.out, r.err, (await cli(dir, ['logs', '--json'])).out];
      for (const format of ['text', 'html', 'csv', 'json']) outputs.push((await cli(dir, ['report', String(r.report.runId), '--format', format])).out);
      for (const text of outputs) {
        expect(text.length).toBeGreaterThan(0);
        expect(text).not.toContain(password);
      }
    } finally {
      chmodSync(s.dropDir, 0o755);
    }
    const again = await runJson(dir);
    expect(again.report.status).toBe('Successful');
    expect(again.report.files[0]).toMatchObject({ status: 'alreadyImported', renamedTo: expect.stringMatching(/^P_IC_Eligibility_\d{14}\.csv$/) });
    expect(again.report.summary.new).toBe(0);
  });
});
