// vsftpd test servers for FTPS, implicit or explicit TLS, one per call, each in its own temp folder
// with a throw-away certificate. Plain Node (no vitest), so the transport benchmark can use them.

import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  freePort,
  isFree,
  makeTempDir,
  PASSWORD_ENV,
  putAs,
  startDaemon,
  userInfo,
  waitForPort,
  type TestServer,
} from './common.js';

export const FTPS_USER = 'framftp';

export interface FtpsServerOptions {
  password: string;
  mode: 'implicit' | 'explicit';
  /** vsftpd's `local_max_rate`, bytes per second, to slow downloads down (0 or absent: unlimited). */
  maxRate?: number;
}

export interface FtpsTestServer extends TestServer {
  protocol: 'ftps';
  mode: 'implicit' | 'explicit';
  port: number;
  /** The server certificate (PEM), usable as an import's `caFile`. */
  certFile: string;
  /** SHA-256 of the certificate's DER: lower-case hex, no colons (as `certSha256` is stored). */
  fingerprint: string;
  /** The instance's root folder (root-owned, the FTP user's chroot). */
  rootDir: string;
  /** vsftpd and its session processes, the listener first. */
  pids(): number[];
  /** Sends a signal to vsftpd and every session process (e.g. SIGSTOP to freeze it, SIGKILL to drop it). */
  signal(sig: NodeJS.Signals): void;
}

/** Kept out of the server object, so that printing a server never shows the password. */
const passwords = new WeakMap<FtpsTestServer, string>();

/** The pids of `pid`'s descendants, read from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

/** Free ports for the passive range: `count` consecutive ones, each checked. */
async function freePortRange(count: number): Promise<[number, number]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await freePort();
    if (first + count > 65535) continue;
    let ok = true;
    for (let p = first + 1; p < first + count && ok; p++) ok = await isFree(p);
    if (ok) return [first, first + count - 1];
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

export async function startFtpsServer(opts: FtpsServerOptions): Promise<FtpsTestServer> {
  const user = userInfo(FTPS_USER);
  const dir = makeTempDir(`ftps-${opts.mode}`);
  // The chroot below must be reachable by the FTP user: the temp folder is 0700 when made.
  chmodSync(dir, 0o755);

  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'pipe' },
  );
  chmodSync(keyFile, 0o600);
  const fingerprint = new X509Certificate(readFileSync(certFile)).fingerprint256.replace(/:/g, '').toLowerCase();

  // vsftpd refuses a chroot the user can write to: a root-owned 755 root with a writable imports/.
  const rootDir = path.join(dir, 'root');
  const dropDir = path.join(rootDir, 'imports');
  const emptyDir = path.join(dir, 'empty');
  mkdirSync(rootDir, { mode: 0o755 });
  mkdirSync(dropDir, { mode: 0o755 });
  mkdirSync(emptyDir, { mode: 0o755 });
  chmodSync(rootDir, 0o755);
  chownSync(dropDir, user.uid, user.gid);

  const userList = path.join(dir, 'user_list');
  writeFileSync(userList, `${FTPS_USER}\n`);

  const port = await freePort();
  const [pasvMin, pasvMax] = await freePortRange(4);
  const cfg = path.join(dir, 'vsftpd.conf');
  const lines = [
    'background=NO',
    'listen=YES',
    'listen_ipv6=NO',
    'listen_address=127.0.0.1',
    `listen_port=${port}`,
    'anonymous_enable=NO',
    'local_enable=YES',
    'write_enable=YES',
    'local_umask=022',
    'userlist_enable=YES',
    'userlist_deny=NO',
    `userlist_file=${userList}`,
    'chroot_local_user=YES',
    `local_root=${rootDir}`,
    `secure_chroot_dir=${emptyDir}`,
    'pam_service_name=vsftpd',
    'pasv_enable=YES',
    `pasv_min_port=${pasvMin}`,
    `pasv_max_port=${pasvMax}`,
    'pasv_address=127.0.0.1',
    'ssl_enable=YES',
    `implicit_ssl=${opts.mode === 'implicit' ? 'YES' : 'NO'}`,
    `rsa_cert_file=${certFile}`,
    `rsa_private_key_file=${keyFile}`,
    'force_local_logins_ssl=YES',
    'force_local_data_ssl=YES',
    'require_ssl_reuse=YES',
    'ssl_ciphers=HIGH',
    'seccomp_sandbox=NO',
    'xferlog_enable=YES',
    `vsftpd_log_file=${path.join(dir, 'vsftpd.log')}`,
    'log_ftp_protocol=YES',
    'dual_log_enable=NO',
    'syslog_enable=NO',
    ...(opts.maxRate ? [`local_max_rate=${opts.maxRate}`] : []),
  ];
  writeFileSync(cfg, `${lines.join('\n')}\n`, { mode: 0o600 });

  const daemon = startDaemon('vsftpd', [cfg], path.join(dir, 'daemon.log'));
  try {
    await waitForPort(port);
  } catch (e) {
    await daemon.stop();
    const log = (() => {
      try {
        return readFileSync(path.join(dir, 'daemon.log'), 'utf8');
      } catch {
        return '';
      }
    })();
    throw new Error(`vsftpd (${opts.mode}) did not start: ${(e as Error).message}\n${log}`, { cause: e });
  }

  const pids = () => {
    const pid = daemon.child.pid;
    if (pid === undefined || daemon.child.exitCode !== null || daemon.child.signalCode !== null) return [];
    return [pid, ...descendants(pid)];
  };
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of pids()) {
      try {
        process.kill(pid, sig);
      } catch {
        // Already gone.
      }
    }
  };

  const server: FtpsTestServer = {
    protocol: 'ftps',
    label: `ftps (${opts.mode})`,
    mode: opts.mode,
    port,
    importFields: {
      protocol: 'ftps',
      ftpsMode: opts.mode,
      host: '127.0.0.1',
      port,
      username: FTPS_USER,
      password: { env: PASSWORD_ENV },
      directory: 'imports',
      caFile: certFile,
    },
    dropDir,
    certFile,
    fingerprint,
    rootDir,
    put(name, data) {
      putAs(user, path.join(dropDir, name), data);
    },
    pids,
    signal,
    async stop() {
      // Session processes first (by their own pids), then the listener; a frozen one is woken so it can die.
      const sessions = pids().slice(1);
      for (const pid of sessions) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      if (daemon.child.pid !== undefined) {
        try {
          process.kill(daemon.child.pid, 'SIGCONT');
        } catch {
          // Already gone.
        }
      }
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  passwords.set(server, opts.password);
  return server;
}

/** Quotes a value for a curl config file. */
function curlQuote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Downloads `imports/<name>` with curl, the baseline our transport is measured against. The
 * credentials reach curl as a config on its stdin (`-K -`), never on its command line.
 */
export async function ftpsBaselineDownload(server: FtpsTestServer, name: string, localPath: string): Promise<void> {
  const password = passwords.get(server);
  if (password === undefined) throw new Error('not a server started by startFtpsServer');
  const url =
    server.mode === 'implicit'
      ? `ftps://127.0.0.1:${server.port}/imports/${encodeURIComponent(name)}`
      : `ftp://127.0.0.1:${server.port}/imports/${encodeURIComponent(name)}`;
  const args = ['--silent', '--show-error', '--fail', '-K', '-', '--cacert', server.certFile, '-o', localPath, url];
  if (server.mode === 'explicit') args.unshift('--ssl-reqd');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('curl', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl exited with ${code}: ${stderr.trim()}`))));
    child.stdin.end(`user = ${curlQuote(`${FTPS_USER}:${password}`)}\n`);
  });
}
