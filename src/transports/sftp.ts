// The `sftp` protocol: an SSH server's SFTP subsystem, through ssh2 (connected by
// ssh2-sftp-client). Every operation after the connect goes straight to ssh2's SFTP channel, so
// that status codes reach the error mapping intact and downloads can be pipelined.

import { createHash } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import type { ConnectConfig, FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { DEFAULT_PORTS, readSecret, type ImportConfig } from '../config.js';
import { FramError } from '../errors.js';
import { pumpToFile } from './sftp-download.js';
import { SFTP_STATUS, connectFailure, connectionLost, safeCause, seconds, type ConnectContext } from './sftp-errors.js';
import { TargetExistsError, type Opener, type RemoteFile, type Transport } from './transport.js';

/** `SHA256:<base64 without padding>` of the raw key blob: what `ssh-keygen -lf` prints. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** `a\b/c/` -> `a/b/c`, relative to the login folder; empty -> `.` (the login folder itself). */
export function remoteDirectory(directory: string): string {
  const parts = directory.split(/[/\\]+/).filter((p) => p !== '' && p !== '.');
  return parts.length > 0 ? parts.join('/') : '.';
}

interface Auth {
  config: Pick<ConnectConfig, 'password' | 'privateKey' | 'passphrase'>;
  secrets: string[];
}

function readAuth(imp: ImportConfig, env: NodeJS.ProcessEnv): Auth {
  const config: Auth['config'] = {};
  if (imp.password) config.password = readSecret(imp.password, env);
  if (imp.privateKey) {
    config.privateKey = readSecret(imp.privateKey, env);
    if (imp.passphrase) config.passphrase = readSecret(imp.passphrase, env);
  }
  if (!config.password && !config.privateKey) throw new Error(`import '${imp.name}': sftp needs a password or a privateKey`);
  const secrets = [config.password, config.passphrase, config.privateKey].filter((s): s is string => typeof s === 'string' && s !== '');
  return { config, secrets };
}

type Callback<T> = (err: Error | undefined | null, value: T) => void;

const statusOf = (e: unknown): unknown => (e as { code?: unknown })?.code;

export const openSftp: Opener = async (imp, opts) => {
  const host = imp.host ?? '';
  const user = imp.username ?? '';
  if (!host || !user) throw new Error(`import '${imp.name}': sftp needs a host and a username`);
  const auth = readAuth(imp, opts.env);
  const ctx: ConnectContext = { host, user, connectTimeoutMs: opts.connectTimeoutMs, secrets: auth.secrets };
  const dir = remoteDirectory(imp.directory);
  const pathOf = (name: string) => (dir === '.' ? name : `${dir}/${name}`);

  let fingerprint: string | null = null;
  let refused = false;
  let firstError: unknown;
  const gone = new AbortController();
  const client = new SftpClient('fram-import', { error: () => {}, end: () => {}, close: () => {} });
  client.on('error', (e: unknown) => { firstError ??= e; });
  client.on('close', () => gone.abort());
  // Our own socket, so that a stuck connection can always be destroyed.
  const sock = netConnect({ host, port: imp.port ?? DEFAULT_PORTS.sftp });
  const drop = () => { sock.destroy(); };

  const config: ConnectConfig = {
    sock,
    host,
    port: imp.port ?? DEFAULT_PORTS.sftp,
    username: user,
    ...auth.config,
    tryKeyboard: false,
    readyTimeout: opts.connectTimeoutMs,
    hostVerifier: (key: Buffer): boolean => {
      fingerprint = hostKeyFingerprint(key);
      const trusted = imp.insecureAcceptAnyHostKey || fingerprint === imp.hostKeySha256;
      refused = !trusted;
      return trusted;
    },
  };

  let closed = false;

  /** One SFTP request with the idle timeout: no answer in time drops the connection. */
  function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (closed || gone.signal.aborted) return reject(connectionLost(host, ctx.secrets));
      const timer = setTimeout(() => {
        drop();
        reject(new FramError(5001, { host, reason: `timed out after ${seconds(opts.idleTimeoutMs)} s without an answer` }));
      }, opts.idleTimeoutMs);
      fn((err, value) => {
        clearTimeout(timer);
        if (!err) return resolve(value);
        if (gone.signal.aborted || err.message === 'No response from server') return reject(connectionLost(host, ctx.secrets, err));
        reject(err);
      });
    });
  }

  let sftp: SFTPWrapper;
  let deadline: NodeJS.Timeout | undefined;
  try {
    const ready = (async () => {
      const channel = await client.connect(config).catch((e: unknown) => {
        if (refused && fingerprint) throw new FramError(5004, { fingerprint }, { cause: safeCause(firstError ?? e, ctx.secrets) });
        throw connectFailure(firstError ?? e, ctx);
      });
      channel.on('error', () => {}); // its pending requests fail on their own
      const stats = await new Promise<Stats>((resolve, reject) => channel.stat(dir, (err, s) => {
        if (!err) return resolve(s);
        reject(gone.signal.aborted || err.message === 'No response from server' ? connectionLost(host, ctx.secrets, err) : err);
      }));
      if (!stats.isDirectory()) throw new FramError(5003, { directory: imp.directory });
      return channel;
    })();
    const timeout = new Promise<never>((_, reject) => {
      deadline = setTimeout(() => reject(connectFailure(Object.assign(new Error('connect timed out'), { level: 'client-timeout' }), ctx)), opts.connectTimeoutMs);
    });
    sftp = await Promise.race([ready, timeout]).catch((e: unknown) => { throw directoryError(e, imp, ctx); });
  } catch (e) {
    drop();
    throw e;
  } finally {
    clearTimeout(deadline);
  }

  const transport: Transport = {
    peer: { kind: 'host key', fingerprint: fingerprint ?? '' },

    async list(): Promise<RemoteFile[]> {
      const entries = await call<FileEntryWithStats[]>((cb) => sftp.readdir(dir, cb)).catch((e: unknown) => {
        throw directoryError(e, imp, ctx);
      });
      return entries
        .filter((e) => e.attrs.isFile())
        .map((e) => ({ name: e.filename, size: e.attrs.size, mtime: new Date(e.attrs.mtime * 1000) }));
    },

    async download(name, localPath) {
      const handle = await call<Buffer>((cb) => sftp.open(pathOf(name), 'r', cb)).catch((e: unknown) => {
        throw fileError(e, name, ctx);
      });
      const closeHandle = () => call<void>((cb) => sftp.close(handle, cb));
      let bytes: number;
      try {
        bytes = await pumpToFile(sftp, handle, localPath, {
          idleTimeoutMs: opts.idleTimeoutMs,
          signal: gone.signal,
          stalled: () => {
            drop();
            return new FramError(5001, { host, reason: `timed out after ${seconds(opts.idleTimeoutMs)} s without data` });
          },
          lost: () => connectionLost(host, ctx.secrets),
          readError: (err) => (err.message === 'No response from server' ? connectionLost(host, ctx.secrets, err) : fileError(err, name, ctx)),
        });
      } catch (e) {
        if (!gone.signal.aborted) await closeHandle().catch(() => {});
        throw e;
      }
      await closeHandle().catch((e: unknown) => { throw fileError(e, name, ctx); });
      return bytes;
    },

    async rename(from, to) {
      const taken = async (): Promise<boolean> => {
        try {
          await call<Stats>((cb) => sftp.stat(pathOf(to), cb));
          return true;
        } catch (e) {
          if (statusOf(e) === SFTP_STATUS.NO_SUCH_FILE) return false;
          throw renameError(e, from, to, imp, ctx);
        }
      };
      if (await taken()) throw new TargetExistsError(to);
      try {
        // Plain SSH_FXP_RENAME: OpenSSH links the new name and refuses an existing one.
        await call<void>((cb) => sftp.rename(pathOf(from), pathOf(to), cb));
      } catch (e) {
        if (statusOf(e) === SFTP_STATUS.FAILURE && (await taken())) throw new TargetExistsError(to);
        throw renameError(e, from, to, imp, ctx);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      if (!gone.signal.aborted) {
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([
          client.end().catch(() => false),
          new Promise((r) => { grace = setTimeout(r, Math.min(2_000, opts.idleTimeoutMs)); }),
        ]);
        clearTimeout(grace);
      }
      drop();
    },
  };
  return transport;
};

function messageOf(e: unknown, ctx: ConnectContext): string {
  return safeCause(e, ctx.secrets).message;
}

function directoryError(e: unknown, imp: ImportConfig, ctx: ConnectContext): Error {
  if (e instanceof FramError) return e;
  const cause = { cause: safeCause(e, ctx.secrets) };
  if (statusOf(e) === SFTP_STATUS.NO_SUCH_FILE) return new FramError(5003, { directory: imp.directory }, cause);
  if (statusOf(e) === SFTP_STATUS.PERMISSION_DENIED) {
    return new FramError(5015, { reason: `user ${ctx.user} may not read directory '${imp.directory}' on ${ctx.host}` }, cause);
  }
  return new Error(`listing '${imp.directory}' on ${ctx.host} failed: ${messageOf(e, ctx)}`, cause);
}

function fileError(e: unknown, name: string, ctx: ConnectContext): Error {
  if (e instanceof FramError) return e;
  const cause = { cause: safeCause(e, ctx.secrets) };
  if (statusOf(e) === SFTP_STATUS.PERMISSION_DENIED) return new FramError(5015, { reason: `user ${ctx.user} may not read '${name}' on ${ctx.host}` }, cause);
  if (statusOf(e) === SFTP_STATUS.NO_SUCH_FILE) return new FramError(5010, { file: name, reason: 'it is no longer on the server' }, cause);
  return new FramError(5010, { file: name, reason: messageOf(e, ctx) }, cause);
}

function renameError(e: unknown, from: string, to: string, imp: ImportConfig, ctx: ConnectContext): Error {
  if (e instanceof FramError || e instanceof TargetExistsError) return e;
  const cause = { cause: safeCause(e, ctx.secrets) };
  if (statusOf(e) === SFTP_STATUS.PERMISSION_DENIED) {
    return new FramError(5015, { reason: `user ${ctx.user} may not rename '${from}' to '${to}' in '${imp.directory}' on ${ctx.host}` }, cause);
  }
  if (statusOf(e) === SFTP_STATUS.NO_SUCH_FILE) return new Error(`'${from}' is not in '${imp.directory}' on ${ctx.host}`, cause);
  return new Error(`the server refused to rename '${from}' to '${to}': ${messageOf(e, ctx)}`, cause);
}
