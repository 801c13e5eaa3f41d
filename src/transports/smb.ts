// The `smb` protocol, through Samba's own smbclient run as a child process: every npm SMB
// library failed here (no MD4 on Node 20, or no signing / encryption / SMB3, or corrupt reads).
// One smbclient per operation. The credentials are in an authentication file (mode 0600, in a
// private folder that close() removes), never on the command line, where `ps` would show them.

import { lookup } from 'node:dns/promises';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ImportConfig } from '../config.js';
import { readSecret } from '../config/secrets.js';
import { FramError } from '../errors.js';
import {
  findStatus, isConnectLine, isRegularFile, parseGetSize, parseLs, splitDirectory, statusKind,
  unsafeNameReason, unsafePathReason,
} from './smb-parse.js';
import { runSmbclient, type RunResult, type Running } from './smb-run.js';
import { TargetExistsError, type ConnectOptions, type Opener, type RemoteFile, type Transport } from './transport.js';

export { onSmbclientSpawn } from './smb-run.js';

const DEFAULT_PORT = 445;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// smbclient reads this instead of /etc/samba/smb.conf, so that the machine's Samba set-up cannot
// change what it does. SMB2 or newer; signing and encryption whenever the server requires them.
const CLIENT_CONF = `[global]
  client min protocol = SMB2_02
  client max protocol = SMB3
  client signing = if_required
  client smb encrypt = if_required
  client use kerberos = off
  unix charset = UTF-8
  name resolve order = host
`;

type Op = 'open' | 'list' | 'download' | 'rename';

export const openSmb: Opener = async (imp: ImportConfig, opts: ConnectOptions): Promise<Transport> => {
  const host = imp.host ?? '';
  const port = imp.port ?? DEFAULT_PORT;
  const username = imp.username ?? '';
  const user = imp.domain ? `${imp.domain}\\${username}` : username;
  const directory = imp.directory;

  if (!host || /[\s/\\"\u0000-\u001f\u007f]/.test(host) || host.startsWith('-')) {
    throw new FramError(5001, { host: host || '(none)', reason: 'the host is missing or not a host name or address' });
  }
  if (!imp.password) throw new FramError(5002, { user }, { cause: new Error('no password is configured') });
  let password: string;
  try {
    password = readSecret(imp.password, opts.env);
  } catch (e) {
    throw new FramError(5002, { user }, { cause: e });
  }
  const credentialProblem = checkCredentials(username, imp.domain, password);
  if (credentialProblem) throw new FramError(5002, { user }, { cause: new Error(credentialProblem) });

  let location: ReturnType<typeof splitDirectory>;
  try {
    const pathProblem = unsafePathReason(directory);
    if (pathProblem) throw new Error(`the directory cannot be used: ${pathProblem}`);
    location = splitDirectory(directory);
    if (/["/\\[\]:|<>+=;,?*]/.test(location.share)) throw new Error(`'${location.share}' is not a valid share name`);
  } catch (e) {
    throw new FramError(5003, { directory }, { cause: e });
  }

  const address = await resolveHost(host, opts.connectTimeoutMs);
  const privateDir = await mkdtemp(path.join(tmpdir(), 'fram-smbclient-'));
  const authFile = path.join(privateDir, 'auth');
  const confFile = path.join(privateDir, 'smb.conf');
  try {
    // mkdtemp makes the folder 0700; `wx` refuses a file someone managed to put there first.
    const domainLine = imp.domain ? `domain = ${imp.domain}\n` : '';
    await writeFile(authFile, `username = ${username}\npassword = ${password}\n${domainLine}`, { mode: 0o600, flag: 'wx' });
    await writeFile(confFile, CLIENT_CONF, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    await rm(privateDir, { recursive: true, force: true });
    throw e;
  }

  // Only what smbclient needs: nothing else of the daemon's environment (secrets, PASSWD, KRB5*) reaches it.
  const env: NodeJS.ProcessEnv = { PATH: opts.env.PATH ?? DEFAULT_PATH, TZ: 'UTC', LC_ALL: 'C', LANG: 'C', HOME: privateDir };
  const baseArgs = [
    `//${host}/${location.share}`, '-I', address, '-p', String(port), '-A', authFile, '-s', confFile,
    '-t', String(Math.max(1, Math.ceil(opts.idleTimeoutMs / 1000))),
    ...(location.folder ? ['-D', location.folder] : []),
  ];
  const running = new Set<Running>();
  let closing: Promise<void> | null = null;

  const scrub = (text: string) => (password ? text.split(password).join('***') : text);

  const run = async (command: string, growing?: string): Promise<RunResult> => {
    if (closing) throw new Error('the smb connection is closed');
    const r = runSmbclient([...baseArgs, '-c', command], env, {
      firstMs: opts.connectTimeoutMs + opts.idleTimeoutMs,
      idleMs: opts.idleTimeoutMs,
      ...(growing ? { growing } : {}),
    });
    running.add(r);
    try {
      const result = await r.done;
      return { ...result, stdout: scrub(result.stdout), stderr: scrub(result.stderr) };
    } finally {
      running.delete(r);
    }
  };

  /** The error for a failed run, from smbclient's NT_STATUS word and the step it failed at. */
  const failure = (op: Op, r: RunResult, file = '', target = ''): Error => {
    const output = `${r.stdout}\n${r.stderr}`.trim();
    const ended = r.killedFor ? `was stopped: ${r.killedFor}` : r.signal ? `was ended by ${r.signal}` : `exited with code ${r.code}`;
    const cause = new Error(`smbclient (${op}) ${ended}${output ? `: ${output}` : ''}`,
      r.spawnError ? { cause: r.spawnError } : undefined);
    const opError = (reason: string) =>
      op === 'download' ? new FramError(5010, { file, reason }, { cause })
      : op === 'rename' ? new FramError(5007, { file, target, reason }, { cause })
      : new FramError(5001, { host, reason }, { cause });

    if (r.spawnError) {
      const reason = r.spawnError.code === 'ENOENT' ? 'smbclient is not installed (Debian package smbclient)' : `smbclient could not start (${r.spawnError.code})`;
      return new FramError(5001, { host, reason }, { cause });
    }
    if (r.killedFor) return new FramError(5001, { host, reason: r.killedFor }, { cause });
    const found = findStatus(output);
    // The server going away mid-transfer can end smbclient by SIGPIPE before it prints a status.
    if (!found && r.signal === 'SIGPIPE') return new FramError(5001, { host, reason: 'connection lost (smbclient got SIGPIPE)' }, { cause });
    if (!found && r.signal) return opError(`smbclient was ended by ${r.signal}`);
    if (!found) return opError(output.split('\n')[0] || `smbclient exited with code ${r.code}`);
    const { status, line } = found;
    switch (statusKind(status)) {
      case 'auth': return new FramError(5002, { user }, { cause });
      case 'network': return new FramError(5001, { host, reason: `${networkReason(status)} (${status})` }, { cause });
      case 'share': return new FramError(5003, { directory }, { cause });
      case 'denied': return new FramError(5015, { reason: line }, { cause });
      case 'collision': return op === 'rename' ? new TargetExistsError(target) : opError(line);
      case 'not-found':
        if (isConnectLine(line) || op === 'open' || op === 'list') return new FramError(5003, { directory }, { cause });
        return opError(`not found on the server (${status})`);
      default:
        return isConnectLine(line) ? new FramError(5001, { host, reason: line }, { cause }) : opError(line);
    }
  };

  const list = async (op: Op): Promise<RemoteFile[]> => {
    const r = await run('ls');
    if (r.code !== 0) throw failure(op, r);
    return parseLs(r.stdout)
      .filter(isRegularFile)
      .map((e) => ({ name: e.name, size: e.size, mtime: e.mtime }));
  };

  const transport: Transport = {
    peer: null,
    list: () => list('list'),
    async download(name, localPath) {
      const local = path.resolve(localPath);
      const localProblem = unsafePathReason(local);
      const problem = unsafeNameReason(name) ?? (localProblem && `the local path: ${localProblem}`);
      if (problem) throw new FramError(5010, { file: name, reason: `refused: ${problem}` });
      const r = await run(`get "${name}" "${local}"`, local);
      const said = parseGetSize(`${r.stderr}\n${r.stdout}`, local);
      // smbclient prints `getting file ... of size N` only for a finished get.
      if (r.code !== 0 || (said === null && findStatus(`${r.stdout}\n${r.stderr}`))) throw failure('download', r, name);
      let bytes: number;
      try {
        bytes = (await stat(local)).size;
      } catch (e) {
        throw new FramError(5010, { file: name, reason: 'smbclient left no local file' }, { cause: e });
      }
      if (said !== null && said !== bytes) throw new FramError(5006, { file: name, got: bytes, expected: said });
      return bytes;
    },
    async rename(from, to) {
      const problem = unsafeNameReason(from) ?? unsafeNameReason(to);
      if (problem) throw new FramError(5007, { file: from, target: to, reason: `refused: ${problem}` });
      // Plain `rename` refuses an existing target (NT_STATUS_OBJECT_NAME_COLLISION); `rename -f` would replace it.
      const r = await run(`rename "${from}" "${to}"`);
      if (r.code !== 0) throw failure('rename', r, from, to);
    },
    close() {
      closing ??= (async () => {
        for (const r of running) r.stop('the connection was closed');
        await Promise.all([...running].map((r) => r.done));
        await rm(privateDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };

  try {
    await list('open');
  } catch (e) {
    await transport.close();
    throw e;
  }
  return transport;
};

/** Why these credentials cannot go into smbclient's authentication file, or null. Never shows the password. */
function checkCredentials(username: string, domain: string | undefined, password: string): string | null {
  if (!username || /[\u0000-\u001f\u007f%]/.test(username) || /^\s/.test(username)) return 'the username is empty or holds a control character or %';
  if (domain !== undefined && (/[\u0000-\u001f\u007f]/.test(domain) || /^\s/.test(domain))) return 'the domain holds a control character';
  // smbclient's authentication file is read line by line and loses white space after `=`.
  if (/[\r\n\u0000]/.test(password)) return 'the password holds a line break or NUL, which smbclient cannot be given';
  if (/^[ \t]/.test(password)) return 'the password starts with white space, which smbclient cannot be given';
  return null;
}

async function resolveHost(host: string, timeoutMs: number): Promise<string> {
  if (isIP(host)) return host;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('lookup timed out'), { code: 'ETIMEOUT' })), timeoutMs);
    });
    const { address } = await Promise.race([lookup(host), timeout]);
    return address;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new FramError(5001, { host, reason: `name resolution failed (${code})` }, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

function networkReason(status: string): string {
  switch (status) {
    case 'NT_STATUS_CONNECTION_REFUSED': return 'connection refused';
    case 'NT_STATUS_HOST_UNREACHABLE': return 'host unreachable';
    case 'NT_STATUS_NETWORK_UNREACHABLE': return 'network unreachable';
    case 'NT_STATUS_PORT_UNREACHABLE': return 'port unreachable';
    case 'NT_STATUS_IO_TIMEOUT': return 'timed out';
    default: return 'connection lost';
  }
}
