// One contract and one end-to-end suite, the same for every transport (issue 3, acceptance 1-4):
// OpenSSH sftp, vsftpd implicit and explicit TLS, Samba with four server settings, and local.
// The servers are real, started by each transport-contract-*.test.ts on 127.0.0.1; the files run
// at the same time, each with its own servers. The CLI runs in this process, except one run per
// server that is a real `node dist/cli/bin.js` process, as an operator starts it.

import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadConfig } from '../../src/config.js';
import { secretReader } from '../../src/config/secrets.js';
import { createConnect } from '../../src/transports/index.js';
import { TargetExistsError, type Transport } from '../../src/transports/transport.js';
import { PASSWORD_ENV, UNCAPPED, type TestServer } from '../servers/common.js';
import { cli, type CliOutput } from './cli-in-process.js';
import { BIN, ROOT } from './daemon.js';

/** A local drop folder dressed as a server, so the same suites run against `local`. */
export async function startLocalServer(): Promise<TestServer> {
  const dropDir = mkdtempSync(join(tmpdir(), 'fram-local-'));
  return {
    protocol: 'local' as TestServer['protocol'],
    label: 'local',
    dropDir,
    fingerprint: null,
    importFields: { protocol: 'local', directory: dropDir },
    put: (name, data) => writeFileSync(join(dropDir, name), data),
    stop: async () => {},
  };
}

const DEMO = readFileSync(join(ROOT, 'fixtures', 'demo', 'IC_Eligibility_demo.csv'));
/** New records that the demo file's 31 lines make in a store with the demo roster (the rest are its errors and warnings). */
const DEMO_NEW = 26;

interface Report {
  runId: number;
  status: string;
  summary: Record<string, number>;
  notices?: string[];
  files: { name: string; status: string; renamedTo: string | null }[];
  runError: { code: number; text: string } | null;
}

/**
 * Both suites for the servers `start` returns, named by `labels` (one per server, in order:
 * `sftp`, `ftps (implicit)`, `smb (signing)`, `local`, ...; the word before a space is the protocol).
 */
export function transportSuites(labels: string[], password: string, start: () => Promise<TestServer[]>): void {
  const servers: TestServer[] = [];
  beforeAll(async () => {
    servers.push(...(await start()));
    expect(servers.map((s) => s.importFields.protocol)).toEqual(labels.map((l) => l.split(' ')[0]));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  const env = { [PASSWORD_ENV]: password };

  function clearDrop(s: TestServer): void {
    for (const name of readdirSync(s.dropDir)) execFileSync('rm', ['-rf', join(s.dropDir, name)]);
  }

  async function open(s: TestServer, fields: Record<string, unknown> = {}): Promise<Transport> {
    const dir = mkdtempSync(join(tmpdir(), 'fram-contract-cfg-'));
    writeSite(dir, s, fields);
    const { config, problems } = loadConfig(join(dir, 'config'));
    expect(problems).toEqual([]);
    return createConnect(
      secretReader(env),
      { connectTimeoutMs: 8000, idleTimeoutMs: 8000 },
      { attempts: 1, firstDelayMs: 0 },
    )(config!.imports.get('Remote')!);
  }

  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  describe.each(labels.map((label, i) => ({ label, i })))('transport contract: $label', ({ label, i }) => {
    it('is the server it says', () => {
      expect(servers[i].importFields.protocol).toBe(label.split(' ')[0]);
    });

    it('lists regular files with size and mtime to the second, downloads them whole, and renames without overwriting', async () => {
      const s = servers[i];
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

        await expect(t.rename('IC_Eligibility_x.csv', 'P_IC_Eligibility_20260101010101_x.csv')).rejects.toBeInstanceOf(
          TargetExistsError,
        );
        expect(readFileSync(join(s.dropDir, 'P_IC_Eligibility_20260101010101_x.csv'), 'utf8')).toBe('old');
        await t.rename('IC_Eligibility_x.csv', 'P_IC_Eligibility_20261122010000_x.csv');
        expect(readdirSync(s.dropDir).sort()).toEqual([
          'IC_Eligibility_folder',
          'P_IC_Eligibility_20260101010101_x.csv',
          'P_IC_Eligibility_20261122010000_x.csv',
        ]);
        expect(sha(readFileSync(join(s.dropDir, 'P_IC_Eligibility_20261122010000_x.csv')))).toBe(sha(body));
      } finally {
        await t.close();
      }
    });
  });

  /** The environment of a site's CLI, as an operator's shell would have it. */
  const siteEnv = (dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FRAM_DATA_DIR: join(dir, 'data'),
    FRAM_CONFIG_DIR: join(dir, 'config'),
    FRAM_TZ: 'America/Chicago',
    ...env,
    ...extra,
  });

  /** The CLI in this process. */
  const run = (dir: string, args: string[], extra: Record<string, string> = {}): Promise<CliOutput> =>
    cli(args, siteEnv(dir, extra));

  /** The built CLI as a process of its own, FRAM_LOG_LEVEL=trace so that every log line is there to be searched. */
  function runProcess(dir: string, args: string[]): Promise<CliOutput> {
    return new Promise((res, rej) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: siteEnv(dir, { FRAM_LOG_LEVEL: 'trace' }) });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.on('error', rej);
      child.on('close', (code) => res({ code: code ?? -1, out, err }));
    });
  }

  async function site(s: TestServer, fields: Record<string, unknown> = {}): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'fram-e2e-'));
    writeSite(dir, s, fields);
    const load = await run(dir, ['students', 'load', join(ROOT, 'fixtures', 'demo', 'roster.csv')]);
    expect(load.code, load.err).toBe(0);
    return dir;
  }

  const report = (r: CliOutput) => JSON.parse(r.out) as Report;
  const runJson = async (dir: string, extra: Record<string, string> = {}) => {
    const r = await run(dir, ['run', 'Remote', '--json'], extra);
    return { ...r, report: report(r) };
  };

  describe.each(labels.map((label, i) => ({ label, i })))('end to end: $label', ({ label, i }) => {
    it('imports a fixture file and renames it P_IC_Eligibility_<14 digits>', async () => {
      const s = servers[i];
      clearDrop(s);
      s.put('IC_Eligibility_north.csv', DEMO);
      const dir = await site(s);
      // local has no 5007 test below: its real process is this run.
      const r =
        label === 'local' ? await runProcess(dir, ['run', 'Remote', '--json']) : await run(dir, ['run', 'Remote', '--json']);
      expect(r.code, r.err).toBe(0);
      const { status, summary, files } = report(r);
      expect(status).toBe('Successful');
      expect(summary.new).toBe(DEMO_NEW);
      expect(files).toEqual([
        expect.objectContaining({
          name: 'IC_Eligibility_north.csv',
          status: 'imported',
          renamedTo: expect.stringMatching(/^P_IC_Eligibility_\d{14}_north\.csv$/),
        }),
      ]);
      expect(readdirSync(s.dropDir)).toEqual([files[0].renamedTo]);
      expect(readFileSync(join(s.dropDir, files[0].renamedTo!))).toEqual(DEMO);
    });

    it('leaves a file that is still growing for the next run', async () => {
      const s = servers[i];
      clearDrop(s);
      s.put('IC_Eligibility_growing.csv', DEMO.subarray(0, 200));
      const dir = await site(s, { stableSeconds: 2 });
      const grow = setInterval(() => appendFileSync(join(s.dropDir, 'IC_Eligibility_growing.csv'), 'x'), 250);
      try {
        const { report: r, code } = await runJson(dir);
        expect(code).toBe(0);
        expect(r.status).toBe('Successful');
        expect(r.files).toEqual([
          expect.objectContaining({ name: 'IC_Eligibility_growing.csv', status: 'waiting', renamedTo: null }),
        ]);
      } finally {
        clearInterval(grow);
      }
      expect(readdirSync(s.dropDir)).toEqual(['IC_Eligibility_growing.csv']);
    });

    if (label === 'local') return;

    it('test-connection counts the waiting files and shows the fingerprint', async () => {
      const s = servers[i];
      clearDrop(s);
      s.put('IC_Eligibility_a.csv', 'a');
      s.put('P_IC_Eligibility_20260101010101.csv', 'b');
      const r = await run(await site(s), ['test-connection', 'Remote', '--json']);
      expect(r.code, r.out + r.err).toBe(0);
      const tc = JSON.parse(r.out) as {
        ok: boolean;
        fileCount: number;
        waiting: { name: string }[];
        peer: { fingerprint: string } | null;
      };
      expect(tc).toMatchObject({ ok: true, fileCount: 2, waiting: [expect.objectContaining({ name: 'IC_Eligibility_a.csv' })] });
      expect(tc.peer?.fingerprint ?? null).toBe(s.fingerprint);
    });

    it('a wrong password is Unsuccessful with 5002, and the file stays as it was', async () => {
      const s = servers[i];
      clearDrop(s);
      s.put('IC_Eligibility.csv', DEMO);
      const dir = await site(s, { password: { env: 'WRONG_PASSWORD' } });
      const r = await runJson(dir, { WRONG_PASSWORD: `${password}x` });
      expect(r.code).toBe(1);
      expect(r.report.runError?.code).toBe(5002);
      expect(`${r.out}${r.err}`).not.toContain(password);
      expect(readdirSync(s.dropDir)).toEqual(['IC_Eligibility.csv']);
      const tc = await run(dir, ['test-connection', 'Remote'], { WRONG_PASSWORD: `${password}x` });
      expect(tc.code).toBe(1);
      expect(tc.out).toContain('FAILED (authentication): ERROR 5002');
    });

    it('a missing directory is Unsuccessful with 5003', async () => {
      const s = servers[i];
      const { report: r, code } = await runJson(await site(s, { directory: `${String(s.importFields.directory)}/nowhere` }));
      expect(code).toBe(1);
      expect(r.runError?.code).toBe(5003);
    });

    if (label === 'sftp') {
      it('an unknown host key is Unsuccessful with 5004, naming its fingerprint; test-connection says how to pin it', async () => {
        const s = servers[i];
        clearDrop(s);
        s.put('IC_Eligibility.csv', DEMO);
        const dir = await site(s, { hostKeySha256: undefined });
        const { report: r, code } = await runJson(dir);
        expect(code).toBe(1);
        expect(r.runError?.code).toBe(5004);
        expect(r.runError?.text).toContain(s.fingerprint!);
        expect(readdirSync(s.dropDir)).toEqual(['IC_Eligibility.csv']);
        const tc = await run(dir, ['test-connection', 'Remote']);
        expect(tc.out).toContain(`hostKeySha256: "${s.fingerprint}"`);
      });
    }

    if (label.startsWith('ftps')) {
      it('an untrusted certificate is Unsuccessful with 5005, and the file stays as it was', async () => {
        const s = servers[i];
        clearDrop(s);
        s.put('IC_Eligibility.csv', DEMO);
        const { report: r, code } = await runJson(await site(s, { caFile: undefined }));
        expect(code).toBe(1);
        expect(r.runError?.code).toBe(5005);
        expect(readdirSync(s.dropDir)).toEqual(['IC_Eligibility.csv']);
      });

      it('insecureTls connects, and the report says the certificate was not verified', async () => {
        const s = servers[i];
        clearDrop(s);
        s.put('IC_Eligibility.csv', DEMO);
        const dir = await site(s, { caFile: undefined, insecureTls: true });
        const { report: r, code } = await runJson(dir);
        expect(code).toBe(0);
        const text = await run(dir, ['report', String(r.runId)]);
        expect(text.out).toContain('insecureTls is set');
      });
    }

    it('no rename permission: Unsuccessful with 5007, imported once, the file left in place and renamed by the next run; no secret anywhere', async () => {
      const s = servers[i];
      clearDrop(s);
      s.put('IC_Eligibility.csv', DEMO);
      const dir = await site(s);
      chmodSync(s.dropDir, 0o555);
      try {
        // The server's one real process: its stderr holds every log line (trace) of the run.
        const r = await runProcess(dir, ['run', 'Remote', '--json']);
        const failed = report(r);
        expect(r.code).toBe(1);
        expect(failed.runError?.code).toBe(5007);
        expect(failed.files[0]).toMatchObject({ status: 'renamePending', renamedTo: null });
        expect(readdirSync(s.dropDir)).toEqual(['IC_Eligibility.csv']);
        expect(r.err.split('\n').filter((l) => l.includes('"msg":"file:failed"'))).toHaveLength(1);
        const outputs = [r.out, r.err, (await run(dir, ['logs', '--json'])).out];
        for (const format of ['text', 'html', 'csv', 'json'])
          outputs.push((await run(dir, ['report', String(failed.runId), '--format', format])).out);
        for (const text of outputs) {
          expect(text).not.toBe('');
          expect(text).not.toContain(password);
        }
      } finally {
        chmodSync(s.dropDir, 0o755);
      }
      const again = await runJson(dir);
      expect(again.report.status).toBe('Successful');
      expect(again.report.files[0]).toMatchObject({
        status: 'alreadyImported',
        renamedTo: expect.stringMatching(/^P_IC_Eligibility_\d{14}\.csv$/),
      });
      expect(again.report.summary.new).toBe(0);
    });
  });
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
