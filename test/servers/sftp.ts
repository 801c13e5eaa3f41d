// An OpenSSH server (internal-sftp) on loopback for the SFTP transport's tests and benchmark.
// Plain Node (no vitest). Each server has its own temporary folder (config, host key, client
// keys, log) and its own import folders under the test users' homes, so test files that run
// at the same time never share files.

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  PASSWORD_ENV,
  ensureUser,
  freePort,
  makeTempDir,
  putAs,
  startDaemon,
  userInfo,
  waitForPort,
  type TestServer,
  type TestUser,
} from './common.js';

/** The users that global-setup creates: one logs in by password, one by key. */
export const SFTP_PASSWORD_USER = 'framsftp';
export const SFTP_KEY_USER = 'framkey';

/** The key-login side of a server: user `framkey`, its own import folder. */
export interface SftpKeyLogin {
  username: string;
  /** An ed25519 private key without a passphrase (OpenSSH format). */
  privateKeyFile: string;
  /** The same kind of key, encrypted with the passphrase the server was started with. */
  encryptedKeyFile: string;
  /** `directory` of an import, relative to the user's home. */
  directory: string;
  dropDir: string;
  /** Import fields for key login; the passphrase, when given, as `{ env: PASSWORD_ENV }`. */
  importFields(keyFile: string, withPassphrase?: boolean): Record<string, unknown>;
  put(name: string, data: string | Buffer): void;
}

export interface SftpTestServer extends TestServer {
  protocol: 'sftp';
  port: number;
  /** The host's public key file (`ssh-keygen -lf` of it prints `fingerprint`). */
  hostPublicKeyFile: string;
  key: SftpKeyLogin;
  /** PIDs of the per-connection sshd processes (descendants of the listener). */
  sessionPids(): number[];
  /** Sends a signal to every session process (e.g. SIGSTOP to make the server hang). */
  signalSessions(signal: NodeJS.Signals): void;
}

/**
 * Starts `sshd -D` on a free loopback port. The system users must exist (global-setup makes
 * them); a user that does not is created with `password`. An existing user's password is left
 * alone, so that a benchmark never changes what a running test session set.
 */
export async function startSftpServer(opts: { password: string }): Promise<SftpTestServer> {
  const users = [SFTP_PASSWORD_USER, SFTP_KEY_USER].map((name) => existingUser(name) ?? ensureUser(name, opts.password));
  const [pwUser, keyUser] = users;
  const tmp = makeTempDir('sftp');
  // sshd reads AuthorizedKeysFile as the user, so the folder must be traversable.
  chmodSync(tmp, 0o755);

  const hostKey = path.join(tmp, 'host_ed25519');
  keygen(hostKey, '');
  const fingerprint = fingerprintOf(`${hostKey}.pub`);

  const clientKey = path.join(tmp, 'client_ed25519');
  const encryptedKey = path.join(tmp, 'client_ed25519_enc');
  keygen(clientKey, '');
  keygen(encryptedKey, opts.password);
  const authorizedKeys = path.join(tmp, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${clientKey}.pub`, 'utf8') + readFileSync(`${encryptedKey}.pub`, 'utf8'));
  chmodSync(authorizedKeys, 0o644);

  const tag = `fram-${randomBytes(4).toString('hex')}`;
  const pwDrop = makeDropDir(pwUser, tag);
  const keyDrop = makeDropDir(keyUser, tag);
  const directory = `${tag}/outbound`;

  const port = await freePort();
  const config = path.join(tmp, 'sshd_config');
  const log = path.join(tmp, 'sshd.log');
  writeFileSync(
    config,
    [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${path.join(tmp, 'sshd.pid')}`,
      `UsePAM no`,
      `PasswordAuthentication yes`,
      `KbdInteractiveAuthentication no`,
      `PubkeyAuthentication yes`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      // The authorized_keys file lives under /tmp (mode 1777), which StrictModes refuses.
      `StrictModes no`,
      `AllowUsers ${SFTP_PASSWORD_USER} ${SFTP_KEY_USER}`,
      `Subsystem sftp internal-sftp`,
      `ForceCommand internal-sftp`,
      `AllowTcpForwarding no`,
      `X11Forwarding no`,
      `LogLevel VERBOSE`,
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });
  const daemon = startDaemon('/usr/sbin/sshd', ['-D', '-f', config, '-E', log], path.join(tmp, 'sshd.out'));
  try {
    await waitForPort(port);
  } catch (e) {
    await daemon.stop();
    const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '(no log)';
    throw new Error(`sshd did not start: ${(e as Error).message}\n${tail}`, { cause: e });
  }

  const sessionPids = () => (daemon.child.pid ? descendants(daemon.child.pid) : []);
  const signalSessions = (signal: NodeJS.Signals) => {
    for (const pid of sessionPids()) {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  };

  return {
    protocol: 'sftp',
    label: 'sftp (OpenSSH)',
    port,
    importFields: {
      protocol: 'sftp',
      host: '127.0.0.1',
      port,
      username: SFTP_PASSWORD_USER,
      password: { env: PASSWORD_ENV },
      directory,
      hostKeySha256: fingerprint,
    },
    dropDir: pwDrop,
    fingerprint,
    hostPublicKeyFile: `${hostKey}.pub`,
    put: (name, data) => putAs(pwUser, path.join(pwDrop, name), data),
    key: {
      username: SFTP_KEY_USER,
      privateKeyFile: clientKey,
      encryptedKeyFile: encryptedKey,
      directory,
      dropDir: keyDrop,
      importFields: (keyFile, withPassphrase = false) => ({
        protocol: 'sftp',
        host: '127.0.0.1',
        port,
        username: SFTP_KEY_USER,
        privateKey: { file: keyFile },
        ...(withPassphrase ? { passphrase: { env: PASSWORD_ENV } } : {}),
        directory,
        hostKeySha256: fingerprint,
      }),
      put: (name, data) => putAs(keyUser, path.join(keyDrop, name), data),
    },
    sessionPids,
    signalSessions,
    async stop() {
      // The listener does not end its sessions when it stops, so end them first.
      signalSessions('SIGKILL');
      await daemon.stop();
      signalSessions('SIGKILL');
      for (const user of users) rmSync(path.join(user.home, tag), { recursive: true, force: true });
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * Downloads `name` from the key user's import folder with the OpenSSH `sftp` client in batch
 * mode: the baseline the transport benchmark compares with.
 */
export async function sftpBaselineDownload(server: SftpTestServer, name: string, localPath: string): Promise<void> {
  const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const batch = `get ${quote(`${server.key.directory}/${name}`)} ${quote(localPath)}\n`;
  const args = [
    '-b',
    '-',
    '-F',
    '/dev/null',
    '-i',
    server.key.privateKeyFile,
    '-P',
    String(server.port),
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'LogLevel=ERROR',
    `${server.key.username}@127.0.0.1`,
  ];
  await new Promise<void>((resolve, reject) => {
    const child = spawn('sftp', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sftp exited with ${code}: ${stderr.trim()}`))));
    child.stdin.end(batch);
  });
}

function existingUser(name: string): TestUser | null {
  try {
    return userInfo(name);
  } catch {
    return null;
  }
}

function keygen(file: string, passphrase: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'fram-test', '-f', file], { stdio: 'pipe' });
}

/** `SHA256:<base64>` as `ssh-keygen -lf` prints it. */
export function fingerprintOf(publicKeyFile: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyFile], { encoding: 'utf8' });
  const m = /SHA256:[A-Za-z0-9+/]+/.exec(out);
  if (!m) throw new Error(`no fingerprint in: ${out}`);
  return m[0];
}

/** `~user/<tag>/outbound`, owned by the user. */
function makeDropDir(user: TestUser, tag: string): string {
  const top = path.join(user.home, tag);
  const drop = path.join(top, 'outbound');
  mkdirSync(drop, { recursive: true });
  for (const dir of [top, drop]) {
    chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o755);
  }
  return drop;
}

/** Every process below `root`, found through /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid ...; comm may contain spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}
