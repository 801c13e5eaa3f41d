// A Samba test server: one smbd per instance on a free loopback port, with all of its state in a
// temporary folder, one share (random name) holding `Exports/`, the import directory.
// Plain Node (no vitest), so the transport benchmark can start the same servers.

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, makeTempDir, PASSWORD_ENV, putAs, startDaemon, userInfo, waitForPort, type TestServer } from './common.js';

export type SambaVariant = 'defaults' | 'signing' | 'encrypt' | 'smb3';

export const SMB_USER = 'framsmb';
export const SMB_WORKGROUP = 'FRAMTEST';

const VARIANTS: Record<SambaVariant, { line: string | null; label: string }> = {
  defaults: { line: null, label: 'smb (defaults)' },
  signing: { line: 'server signing = mandatory', label: 'smb (signing mandatory)' },
  encrypt: { line: 'server smb encrypt = required', label: 'smb (encryption required)' },
  smb3: { line: 'server min protocol = SMB3_11', label: 'smb (SMB3_11 only)' },
};

/** The password each server was started with, for `smbBaselineDownload`. */
const passwords = new WeakMap<TestServer, string>();

export interface SmbTestServer extends TestServer {
  host: string;
  port: number;
  share: string;
  /** The smbd master process; it forks one child per client connection. */
  pid: number;
  /** The folder behind the share (dropDir is its `Exports/`). */
  shareDir: string;
}

export async function startSmbServer(opts: { password: string; variant: SambaVariant }): Promise<SmbTestServer> {
  const user = userInfo(SMB_USER);
  const root = makeTempDir('smb');
  // smbd switches to the user to reach the share, so the user must be able to pass through.
  chmodSync(root, 0o755);
  const dir = (name: string, mode = 0o755) => {
    const d = path.join(root, name);
    mkdirSync(d, { recursive: true, mode });
    chmodSync(d, mode);
    return d;
  };
  const priv = dir('private', 0o700);
  const lock = dir('lock');
  const state = dir('state');
  const cache = dir('cache');
  const pid = dir('pid');
  const ncalrpc = dir('ncalrpc');
  const shareDir = dir('share');
  const dropDir = dir('share/Exports');
  chownSync(shareDir, user.uid, user.gid);
  chownSync(dropDir, user.uid, user.gid);

  const port = await freePort();
  const share = `pos${randomBytes(4).toString('hex')}`;
  const variant = VARIANTS[opts.variant];
  const config = path.join(root, 'smb.conf');
  writeFileSync(
    config,
    [
      '[global]',
      `  workgroup = ${SMB_WORKGROUP}`,
      '  server role = standalone server',
      '  interfaces = 127.0.0.1',
      '  bind interfaces only = yes',
      `  smb ports = ${port}`,
      '  disable netbios = yes',
      '  load printers = no',
      '  printing = bsd',
      '  printcap name = /dev/null',
      '  disable spoolss = yes',
      `  passdb backend = tdbsam:${path.join(priv, 'passdb.tdb')}`,
      `  private dir = ${priv}`,
      `  lock directory = ${lock}`,
      `  state directory = ${state}`,
      `  cache directory = ${cache}`,
      `  pid directory = ${pid}`,
      `  ncalrpc dir = ${ncalrpc}`,
      `  log file = ${path.join(root, 'log.smbd')}`,
      '  max log size = 0',
      '  log level = 1',
      ...(variant.line ? [`  ${variant.line}`] : []),
      '',
      `[${share}]`,
      `  path = ${shareDir}`,
      '  read only = no',
      `  valid users = ${SMB_USER}`,
      '',
    ].join('\n'),
  );
  execFileSync('smbpasswd', ['-c', config, '-s', '-a', SMB_USER], {
    input: `${opts.password}\n${opts.password}\n`,
    stdio: ['pipe', 'pipe', 'pipe'],
  });

  // Not `--no-process-group`: smbd's master sends SIGTERM to its whole process group when it
  // exits (kill(0, SIGTERM)), which in our group would kill the test runner. On its own it calls
  // setsid(), so that signal reaches only smbd's own processes. It logs to `log file`, not a pipe.
  const daemon = startDaemon('smbd', ['--foreground', `--configfile=${config}`], path.join(root, 'smbd.out'));
  try {
    await waitForPort(port);
  } catch (e) {
    await daemon.stop();
    throw e;
  }

  const server: SmbTestServer = {
    protocol: 'smb',
    label: variant.label,
    importFields: {
      protocol: 'smb',
      host: '127.0.0.1',
      port,
      domain: SMB_WORKGROUP,
      username: SMB_USER,
      password: { env: PASSWORD_ENV },
      directory: `${share}/Exports`,
    },
    dropDir,
    fingerprint: null,
    host: '127.0.0.1',
    port,
    share,
    pid: daemon.child.pid!,
    shareDir,
    put(name, data) {
      putAs(user, path.join(dropDir, name), data);
    },
    async stop() {
      // The master's connection children serve on after it is gone; stop them by their PIDs.
      const children = childPids(daemon.child.pid!);
      await daemon.stop();
      for (const child of children) {
        try {
          process.kill(child, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  passwords.set(server, opts.password);
  return server;
}

/** The direct children of a process (smbd forks one per connection). */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}

/**
 * A bare `smbclient get` of one file of the server's drop folder, with smbclient's defaults:
 * the yardstick for the transport's own download. The credentials go in an authentication file.
 */
export async function smbBaselineDownload(server: TestServer, name: string, localPath: string): Promise<void> {
  const f = server.importFields as { host: string; port: number; domain: string; username: string; directory: string };
  const [share, ...folders] = f.directory.split(/[/\\]/);
  const password = passwords.get(server);
  if (!password) throw new Error('smbBaselineDownload needs a server that startSmbServer started');
  const tmp = mkdtempSync(path.join(tmpdir(), 'fram-smbbase-'));
  const auth = path.join(tmp, 'auth');
  try {
    writeFileSync(auth, `username = ${f.username}\npassword = ${password}\ndomain = ${f.domain}\n`, { mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        'smbclient',
        [
          `//${f.host}/${share}`,
          '-p',
          String(f.port),
          '-A',
          auth,
          '-D',
          folders.join('\\'),
          '-c',
          `get "${name}" "${localPath}"`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0 && !/NT_STATUS_/.test(out)) resolve();
        else reject(new Error(`smbclient get failed (exit ${code}): ${out.trim()}`));
      });
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
