// What every transport must do the same way (issue 9, findings 4, 10 and 12), against the real
// servers: stop a download at the byte cap (5006), stop at once when the process stops (5014, no
// child left, the local file closed), and name failures truthfully (5001's detail, 5017 for a
// missing secret, 5019/5020 for the local disk instead of a connection error).

import type { ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FramError } from '../src/errors.js';
import { downloadCap } from '../src/import/fetch-file.js';
import { createConnect } from '../src/transports/index.js';
import { secretReader } from '../src/config/secrets.js';
import { onSmbclientSpawn, SMBCLIENT_DIR_PREFIX } from '../src/transports/smb.js';
import { sleep } from '../src/transports/transfer.js';
import type { ConnectOptions, Transport } from '../src/transports/transport.js';
import { childProcesses, freePort, makeTempDir, PASSWORD_ENV, UNCAPPED, type TestServer } from './servers/common.js';
import { importConfig } from './servers/import-config.js';
import { startFtpsServer } from './servers/ftps.js';
import { startSftpServer } from './servers/sftp.js';
import { startSmbServer } from './servers/smb.js';

const password = inject('testPassword');
const env = { [PASSWORD_ENV]: password };
const PROTOCOLS = ['sftp', 'ftps', 'smb', 'local'] as const;
type Protocol = (typeof PROTOCOLS)[number];
const HUGE = 4 * 1024 ** 3;

const servers = new Map<Protocol, TestServer>();
let work: string;

beforeAll(async () => {
  work = makeTempDir('limits-test');
  const [sftp, ftps, smb] = await Promise.all([
    startSftpServer({ password }),
    startFtpsServer({ password, mode: 'implicit' }),
    startSmbServer({ password, variant: 'defaults' }),
  ]);
  const dropDir = makeTempDir('limits-local');
  const local: TestServer = {
    protocol: 'local' as TestServer['protocol'],
    label: 'local',
    dropDir,
    fingerprint: null,
    importFields: { protocol: 'local', directory: dropDir },
    put: (name, data) => writeFileSync(path.join(dropDir, name), data),
    stop: async () => {
      rmSync(dropDir, { recursive: true, force: true });
    },
  };
  servers.set('sftp', sftp).set('ftps', ftps).set('smb', smb).set('local', local);
});

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

function connect(protocol: Protocol, over: Record<string, unknown> = {}, opts: Partial<ConnectOptions> = {}): Promise<Transport> {
  const imp = importConfig({ ...servers.get(protocol)!.importFields, ...over });
  return createConnect(
    secretReader(env),
    { connectTimeoutMs: 5000, idleTimeoutMs: 5000, workDir: work, ...opts },
    { attempts: 1, firstDelayMs: 0 },
  )(imp);
}

async function rejection(p: Promise<unknown>): Promise<FramError> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection, but it resolved');
    },
    (err: unknown) => err,
  );
  expect(e, String(e)).toBeInstanceOf(FramError);
  return e as FramError;
}

/** A file on the server that grows to 4 GiB (sparse) after it was listed. */
function growing(s: TestServer, name: string): () => void {
  s.put(name, 'x'.repeat(100));
  return () => truncateSync(path.join(s.dropDir, name), HUGE);
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0);

/** This process's file descriptors that point at `file`. */
function fdsOn(file: string): string[] {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  });
}

const clientDirs = () => readdirSync(work).filter((n) => n.startsWith(SMBCLIENT_DIR_PREFIX));

/** The smbclient downloads (`get <name> -`) started from now on, and the bytes they wrote to their standard output. */
function watchSmbclientDownloads(): { bytes: () => number; children: ChildProcess[]; stop: () => void } {
  let bytes = 0;
  const children: ChildProcess[] = [];
  const stop = onSmbclientSpawn((child) => {
    if (!child.spawnargs.some((a) => a.startsWith('get '))) return;
    children.push(child);
    child.stdout!.on('data', (d: Buffer) => {
      bytes += d.length;
    });
  });
  return {
    bytes: () => bytes,
    children,
    stop: () => {
      stop();
    },
  };
}

describe.each(PROTOCOLS)('%s: the download cap', (protocol) => {
  it('a file that grows after the listing stops at listed size + 1 MiB with 5006, and the local file never holds more', async () => {
    const s = servers.get(protocol)!;
    const grow = growing(s, 'IC_Eligibility_grows.bin');
    const counted = watchSmbclientDownloads();
    const t = await connect(protocol);
    try {
      const listed = (await t.list()).find((f) => f.name === 'IC_Eligibility_grows.bin')!;
      expect(listed.size).toBe(100);
      grow();
      const local = path.join(work, `${protocol}-grows.part`);
      const maxBytes = downloadCap(listed.size);
      expect(maxBytes).toBe(100 + 1024 * 1024);
      const e = await rejection(t.download(listed.name, local, { maxBytes }));
      expect(e.code).toBe(5006);
      expect(e.message).toBe(`Download of 'IC_Eligibility_grows.bin' gave more than ${maxBytes} bytes; the server listed 100`);
      expect(sizeOf(local)).toBeLessThanOrEqual(maxBytes);
      expect(fdsOn(local)).toEqual([]);
      if (protocol === 'smb') {
        // smbclient is killed as soon as the cap is passed: what it still wrote is what the pipe held.
        expect(counted.children).toHaveLength(1);
        expect(counted.children[0].signalCode).toBe('SIGKILL');
        expect(counted.bytes()).toBeGreaterThan(maxBytes);
        expect(counted.bytes()).toBeLessThan(maxBytes + 1024 * 1024);
      }
      if (protocol === 'ftps') {
        // FTP cannot end one transfer and go on: the connection is closed.
        expect((await rejection(t.list())).detail).toBe('lost');
      } else {
        expect((await t.list()).map((f) => f.name)).toContain('IC_Eligibility_grows.bin');
      }
    } finally {
      counted.stop();
      await t.close();
      rmSync(path.join(s.dropDir, 'IC_Eligibility_grows.bin'), { force: true });
    }
  });

  it('a full disk while writing the download is 5019 naming the path, not a connection or file error', async () => {
    const s = servers.get(protocol)!;
    s.put('IC_Eligibility_full.csv', 'a,b\n'.repeat(1000));
    const t = await connect(protocol);
    try {
      const e = await rejection(t.download('IC_Eligibility_full.csv', '/dev/full', UNCAPPED));
      expect(e.code).toBe(5019);
      expect(e.message).toBe('No space left on the data volume while writing the download (/dev/full)');
    } finally {
      await t.close();
    }
  });

  it('a local folder that is missing is 5020 naming the path', async () => {
    const s = servers.get(protocol)!;
    s.put('IC_Eligibility_nowhere.csv', 'a');
    const t = await connect(protocol);
    try {
      const nowhere = path.join(work, 'missing', 'x.part');
      const e = await rejection(t.download('IC_Eligibility_nowhere.csv', nowhere, UNCAPPED));
      expect(e.code).toBe(5020);
      expect(e.message).toBe(`Cannot use ${nowhere}: the folder or file does not exist while writing the download`);
      expect((await t.list()).map((f) => f.name)).toContain('IC_Eligibility_nowhere.csv');
    } finally {
      await t.close();
    }
  });
});

describe.each(PROTOCOLS)('%s: the stop signal', (protocol) => {
  /** Starts a download of a 4 GiB file and resolves once its first bytes are on disk. */
  async function underWay(t: Transport, name: string, stop?: AbortSignal) {
    const s = servers.get(protocol)!;
    s.put(name, '');
    truncateSync(path.join(s.dropDir, name), HUGE);
    const local = path.join(work, `${protocol}-${name}.part`);
    const outcome = rejection(t.download(name, local, { maxBytes: downloadCap(HUGE), ...(stop ? { signal: stop } : {}) }));
    outcome.catch(() => {});
    await until(() => sizeOf(local) > 0);
    return { outcome, local, remove: () => rmSync(path.join(s.dropDir, name), { force: true }) };
  }

  it('DownloadOptions.signal ends a download under way within 2 s with 5014, leaving no child and the local file closed', async () => {
    const before = childProcesses();
    const t = await connect(protocol);
    const stop = new AbortController();
    const d = await underWay(t, 'IC_Eligibility_stop1.bin', stop.signal);
    try {
      stop.abort();
      const stoppedAt = Date.now();
      const e = await d.outcome;
      expect(Date.now() - stoppedAt).toBeLessThan(2000);
      expect(e.code).toBe(5014);
      expect(childProcesses()).toEqual(before);
      expect(sizeOf(d.local)).toBeLessThan(HUGE);
      expect(fdsOn(d.local)).toEqual([]);
    } finally {
      await t.close();
      d.remove();
    }
  });

  it('ConnectOptions.signal (the process stopping) ends a download under way within 2 s with 5014, and SMB removes its folder at once', async () => {
    const before = childProcesses();
    const stop = new AbortController();
    const t = await connect(protocol, {}, { signal: stop.signal });
    const d = await underWay(t, 'IC_Eligibility_stop2.bin');
    try {
      if (protocol === 'smb') expect(clientDirs()).toHaveLength(1);
      stop.abort();
      const stoppedAt = Date.now();
      const e = await d.outcome;
      expect(Date.now() - stoppedAt).toBeLessThan(2000);
      expect(e.code).toBe(5014);
      expect(childProcesses()).toEqual(before);
      expect(fdsOn(d.local)).toEqual([]);
      expect(clientDirs()).toEqual([]);
      // Everything after the stop is refused the same way.
      expect((await rejection(t.list())).code).toBe(5014);
    } finally {
      await t.close();
      d.remove();
    }
  });

  it('an aborted signal refuses to connect (5014)', async () => {
    const e = await rejection(connect(protocol, {}, { signal: AbortSignal.abort() }));
    expect(e.code).toBe(5014);
    expect(clientDirs()).toEqual([]);
  });
});

/** A TCP server that accepts and never says a word; `connected` resolves at the first connection. */
async function silentServer(): Promise<{ port: number; connected: Promise<void>; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  let connected!: () => void;
  const first = new Promise<void>((r) => {
    connected = r;
  });
  const srv: Server = createServer((sock) => {
    sockets.push(sock);
    connected();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as { port: number }).port,
    connected: first,
    close: async () => {
      for (const sock of sockets) sock.destroy();
      await new Promise((r) => srv.close(r));
    },
  };
}

describe.each(['sftp', 'ftps', 'smb'] as const)('%s: stopping while connecting, and what failures say', (protocol) => {
  it('the stop signal ends a connect attempt that hangs within 2 s with 5014, leaving no child', async () => {
    const silent = await silentServer();
    const before = childProcesses();
    const stop = new AbortController();
    try {
      const attempt = rejection(
        connect(protocol, { port: silent.port }, { signal: stop.signal, connectTimeoutMs: 30_000, idleTimeoutMs: 30_000 }),
      );
      await silent.connected;
      stop.abort();
      const stoppedAt = Date.now();
      const e = await attempt;
      expect(Date.now() - stoppedAt).toBeLessThan(2000);
      expect(e.code).toBe(5014);
      expect(childProcesses()).toEqual(before);
      expect(clientDirs()).toEqual([]);
    } finally {
      await silent.close();
    }
  });

  it("5001 carries its detail: 'refused', 'dns', 'timeout'", async () => {
    const refused = await rejection(connect(protocol, { port: await freePort() }));
    expect([refused.code, refused.detail]).toEqual([5001, 'refused']);
    const dns = await rejection(connect(protocol, { host: 'no-such-host.invalid' }));
    expect([dns.code, dns.detail]).toEqual([5001, 'dns']);
    const silent = await silentServer();
    try {
      const timeout = await rejection(connect(protocol, { port: silent.port }, { connectTimeoutMs: 1000, idleTimeoutMs: 1000 }));
      expect([timeout.code, timeout.detail]).toEqual([5001, 'timeout']);
    } finally {
      await silent.close();
    }
    expect(clientDirs()).toEqual([]);
  });

  it('a missing or unreadable secret is 5017 naming the variable or file, never a connection failure', async () => {
    const unset = await rejection(connect(protocol, { password: { env: 'FRAM_TEST_NO_SUCH_SECRET' } }));
    expect(unset.code).toBe(5017);
    expect(unset.message).toBe(
      'Secret environment variable FRAM_TEST_NO_SUCH_SECRET (or FRAM_TEST_NO_SUCH_SECRET_FILE) is missing or unreadable: it is unset or empty',
    );
    const missing = path.join(work, 'no-such-secret');
    const noFile = await rejection(connect(protocol, { password: { file: missing } }));
    expect(noFile.message).toBe(`Secret file ${missing} is missing or unreadable: the file does not exist`);
    const folder = path.join(work, 'secret-folder');
    mkdirSync(folder, { recursive: true });
    chmodSync(folder, 0o700);
    const notAFile = await rejection(connect(protocol, { password: { file: folder } }));
    expect(notAFile.message).toBe(`Secret file ${folder} is missing or unreadable: it is a folder, not a file`);
    for (const e of [unset, noFile, notAFile]) expect(`${e.message}${String(e.cause ?? '')}`).not.toContain(password);
    expect(clientDirs()).toEqual([]);
  });
});

describe('createConnect: the wait between attempts', () => {
  it('the stop signal ends the back-off at once with 5014, without another attempt', async () => {
    const port = await freePort();
    const stop = new AbortController();
    let waits = 0;
    const connect = createConnect(
      secretReader(env),
      { connectTimeoutMs: 5000, idleTimeoutMs: 5000, signal: stop.signal },
      { attempts: 3, firstDelayMs: 60_000 },
      (ms, signal) => {
        waits++;
        const wait = sleep(ms, signal);
        stop.abort();
        return wait;
      },
    );
    const startedAt = Date.now();
    const e = await rejection(connect(importConfig({ ...servers.get('sftp')!.importFields, port })));
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(e.code).toBe(5014);
    expect(waits).toBe(1);
  });

  it('a refused connection is tried `attempts` times, each a real attempt, and ends with its 5001', async () => {
    const port = await freePort();
    const delays: number[] = [];
    const connect = createConnect(
      secretReader(env),
      { connectTimeoutMs: 5000, idleTimeoutMs: 5000 },
      { attempts: 3, firstDelayMs: 10 },
      (ms, signal) => {
        delays.push(ms);
        return sleep(ms, signal);
      },
    );
    const e = await rejection(connect(importConfig({ ...servers.get('sftp')!.importFields, port })));
    expect([e.code, e.detail]).toEqual([5001, 'refused']);
    expect(delays).toEqual([10, 20]);
  });
});
