// A hostile SFTP server on loopback, built on ssh2's `Server`: it serves a scripted folder that
// no real file system could hold (names with `/`, NUL, newlines; sizes that lie; files of a GiB
// made up as they are read; reads as slow as a test wants) and records every request, so a test
// can prove what the daemon asked for, read and renamed. Plain Node (no vitest).

import { createHash, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { Attributes, AuthContext, Connection, FileEntry, SFTPWrapper } from 'ssh2';

const { Server, utils } = ssh2;
const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/** `count` bytes made up as they are read (never held in memory): `fill` repeated. */
export interface MadeUpContent {
  bytes: number;
  fill?: string;
}

export interface ScriptedFile {
  /** What the bytes are: a Buffer, or bytes made up on demand. */
  content: Buffer | MadeUpContent;
  /** The size listings and STAT report; the true size when absent. Set it to lie. */
  listedSize?: number;
  mtime?: Date;
  /** Each READ of the file is answered this long after the previous answer on its handle (answers are
   * serialized, so the rate is one chunk per delay however many reads the client has in flight). */
  readDelayMs?: number;
}

export interface Request {
  op: 'OPEN' | 'READ' | 'CLOSE' | 'STAT' | 'LSTAT' | 'FSTAT' | 'OPENDIR' | 'READDIR' | 'RENAME' | 'REALPATH' | 'REFUSED';
  /** The path as the client sent it (for RENAME, the old path). */
  path?: string;
  /** The scripted name the path points at, when it points at one. */
  name?: string;
  /** RENAME: the new path. */
  to?: string;
  /** READ: the offset asked and the bytes answered. */
  offset?: number;
  bytes?: number;
  /** REFUSED: what the client tried (REMOVE, WRITE, MKDIR, ...). */
  what?: string;
}

export interface HostileSftpServer {
  port: number;
  /** `SHA256:<base64 without padding>` of the host key blob, as an import pins it. */
  fingerprint: string;
  username: string;
  /** The import's `directory`: the one folder the server has. */
  directory: string;
  /** Fields of an import that reach this server; the password as `{ env: passwordEnv }`. */
  importFields(passwordEnv: string): Record<string, unknown>;
  /** The scripted folder, by name; a RENAME moves an entry. */
  files: Map<string, ScriptedFile>;
  put(name: string, file: ScriptedFile): void;
  /** Every request, in arrival order. */
  requests: Request[];
  /** Bytes answered to READs of `name`, over every handle and connection. */
  bytesSent(name: string): number;
  /** Resolves with the first request (already seen or to come) that matches. */
  waitFor(match: (r: Request) => boolean, timeoutMs?: number): Promise<Request>;
  stop(): Promise<void>;
}

export function hostKeyFingerprint(publicKey: string): string {
  const parsed = utils.parseKey(publicKey);
  if (parsed instanceof Error) throw parsed;
  const blob = (Array.isArray(parsed) ? parsed[0] : parsed).getPublicSSH();
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

function sizeOf(f: ScriptedFile): number {
  return Buffer.isBuffer(f.content) ? f.content.length : f.content.bytes;
}

/** Bytes [offset, offset + length) of the file, cut at its true end. */
function slice(f: ScriptedFile, offset: number, length: number): Buffer {
  const end = Math.min(sizeOf(f), offset + length);
  if (Buffer.isBuffer(f.content)) return f.content.subarray(offset, end);
  const fill = f.content.fill ?? 'x';
  // The pattern runs on across reads: start it `phase` bytes early and drop those.
  const phase = offset % Buffer.byteLength(fill);
  return Buffer.alloc(end - offset + phase, fill).subarray(phase);
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export async function startHostileSftpServer(opts: {
  password: string;
  username?: string;
  directory?: string;
}): Promise<HostileSftpServer> {
  const username = opts.username ?? 'fram';
  const directory = opts.directory ?? 'outbound';
  const keys = utils.generateKeyPairSync('ed25519');
  const fingerprint = hostKeyFingerprint(keys.public);
  const files = new Map<string, ScriptedFile>();
  const requests: Request[] = [];
  const sent = new Map<string, number>();
  const events = new EventEmitter();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const record = (r: Request) => {
    requests.push(r);
    events.emit('request', r);
  };

  /** The scripted name a client path points at: `<directory>/<name>`, taken whole (a name may hold `/`). */
  const nameOf = (path: string): string | undefined => {
    const rel = path.replace(/^(\.\/)+/, '');
    if (!rel.startsWith(`${directory}/`)) return undefined;
    const name = rel.slice(directory.length + 1);
    return files.has(name) ? name : undefined;
  };
  const isDir = (path: string) => ['.', '', '/', directory, `${directory}/`, `./${directory}`].includes(path);
  const attrsOf = (f: ScriptedFile): Attributes => {
    const t = Math.floor((f.mtime ?? new Date()).getTime() / 1000);
    return { mode: S_IFREG | 0o644, uid: 1000, gid: 1000, size: f.listedSize ?? sizeOf(f), atime: t, mtime: t };
  };
  const dirAttrs = (): Attributes => {
    const t = Math.floor(Date.now() / 1000);
    return { mode: S_IFDIR | 0o755, uid: 1000, gid: 1000, size: 4096, atime: t, mtime: t };
  };

  function serveSftp(sftp: SFTPWrapper): void {
    // Handles: a file being read, or the folder being listed (listed once, then EOF).
    const handles = new Map<number, { kind: 'file'; name: string; queue: Promise<void> } | { kind: 'dir'; done: boolean }>();
    let nextHandle = 0;
    const handleOf = (buf: Buffer) => (buf.length === 4 ? handles.get(buf.readUInt32BE(0)) : undefined);
    const newHandle = (h: Parameters<typeof handles.set>[1]) => {
      const id = nextHandle++;
      handles.set(id, h);
      const buf = Buffer.alloc(4);
      buf.writeUInt32BE(id, 0);
      return buf;
    };

    const stat = (op: 'STAT' | 'LSTAT') => (reqId: number, path: string) => {
      const name = nameOf(path);
      record({ op, path, name });
      if (name !== undefined) return sftp.attrs(reqId, attrsOf(files.get(name)!));
      if (isDir(path)) return sftp.attrs(reqId, dirAttrs());
      sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    };
    sftp.on('STAT', stat('STAT'));
    sftp.on('LSTAT', stat('LSTAT'));

    sftp.on('REALPATH', (reqId, path) => {
      record({ op: 'REALPATH', path });
      // The login folder is `/`; `.` and `./x` resolve under it.
      const rel = path.replace(/^\.?\/?/, '').replace(/\/$/, '');
      sftp.name(reqId, [{ filename: `/${rel}`, longname: '', attrs: dirAttrs() }]);
    });

    sftp.on('OPENDIR', (reqId, path) => {
      record({ op: 'OPENDIR', path });
      if (path !== directory && path !== `${directory}/`) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
      sftp.handle(reqId, newHandle({ kind: 'dir', done: false }));
    });
    sftp.on('READDIR', (reqId, handle) => {
      record({ op: 'READDIR' });
      const h = handleOf(handle);
      if (!h || h.kind !== 'dir') return sftp.status(reqId, STATUS_CODE.FAILURE);
      if (h.done) return sftp.status(reqId, STATUS_CODE.EOF);
      h.done = true;
      const entries: FileEntry[] = [
        { filename: '.', longname: 'drwxr-xr-x 2 fram fram 4096 Jan 1 00:00 .', attrs: dirAttrs() },
        { filename: '..', longname: 'drwxr-xr-x 2 fram fram 4096 Jan 1 00:00 ..', attrs: dirAttrs() },
        ...[...files].map(([filename, f]) => ({
          filename,
          longname: `-rw-r--r-- 1 fram fram ${attrsOf(f).size} Jan 1 00:00 ${filename}`,
          attrs: attrsOf(f),
        })),
      ];
      sftp.name(reqId, entries);
    });

    sftp.on('OPEN', (reqId, path, flags) => {
      const name = nameOf(path);
      record({ op: 'OPEN', path, name });
      if (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND | OPEN_MODE.CREAT | OPEN_MODE.TRUNC)) {
        return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED);
      }
      if (name === undefined) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
      sftp.handle(reqId, newHandle({ kind: 'file', name, queue: Promise.resolve() }));
    });

    sftp.on('READ', (reqId, handle, offset, length) => {
      const h = handleOf(handle);
      if (!h || h.kind !== 'file') return sftp.status(reqId, STATUS_CODE.FAILURE);
      const f = files.get(h.name);
      const answer = () => {
        if (!f || offset >= sizeOf(f)) {
          record({ op: 'READ', name: h.name, offset, bytes: 0 });
          return sftp.status(reqId, STATUS_CODE.EOF);
        }
        const data = slice(f, offset, length);
        sent.set(h.name, (sent.get(h.name) ?? 0) + data.length);
        record({ op: 'READ', name: h.name, offset, bytes: data.length });
        sftp.data(reqId, data);
      };
      const delay = f?.readDelayMs ?? 0;
      if (delay === 0) return answer();
      h.queue = h.queue.then(
        () =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              timers.delete(t);
              // The client may be gone by now; a write to a closed channel is not this server's problem.
              try {
                answer();
              } catch {
                /* channel closed */
              }
              resolve();
            }, delay);
            timers.add(t);
          }),
      );
    });

    sftp.on('FSTAT', (reqId, handle) => {
      const h = handleOf(handle);
      record({ op: 'FSTAT', name: h?.kind === 'file' ? h.name : undefined });
      if (!h) return sftp.status(reqId, STATUS_CODE.FAILURE);
      const f = h.kind === 'file' ? files.get(h.name) : undefined;
      sftp.attrs(reqId, f ? attrsOf(f) : dirAttrs());
    });

    sftp.on('CLOSE', (reqId, handle) => {
      const h = handleOf(handle);
      record({ op: 'CLOSE', name: h?.kind === 'file' ? h.name : undefined });
      if (!h) return sftp.status(reqId, STATUS_CODE.FAILURE);
      handles.delete(handle.readUInt32BE(0));
      sftp.status(reqId, STATUS_CODE.OK);
    });

    sftp.on('RENAME', (reqId, oldPath, newPath) => {
      const name = nameOf(oldPath);
      record({ op: 'RENAME', path: oldPath, name, to: newPath });
      if (name === undefined) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
      const target = newPath.startsWith(`${directory}/`) ? newPath.slice(directory.length + 1) : null;
      if (target === null || target.includes('/')) return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED);
      if (files.has(target)) return sftp.status(reqId, STATUS_CODE.FAILURE);
      const f = files.get(name)!;
      files.delete(name);
      files.set(target, f);
      sftp.status(reqId, STATUS_CODE.OK);
    });

    // Nothing else is allowed; each attempt is recorded, so a test can prove none was made.
    for (const what of ['WRITE', 'FSETSTAT', 'SETSTAT', 'REMOVE', 'RMDIR', 'MKDIR', 'READLINK', 'SYMLINK', 'EXTENDED']) {
      sftp.on(what, (reqId: number, path?: unknown) => {
        record({ op: 'REFUSED', what, path: typeof path === 'string' ? path : undefined });
        sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED);
      });
    }
  }

  const ssh = new Server({ hostKeys: [keys.private], ident: 'HostileSFTP_1.0' }, (client: Connection) => {
    client.on('error', () => {});
    client.on('authentication', (ctx: AuthContext) => {
      if (ctx.method === 'password' && same(ctx.username, username) && same(ctx.password, opts.password)) return ctx.accept();
      ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => serveSftp(acceptSftp()));
      });
    });
  });

  // Our own listener, so that stop() can destroy every connection at once.
  const listener = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    ssh.injectSocket(sock);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (listener.address() as { port: number }).port;

  return {
    port,
    fingerprint,
    username,
    directory,
    files,
    requests,
    importFields: (passwordEnv) => ({
      protocol: 'sftp',
      host: '127.0.0.1',
      port,
      username,
      password: { env: passwordEnv },
      directory,
      hostKeySha256: fingerprint,
    }),
    put: (name, file) => {
      files.set(name, file);
    },
    bytesSent: (name) => sent.get(name) ?? 0,
    waitFor(match, timeoutMs = 30_000) {
      const seen = requests.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          events.off('request', on);
          reject(new Error(`no matching request after ${timeoutMs} ms; saw: ${JSON.stringify(requests.slice(-20))}`));
        }, timeoutMs);
        const on = (r: Request) => {
          if (!match(r)) return;
          clearTimeout(timer);
          events.off('request', on);
          resolve(r);
        };
        events.on('request', on);
      });
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
