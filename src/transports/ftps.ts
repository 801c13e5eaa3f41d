// The `ftps` protocol: FTP over TLS, implicit (port 990) or explicit (AUTH TLS), with basic-ftp.
// Trust is in ftps-trust.ts, the error codes in ftps-errors.ts.
//
// basic-ftp allows one command at a time and closes the whole client when a second one overlaps
// a running one, so every operation of a transport goes through one queue (`serial`).

import { Client, FTPError, type FileInfo } from 'basic-ftp';
import { TLSSocket } from 'node:tls';
import { FramError } from '../errors.js';
import { connectError, operationError, type ConnectPhase } from './ftps-errors.js';
import { checkPeer, guardDataSocket, trustPolicy, type TrustPolicy } from './ftps-trust.js';
import { eitherSignal, interrupted, openCappedFile, oversize, whenAborted } from './transfer.js';
import { ftpsBranch, ftpsConfig, FTPS_PORTS, type FtpsConfig } from './ftps-config.js';
import {
  TargetExistsError,
  type Opener,
  type PeerIdentity,
  type RemoteFile,
  type TransportDef,
  type Transport,
} from './transport.js';

export const openFtps: Opener<FtpsConfig> = async (imp, secrets, opts) => {
  if (opts.signal?.aborted) throw interrupted();
  if (!imp.host || !imp.username || secrets.password === undefined) {
    throw new Error(`import '${imp.name}': ftps needs host, username and password`);
  }
  const mode = imp.ftpsMode ?? 'implicit';
  const host = imp.host;
  const port = imp.port ?? FTPS_PORTS[mode];
  const user = imp.username;
  const password = secrets.password;
  const directory = imp.directory.replace(/\\/g, '/').replace(/\/+$/, '');
  const policy = trustPolicy(imp, host);
  const ctx = { host, port, password, user, directory, mode, timeoutMs: opts.connectTimeoutMs, timedOut: false };

  const client = new Client(opts.connectTimeoutMs);
  let phase: ConnectPhase = 'connect';
  let peer: PeerIdentity | undefined;

  const sequence = async () => {
    if (mode === 'implicit') {
      const greeting = client.connectImplicitTLS(host, port, { ...policy.tls });
      const socket = client.ftp.socket;
      socket.once('connect', () => {
        if (phase === 'connect') phase = 'TLS handshake';
      });
      socket.once('secureConnect', () => {
        phase = 'greeting';
      });
      await greeting;
    } else {
      const greeting = client.connect(host, port);
      client.ftp.socket.once('connect', () => {
        phase = 'greeting';
      });
      await greeting;
      phase = 'TLS handshake';
      await client.useTLS({ ...policy.tls });
    }
    // Trust is decided here, before USER and PASS are sent.
    peer = checkPeer(client.ftp.socket as TLSSocket, policy);
    phase = 'login';
    await client.login(user, password);
    phase = 'session set-up';
    await client.useDefaultSettings();
    phase = 'directory';
    // basic-ftp lists a missing directory as empty: CWD into it now, so that it fails here.
    if (directory !== '') await client.cd(directory);
  };

  let deadline: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    deadline = setTimeout(() => {
      ctx.timedOut = true;
      client.close();
      reject(new Error('Timeout (connect, handshake and login)'));
    }, opts.connectTimeoutMs);
  });
  let stopListening = () => {};
  const stopped = new Promise<never>((_, reject) => {
    stopListening = whenAborted(opts.signal, () => {
      client.close();
      reject(interrupted());
    });
  });
  const running = sequence();
  running.catch(() => {}); // when the deadline or the stop wins, the sequence's own failure is not news
  try {
    await Promise.race([running, timeout, stopped]);
  } catch (e) {
    client.close();
    throw opts.signal?.aborted ? interrupted() : connectError(e, phase, ctx);
  } finally {
    clearTimeout(deadline);
    stopListening();
  }
  // From now on the idle limit applies: basic-ftp reads it at every command and transfer (its
  // type says readonly, only because it is set in the constructor).
  (client.ftp as { timeout: number }).timeout = opts.idleTimeoutMs;
  return createFtpsTransport(client, policy, peer!, {
    host,
    port,
    password,
    idleTimeoutMs: opts.idleTimeoutMs,
    directory: directory || '.',
    mlsd: client.availableListCommands[0] === 'MLSD',
    signal: opts.signal,
  });
};

interface SessionInfo {
  host: string;
  port: number;
  password: string;
  idleTimeoutMs: number;
  /** For messages. */
  directory: string;
  /** The server lists with MLSD (times to the second); otherwise MDTM per file. */
  mlsd: boolean;
  /** The stop signal: it closes the connection, which ends whatever is under way. */
  signal: AbortSignal | undefined;
}

/** A line break would end the FTP command early; names.ts refuses these too, this is the last guard. */
function checkName(name: string): void {
  if (name === '' || /[/\\\r\n\0]/.test(name))
    throw new FramError(5016, { file: JSON.stringify(name).slice(1, -1), reason: 'it is not a plain file name' });
}

function createFtpsTransport(client: Client, policy: TrustPolicy, peer: PeerIdentity, s: SessionInfo): Transport {
  // Data connections: the same trust check, and the same certificate as the control connection.
  let refusal: FramError | null = null;
  let strategy = client.prepareTransfer;
  const guarded: Client['prepareTransfer'] = async (ftp) => {
    const res = await strategy(ftp);
    // basic-ftp replaces prepareTransfer with the strategy that worked: keep that one inside.
    if (client.prepareTransfer !== guarded) {
      strategy = client.prepareTransfer;
      client.prepareTransfer = guarded;
    }
    const socket = ftp.dataSocket;
    if (!(socket instanceof TLSSocket)) {
      ftp.dataSocket = undefined;
      throw new FramError(5005, { fingerprint: '(none)', reason: 'the data connection is not encrypted' });
    }
    guardDataSocket(socket, policy, peer, (e) => {
      refusal = e;
    });
    return res;
  };
  client.prepareTransfer = guarded;

  const fail = (e: unknown, what: string, refused?: (said: string) => Error): Error =>
    s.signal?.aborted ? interrupted() : (refusal ?? operationError(e, what, s, refused));

  // Stopping closes the control connection: the command or transfer under way fails at once.
  const stopClosing = whenAborted(s.signal, () => client.ftp.closeWithError(interrupted()));
  const listed = new Map<string, number>();

  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  let closing: Promise<void> | null = null;
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new Error('the FTPS connection is closed'));
    const run = tail.then(() => (s.signal?.aborted ? Promise.reject(interrupted()) : refusal ? Promise.reject(refusal) : fn()));
    tail = run.catch(() => undefined);
    return run;
  };

  const listNames = async (): Promise<FileInfo[]> => {
    try {
      return await client.list();
    } catch (e) {
      throw fail(e, `list '${s.directory}'`);
    }
  };

  return {
    peer,

    list: () =>
      serial(async () => {
        const out: RemoteFile[] = [];
        for (const f of await listNames()) {
          if (!f.isFile) continue;
          let mtime = s.mlsd && f.modifiedAt && !Number.isNaN(f.modifiedAt.getTime()) ? f.modifiedAt : undefined;
          if (!mtime) {
            // LIST shows minutes only; the stability gate needs the time to the second.
            try {
              mtime = await client.lastMod(f.name);
            } catch (e) {
              if (e instanceof FTPError && e.code === 550) continue; // gone since the listing
              throw fail(e, `read the modified time of '${f.name}'`);
            }
          }
          out.push({ name: f.name, size: f.size, mtime });
        }
        listed.clear();
        for (const f of out) listed.set(f.name, f.size);
        return out;
      }),

    download: (name, localPath, { maxBytes, signal }) => {
      checkName(name);
      const stop = eitherSignal(s.signal, signal);
      return serial(async () => {
        if (stop?.aborted) throw interrupted();
        const file = await openCappedFile(localPath, maxBytes, () => oversize(name, maxBytes, listed.get(name)));
        // Past the cap, a failing disk or the stop: basic-ftp closes the connection on the stream's
        // error, which ends the transfer at once (FTP has no reliable way to end one and go on).
        const stopListening = whenAborted(stop, () => file.input.destroy(interrupted()));
        try {
          await client.downloadTo(file.input, name);
        } catch (e) {
          file.input.destroy(e as Error);
          const own = await file.done.then(
            () => null,
            (err: unknown) => err,
          );
          if (stop?.aborted) throw interrupted();
          // The file's own failure (the cap, the disk) comes first; else the server's answer.
          if (own !== null && own !== e) throw own;
          if (e instanceof FTPError && e.code === 550 && !refusal) throw await refusedDownload(client, name, e, s);
          throw fail(
            e,
            `download '${name}'`,
            (said) => new FramError(5010, { file: name, reason: `the server would not send it (${said})` }, { cause: e }),
          );
        } finally {
          stopListening();
        }
        return file.done;
      });
    },

    rename: (from, to) => {
      checkName(from);
      checkName(to);
      return serial(async () => {
        // RNTO onto an existing name replaces it on most servers: look first. Compared without
        // case, since Windows servers ignore it; a false alarm only makes the caller pick another name.
        const names = (await listNames()).map((f) => f.name);
        if (names.some((n) => n !== from && n.toLowerCase() === to.toLowerCase())) throw new TargetExistsError(to);
        if (!names.includes(from))
          throw new FramError(5007, { file: from, target: to, reason: `'${from}' is no longer in '${s.directory}'` });
        try {
          await client.rename(from, to);
        } catch (e) {
          throw fail(
            e,
            `rename '${from}' to '${to}' in '${s.directory}'`,
            (said) => new FramError(5007, { file: from, target: to, reason: `the server refused (${said})` }, { cause: e }),
          );
        }
      });
    },

    close: () => {
      if (!closing) {
        closed = true;
        stopClosing();
        closing = tail.then(() => {
          client.close();
        });
      }
      return closing;
    },
  };
}

/** RETR got 550: the file is gone (5010), or the server will not send it (5015). */
async function refusedDownload(client: Client, name: string, e: FTPError, s: SessionInfo): Promise<Error> {
  const gone = await client.size(name).then(
    () => false,
    (err: unknown) => err instanceof FTPError && err.code === 550,
  );
  if (gone) return new FramError(5010, { file: name, reason: `it is no longer in '${s.directory}'` }, { cause: e });
  return operationError(e, `send '${name}'`, s);
}

export const ftpsTransport: TransportDef<FtpsConfig, typeof ftpsBranch> = { ...ftpsConfig, open: openFtps };
