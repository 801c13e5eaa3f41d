// The `smb` protocol, through Samba's own smbclient run as a child process: every npm SMB
// library failed here (no MD4 on Node 20, or no signing / encryption / SMB3, or corrupt reads).
// One smbclient per operation. The credentials are in an authentication file (mode 0600, in a
// private 0700 folder in the daemon's staging that close(), every failure and the stop signal
// remove), never on the command line, where `ps` would show them. Downloads come through
// smbclient's standard output, so the byte cap is ours to enforce.

import { lookup } from 'node:dns/promises';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { FramError, localFailure, unexpected } from '../errors.js';
import {
  checkCredentials,
  findStatus,
  isConnectLine,
  isRegularFile,
  networkDetail,
  networkReason,
  parseGetSize,
  parseLs,
  splitDirectory,
  statusKind,
  unsafeNameReason,
  unsafePathReason,
  type LsEntry,
} from './smb-parse.js';
import { runSmbclient, type RunResult, type Running } from './smb-run.js';
import { eitherSignal, interrupted, openCappedFile, oversize, whenAborted } from './transfer.js';
import { smbBranch, smbConfig, SMB_PORT, type SmbConfig } from './smb-config.js';
import {
  CLIENT_DIR_PREFIX,
  TargetExistsError,
  type Opener,
  type RemoteFile,
  type TransportDef,
  type Transport,
} from './transport.js';

export { onSmbclientSpawn } from './smb-run.js';

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

/**
 * The name of the private folder each connection makes (`<prefix><random>`) for smbclient's
 * authentication file and conf, in `ConnectOptions.workDir` (else the system's temporary folder).
 * The daemon's staging sweep removes the ones that dead processes left.
 */
export const SMBCLIENT_DIR_PREFIX = CLIENT_DIR_PREFIX;

const STOPPED = 'the process is stopping';

export const openSmb: Opener<SmbConfig> = async (imp, secrets, opts): Promise<Transport> => {
  if (opts.signal?.aborted) throw interrupted();
  const host = imp.host ?? '';
  const port = imp.port ?? SMB_PORT;
  const username = imp.username ?? '';
  const user = imp.domain ? `${imp.domain}\\${username}` : username;
  const directory = imp.directory;

  if (!host || /[\s/\\"\u0000-\u001f\u007f]/.test(host) || host.startsWith('-')) {
    throw new FramError(5001, { host: host || '(none)', reason: 'the host is missing or not a host name or address' });
  }
  // A missing or unreadable secret was its own error (5017), named by the caller's readSecret.
  const password = secrets.password;
  if (password === undefined) throw new FramError(5002, { user }, { cause: new Error('no password is configured') });
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

  const address = await resolveHost(host, opts.connectTimeoutMs, opts.signal);
  const workDir = opts.workDir ?? tmpdir();
  let privateDir: string;
  try {
    // mkdtemp makes the folder 0700.
    privateDir = await mkdtemp(path.join(workDir, SMBCLIENT_DIR_PREFIX));
  } catch (e) {
    throw localFailure(e, workDir, "creating smbclient's private folder");
  }
  const authFile = path.join(privateDir, 'auth');
  const confFile = path.join(privateDir, 'smb.conf');

  // Only what smbclient needs: nothing else of the daemon's environment (secrets, PASSWD, KRB5*) reaches it.
  const env: NodeJS.ProcessEnv = { PATH: opts.searchPath ?? DEFAULT_PATH, TZ: 'UTC', LC_ALL: 'C', LANG: 'C', HOME: privateDir };
  const baseArgs = [
    `//${host}/${location.share}`,
    '-I',
    address,
    '-p',
    String(port),
    '-A',
    authFile,
    '-s',
    confFile,
    '-t',
    String(Math.max(1, Math.ceil(opts.idleTimeoutMs / 1000))),
    ...(location.folder ? ['-D', location.folder] : []),
  ];
  const running = new Set<Running>();
  let closing: Promise<void> | null = null;
  /** Stopping ends the running smbclient and removes the folder with the password at once. */
  let stopRemoving = () => {};
  const listed = new Map<string, number>();

  const scrub = (text: string) => (password ? text.split(password).join('***') : text);

  /** Runs one smbclient command; `stop` (else the connection's signal) kills it and rejects with 5014. */
  const run = async (command: string, extra: { output?: Writable; stop?: AbortSignal } = {}): Promise<RunResult> => {
    const stop = extra.stop ?? opts.signal;
    if (stop?.aborted) throw interrupted();
    if (closing) throw new Error('the smb connection is closed');
    // The staging sweep removes client folders that look abandoned (old): this one is in use.
    const now = new Date();
    await utimes(privateDir, now, now).catch(() => {});
    if (closing) throw new Error('the smb connection is closed');
    // -E: with standard output carrying a download, every message goes to standard error.
    const r = runSmbclient([...baseArgs, ...(extra.output ? ['-E'] : []), '-c', command], env, {
      firstMs: opts.connectTimeoutMs + opts.idleTimeoutMs,
      idleMs: opts.idleTimeoutMs,
      ...(extra.output ? { output: extra.output } : {}),
    });
    running.add(r);
    const stopListening = whenAborted(stop, () => r.stop(STOPPED));
    // The local file refused more (past the cap, or the disk failed): end the transfer now.
    extra.output?.once('error', () => r.stop('the local file refused more data'));
    try {
      const result = await r.done;
      if (stop?.aborted) {
        // close() may have begun during the await: read the variable again, not as narrowed above.
        const ending = closing as Promise<void> | null;
        if (ending) await ending;
        throw interrupted();
      }
      return { ...result, stdout: scrub(result.stdout), stderr: scrub(result.stderr) };
    } finally {
      stopListening();
      running.delete(r);
    }
  };

  /** The error for a failed run, from smbclient's NT_STATUS word and the step it failed at. */
  const failure = (op: Op, r: RunResult, file = '', target = ''): Error => {
    const output = `${r.stdout}\n${r.stderr}`.trim();
    const ended = r.killedFor
      ? `was stopped: ${r.killedFor}`
      : r.signal
        ? `was ended by ${r.signal}`
        : `exited with code ${r.code}`;
    const cause = new Error(
      `smbclient (${op}) ${ended}${output ? `: ${output}` : ''}`,
      r.spawnError ? { cause: r.spawnError } : undefined,
    );
    const lost = (reason: string, detail?: string) =>
      new FramError(5001, { host, reason }, { cause, ...(detail ? { detail } : {}) });
    /** The server refused the operation with a status we have no better word for. */
    const refused = (reason: string) =>
      op === 'download'
        ? new FramError(5010, { file, reason }, { cause })
        : op === 'rename'
          ? new FramError(5007, { file, target, reason }, { cause })
          : unexpected(cause, `listing '${directory}' on ${host}`);

    if (r.spawnError) {
      const reason =
        r.spawnError.code === 'ENOENT'
          ? 'smbclient is not installed (Debian package smbclient)'
          : `it could not start (${r.spawnError.code})`;
      return new FramError(5021, { doing: 'starting smbclient', reason }, { cause });
    }
    if (r.killedFor) return lost(r.killedFor, r.timedOut ? 'timeout' : undefined);
    const found = findStatus(output);
    // The server going away mid-transfer can end smbclient by SIGPIPE before it prints a status.
    if (!found && r.signal === 'SIGPIPE') return lost('connection lost (smbclient got SIGPIPE)', 'lost');
    if (!found) return unexpected(cause, `running smbclient (${op})`);
    const { status, line } = found;
    switch (statusKind(status)) {
      case 'auth':
        return new FramError(5002, { user }, { cause });
      case 'network':
        return lost(`${networkReason(status)} (${status})`, networkDetail(status));
      case 'share':
        return new FramError(5003, { directory }, { cause });
      case 'denied':
        return new FramError(5015, { reason: line }, { cause });
      case 'collision':
        return op === 'rename' ? new TargetExistsError(target) : refused(line);
      case 'not-found':
        if (isConnectLine(line) || op === 'open' || op === 'list') return new FramError(5003, { directory }, { cause });
        return refused(`not found on the server (${status})`);
      default:
        return isConnectLine(line) ? lost(line) : refused(line);
    }
  };

  const list = async (op: Op): Promise<RemoteFile[]> => {
    const r = await run('ls');
    if (r.code !== 0) throw failure(op, r);
    let entries: LsEntry[];
    try {
      entries = parseLs(r.stdout);
    } catch (e) {
      throw unexpected(e, `reading smbclient's listing of '${directory}'`);
    }
    const files = entries.filter(isRegularFile).map((e): RemoteFile => {
      // smbclient's command line cannot carry every name: such a file is reported on its own (5016).
      const unsafe = unsafeNameReason(e.name);
      return { name: e.name, size: e.size, mtime: e.mtime, ...(unsafe ? { unsafe } : {}) };
    });
    listed.clear();
    for (const f of files) listed.set(f.name, f.size);
    return files;
  };

  /** A name that cannot go into a smbclient command (list() marked it): refused before anything runs. */
  const refuseName = (name: string) => {
    const problem = unsafeNameReason(name);
    if (problem) throw new FramError(5016, { file: JSON.stringify(name).slice(1, -1), reason: problem });
  };

  const transport: Transport = {
    peer: null,
    list: () => list('list'),
    async download(name, localPath, { maxBytes, signal }) {
      refuseName(name);
      const stop = eitherSignal(opts.signal, signal);
      if (stop?.aborted) throw interrupted();
      const file = await openCappedFile(localPath, maxBytes, () => oversize(name, maxBytes, listed.get(name)));
      // `get <name> -` writes the file to standard output, which we count and write: smbclient
      // never touches the local file, and is killed the moment the cap is passed.
      let r: RunResult;
      try {
        r = await run(`get "${name}" -`, { output: file.input, ...(stop ? { stop } : {}) });
      } catch (e) {
        file.input.destroy(e as Error);
        await file.done.catch(() => {});
        throw e;
      }
      const written = await file.done.then(
        (bytes) => ({ bytes }),
        (error: unknown) => ({ error }),
      );
      // The file's own failure first: past the cap, or the disk.
      if ('error' in written) throw written.error;
      const said = parseGetSize(r.stderr, '-');
      // smbclient prints `getting file ... of size N` only for a finished get.
      if (r.code !== 0 || (said === null && findStatus(`${r.stdout}\n${r.stderr}`))) throw failure('download', r, name);
      if (said !== null && said !== written.bytes) throw new FramError(5006, { file: name, got: written.bytes, expected: said });
      return written.bytes;
    },
    async rename(from, to) {
      refuseName(from);
      refuseName(to);
      // Plain `rename` refuses an existing target (NT_STATUS_OBJECT_NAME_COLLISION); `rename -f` would replace it.
      const r = await run(`rename "${from}" "${to}"`);
      if (r.code !== 0) throw failure('rename', r, from, to);
    },
    close() {
      closing ??= (async () => {
        stopRemoving();
        for (const r of running) r.stop('the connection was closed');
        await Promise.all([...running].map((r) => r.done));
        await rm(privateDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
  try {
    // `wx` refuses a file someone managed to put there first.
    const domainLine = imp.domain ? `domain = ${imp.domain}\n` : '';
    await writeFile(authFile, `username = ${username}\npassword = ${password}\n${domainLine}`, { mode: 0o600, flag: 'wx' }).catch(
      (e: unknown) => {
        throw localFailure(e, authFile, "writing smbclient's authentication file");
      },
    );
    await writeFile(confFile, CLIENT_CONF, { mode: 0o600, flag: 'wx' }).catch((e: unknown) => {
      throw localFailure(e, confFile, "writing smbclient's conf");
    });
    stopRemoving = whenAborted(opts.signal, () => void transport.close());
    await list('open');
  } catch (e) {
    await transport.close();
    throw opts.signal?.aborted ? interrupted() : e;
  }
  return transport;
};

async function resolveHost(host: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<string> {
  if (isIP(host)) return host;
  let timer: NodeJS.Timeout | undefined;
  let stopListening = () => {};
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('lookup timed out'), { code: 'ETIMEOUT' })), timeoutMs);
    });
    const stopped = new Promise<never>((_, reject) => {
      stopListening = whenAborted(signal, () => reject(interrupted()));
    });
    const { address } = await Promise.race([lookup(host), timeout, stopped]);
    return address;
  } catch (e) {
    if (e instanceof FramError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new FramError(
      5001,
      { host, reason: `name resolution failed (${code})` },
      { cause: e, detail: code === 'ETIMEOUT' ? 'timeout' : 'dns' },
    );
  } finally {
    clearTimeout(timer);
    stopListening();
  }
}

export const smbTransport: TransportDef<SmbConfig, typeof smbBranch> = { ...smbConfig, open: openSmb };
