// The `sftp` protocol: an SSH server's SFTP subsystem, through ssh2 (connected by
// ssh2-sftp-client). Every operation after the connect goes straight to ssh2's SFTP channel, so
// that status codes reach the error mapping intact and downloads can be pipelined.

import { createHash } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import type { ConnectConfig, FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { FramError, unexpected } from '../errors.js';
import { pumpToFile } from './sftp-download.js';
import { SFTP_STATUS, connectFailure, connectionLost, safeCause, timedOut, type ConnectContext } from './sftp-errors.js';
import { eitherSignal, interrupted, openCappedFile, oversize, whenAborted } from './transfer.js';
import { sftpBranch, sftpConfig, SFTP_PORT, type SftpConfig } from './sftp-config.js';
import { TargetExistsError, type Opener, type RemoteFile, type Secrets, type TransportDef, type Transport } from './transport.js';

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

function readAuth(imp: SftpConfig, given: Secrets): Auth {
  const config: Auth['config'] = {};
  if (given.password) config.password = given.password;
  if (given.privateKey) {
    config.privateKey = given.privateKey;
    if (given.passphrase) config.passphrase = given.passphrase;
  }
  if (!config.password && !config.privateKey) throw new Error(`import '${imp.name}': sftp needs a password or a privateKey`);
  const secrets = [config.password, config.passphrase, config.privateKey].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
  return { config, secrets };
}

type Callback<T> = (err: Error | undefined | null, value: T) => void;

const statusOf = (e: unknown): unknown => (e as { code?: unknown })?.code;

export const openSftp: Opener<SftpConfig> = async (imp, secrets, opts) => {
  if (opts.signal?.aborted) throw interrupted();
  const host = imp.host ?? '';
  const user = imp.username ?? '';
  if (!host || !user) throw new Error(`import '${imp.name}': sftp needs a host and a username`);
  const auth = readAuth(imp, secrets);
  const ctx: ConnectContext = { host, user, connectTimeoutMs: opts.connectTimeoutMs, secrets: auth.secrets };
  const dir = remoteDirectory(imp.directory);
  const pathOf = (name: string) => (dir === '.' ? name : `${dir}/${name}`);

  let fingerprint: string | null = null;
  let refused = false;
  let firstError: unknown;
  const gone = new AbortController();
  const client = new SftpClient('fram-import', { error: () => {}, end: () => {}, close: () => {} });
  client.on('error', (e: unknown) => {
    firstError ??= e;
  });
  client.on('close', () => gone.abort());
  // Our own socket, so that a stuck connection can always be destroyed.
  const sock = netConnect({ host, port: imp.port ?? SFTP_PORT });
  const drop = () => {
    sock.destroy();
  };

  const config: ConnectConfig = {
    sock,
    host,
    port: imp.port ?? SFTP_PORT,
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
  /** The connection is gone: because the process is stopping (5014), or lost (5001). */
  const lost = (cause?: unknown) => (opts.signal?.aborted ? interrupted() : connectionLost(host, ctx.secrets, cause));

  /** One SFTP request with the idle timeout: no answer in time drops the connection. */
  function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (closed || gone.signal.aborted) return reject(lost());
      const timer = setTimeout(() => {
        drop();
        reject(timedOut(host, opts.idleTimeoutMs, ctx.secrets, undefined, ' without an answer'));
      }, opts.idleTimeoutMs);
      fn((err, value) => {
        clearTimeout(timer);
        if (!err) return resolve(value);
        if (gone.signal.aborted || err.message === 'No response from server') return reject(lost(err));
        reject(err);
      });
    });
  }

  let sftp: SFTPWrapper;
  let deadline: NodeJS.Timeout | undefined;
  let stopListening = () => {};
  try {
    const ready = (async () => {
      const channel = await client.connect(config).catch((e: unknown) => {
        if (refused && fingerprint)
          throw new FramError(5004, { fingerprint }, { cause: safeCause(firstError ?? e, ctx.secrets) });
        throw connectFailure(firstError ?? e, ctx);
      });
      channel.on('error', () => {}); // its pending requests fail on their own
      const stats = await new Promise<Stats>((resolve, reject) =>
        channel.stat(dir, (err, s) => {
          if (!err) return resolve(s);
          reject(gone.signal.aborted || err.message === 'No response from server' ? lost(err) : err);
        }),
      );
      if (!stats.isDirectory()) throw new FramError(5003, { directory: imp.directory });
      return channel;
    })();
    const timeout = new Promise<never>((_, reject) => {
      deadline = setTimeout(
        () => reject(connectFailure(Object.assign(new Error('connect timed out'), { level: 'client-timeout' }), ctx)),
        opts.connectTimeoutMs,
      );
    });
    const stopped = new Promise<never>((_, reject) => {
      stopListening = whenAborted(opts.signal, () => {
        drop();
        reject(interrupted());
      });
    });
    ready.catch(() => {}); // when the deadline or the stop wins, the attempt's own failure is not news
    sftp = await Promise.race([ready, timeout, stopped]).catch((e: unknown) => {
      throw directoryError(e, imp, ctx);
    });
  } catch (e) {
    stopListening();
    drop();
    throw opts.signal?.aborted ? interrupted() : e;
  } finally {
    clearTimeout(deadline);
  }
  stopListening();
  // From now on the stop signal drops the connection, which ends whatever is under way.
  const stopDropping = whenAborted(opts.signal, drop);
  const listed = new Map<string, number>();

  const transport: Transport = {
    peer: { kind: 'host key', fingerprint: fingerprint ?? '' },

    async list(): Promise<RemoteFile[]> {
      const entries = await call<FileEntryWithStats[]>((cb) => sftp.readdir(dir, cb)).catch((e: unknown) => {
        throw directoryError(e, imp, ctx);
      });
      const files = entries
        .filter((e) => e.attrs.isFile())
        .map((e) => ({ name: e.filename, size: e.attrs.size, mtime: new Date(e.attrs.mtime * 1000) }));
      listed.clear();
      for (const f of files) listed.set(f.name, f.size);
      return files;
    },

    async download(name, localPath, { maxBytes, signal }) {
      const stop = eitherSignal(opts.signal, signal);
      if (stop?.aborted) throw interrupted();
      const handle = await call<Buffer>((cb) => sftp.open(pathOf(name), 'r', cb)).catch((e: unknown) => {
        throw fileError(e, name, ctx);
      });
      const closeHandle = () => call<void>((cb) => sftp.close(handle, cb));
      let bytes: number;
      try {
        const file = await openCappedFile(localPath, maxBytes, () => oversize(name, maxBytes, listed.get(name)));
        bytes = await pumpToFile(sftp, handle, file, {
          idleTimeoutMs: opts.idleTimeoutMs,
          signal: gone.signal,
          ...(stop ? { stop } : {}),
          stalled: () => {
            drop();
            return timedOut(host, opts.idleTimeoutMs, ctx.secrets, undefined, ' without data');
          },
          lost: () => lost(),
          stopped: () => interrupted(),
          readError: (err) => (err.message === 'No response from server' ? lost(err) : fileError(err, name, ctx)),
        });
      } catch (e) {
        // Stopping does not wait for the server's answer; otherwise the handle is closed before the next file.
        if (stop?.aborted) void closeHandle().catch(() => {});
        else if (!gone.signal.aborted) await closeHandle().catch(() => {});
        throw e;
      }
      await closeHandle().catch((e: unknown) => {
        throw fileError(e, name, ctx);
      });
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
      stopDropping();
      if (!gone.signal.aborted) {
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([
          client.end().catch(() => false),
          new Promise((r) => {
            grace = setTimeout(r, Math.min(2_000, opts.idleTimeoutMs));
          }),
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

function directoryError(e: unknown, imp: SftpConfig, ctx: ConnectContext): Error {
  if (e instanceof FramError) return e;
  const cause = { cause: safeCause(e, ctx.secrets) };
  if (statusOf(e) === SFTP_STATUS.NO_SUCH_FILE) return new FramError(5003, { directory: imp.directory }, cause);
  if (statusOf(e) === SFTP_STATUS.PERMISSION_DENIED) {
    return new FramError(5015, { reason: `user ${ctx.user} may not read directory '${imp.directory}' on ${ctx.host}` }, cause);
  }
  // Another SFTP status, or something we did not foresee: named as what it is.
  return unexpected(safeCause(e, ctx.secrets), `listing '${imp.directory}' on ${ctx.host}`);
}

/** An SFTP status for a file the server would not send (a local failure is already a FramError here). */
function fileError(e: unknown, name: string, ctx: ConnectContext): Error {
  if (e instanceof FramError) return e;
  const cause = { cause: safeCause(e, ctx.secrets) };
  if (statusOf(e) === SFTP_STATUS.PERMISSION_DENIED)
    return new FramError(5015, { reason: `user ${ctx.user} may not read '${name}' on ${ctx.host}` }, cause);
  if (statusOf(e) === SFTP_STATUS.NO_SUCH_FILE)
    return new FramError(5010, { file: name, reason: 'it is no longer on the server' }, cause);
  if (typeof statusOf(e) === 'number')
    return new FramError(5010, { file: name, reason: `the server could not send it: ${messageOf(e, ctx)}` }, cause);
  return unexpected(safeCause(e, ctx.secrets), `downloading '${name}' from ${ctx.host}`);
}

function renameError(e: unknown, from: string, to: string, imp: SftpConfig, ctx: ConnectContext): Error {
  if (e instanceof FramError || e instanceof TargetExistsError) return e;
  const cause = { cause: safeCause(e, ctx.secrets) };
  if (statusOf(e) === SFTP_STATUS.PERMISSION_DENIED) {
    return new FramError(
      5015,
      { reason: `user ${ctx.user} may not rename '${from}' to '${to}' in '${imp.directory}' on ${ctx.host}` },
      cause,
    );
  }
  if (statusOf(e) === SFTP_STATUS.NO_SUCH_FILE)
    return new FramError(5007, { file: from, target: to, reason: `'${from}' is no longer in '${imp.directory}'` }, cause);
  if (typeof statusOf(e) === 'number')
    return new FramError(5007, { file: from, target: to, reason: `the server refused: ${messageOf(e, ctx)}` }, cause);
  return unexpected(safeCause(e, ctx.secrets), `renaming '${from}' on ${ctx.host}`);
}

export const sftpTransport: TransportDef<SftpConfig, typeof sftpBranch> = { ...sftpConfig, open: openSftp };
