// What every test server shares: free ports, temporary folders, system users, child processes.
// Plain Node (no vitest), so the transport benchmark can start the same servers.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The environment variable that the test imports name for their password: `password: { env: ... }`. */
export const PASSWORD_ENV = 'FRAM_TEST_PASSWORD';

/** Download options for a test that is not about the byte cap. */
export const UNCAPPED = { maxBytes: Number.MAX_SAFE_INTEGER };

export interface TestServer {
  protocol: 'sftp' | 'ftps' | 'smb';
  /** e.g. `smb (signing mandatory)`, for test names. */
  label: string;
  /** Fields of an import YAML that reach this server; the password as `{ env: PASSWORD_ENV }`. */
  importFields: Record<string, unknown>;
  /** The folder on this machine behind the import's `directory`. */
  dropDir: string;
  /** The peer's fingerprint as an import pins it (SFTP `SHA256:...`, FTPS hex), null for SMB. */
  fingerprint: string | null;
  /** Writes a file into dropDir, owned by the server's user. */
  put(name: string, data: string | Buffer): void;
  stop(): Promise<void>;
}

/**
 * The test users' password: one per machine, kept in a root-only file, so that a second test
 * session (or the transport bench) started while one runs never changes it under the first.
 */
export function testPassword(): string {
  const file = path.join(tmpdir(), 'fram-test-users', 'password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Letters and digits only, so that no server or shell reads anything into it.
  const password = `Pw${randomBytes(12).toString('hex')}`;
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/**
 * A free loopback port for a test server. Test files run in parallel (and other test runs share the
 * machine), so a port is picked at random below the kernel's ephemeral range: there no client
 * connection and no listen(0) of another process takes it between this check and the server's bind.
 * A port is handed out once per process.
 */
export async function freePort(): Promise<number> {
  const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const from = 10_000;
  if (!(low > from + 1000)) return ephemeralPort(); // an unusual range: let the kernel choose
  for (let attempt = 0; attempt < 100; attempt++) {
    // Room above for the consecutive ports of an FTP passive range.
    const port = from + Math.floor(Math.random() * (low - from - 16));
    if (handedOut.has(port) || !(await isFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found');
}

const handedOut = new Set<number>();

/** True when nothing listens on 127.0.0.1:`port` now. */
export async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `fram-${prefix}-`));
}

/** Creates (once) a system user with a home folder, and sets its password. Needs root. */
export function ensureUser(name: string, password: string): TestUser {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', name], { stdio: 'pipe' });
  }
  execFileSync('chpasswd', { input: `${name}:${password}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  return userInfo(name);
}

export function userInfo(name: string): TestUser {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no system user ${name}`);
  const [, , uid, gid, , home] = line.split(':');
  return { name, uid: +uid, gid: +gid, home };
}

/** Writes a file as root and hands it to the user. */
export function putAs(user: TestUser, file: string, data: string | Buffer): void {
  writeFileSync(file, data);
  chownSync(file, user.uid, user.gid);
}

/** The direct children of a process (default: this one), read from /proc. */
export function childProcesses(pid = process.pid): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may hold spaces and parentheses, so split after the last ')'.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return out.sort((a, b) => a - b);
}

/** Resolves once something accepts TCP connections on the port, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Daemon {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a server in the foreground with its output in `logFile`; `stop` kills it by its own PID. */
export function startDaemon(command: string, args: string[], logFile: string): Daemon {
  const out = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', out, out] });
  child.on('error', () => {});
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
