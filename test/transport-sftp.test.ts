// The SFTP transport against a real OpenSSH server (internal-sftp) on loopback.

import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ImportConfig } from '../src/config.js';
import { FramError } from '../src/errors.js';
import { sftpTransport } from '../src/transports/sftp.js';
import { readSecrets } from '../src/transports/index.js';
import { secretReader } from '../src/config/secrets.js';
import { TargetExistsError, type ConnectOptions, type Transport } from '../src/transports/transport.js';
import { PASSWORD_ENV, UNCAPPED, freePort, makeTempDir } from './servers/common.js';
import { importConfig, sha256 } from './servers/import-config.js';
import { startSftpServer, type SftpTestServer } from './servers/sftp.js';

/** Options as the tests write them: the env the import's secrets are read from, as a process's caller reads them. */
type EnvOptions = ConnectOptions & { env: NodeJS.ProcessEnv };

/** The opener as createConnect calls it: the secrets its protocol declares, read from `env` first (config/secrets.ts). */
function openWithEnv(imp: ImportConfig, { env, ...o }: EnvOptions): Promise<Transport> {
  return sftpTransport.open(
    imp as Parameters<typeof sftpTransport.open>[0],
    readSecrets(sftpTransport, imp, secretReader(env)),
    o,
  );
}

const password = inject('testPassword');
const opts: EnvOptions = { env: { [PASSWORD_ENV]: password }, connectTimeoutMs: 5000, idleTimeoutMs: 5000 };
const BIG = 50 * 1024 * 1024;

let server: SftpTestServer;
let local: string;
let big: Buffer;
let bigSha: string;
const open: Transport[] = [];
/** Every error a test provoked; none may show a secret. */
const seen: unknown[] = [];

beforeAll(async () => {
  server = await startSftpServer({ password });
  local = makeTempDir('sftp-test');
  big = randomBytes(BIG);
  bigSha = sha256(big);
});

afterAll(async () => {
  await server?.stop();
  if (local) rmSync(local, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

/** An import as the config loader would produce it, for the password user of `s`. */
function passwordImport(s: SftpTestServer, extra: Partial<ImportConfig> = {}): ImportConfig {
  return importConfig(s.importFields, extra);
}

/** The same import, logging in as the key user with `keyFile`. */
function keyImport(s: SftpTestServer, keyFile: string, withPassphrase: boolean, extra: Partial<ImportConfig> = {}): ImportConfig {
  const { password: _, ...rest } = passwordImport(s);
  return {
    ...rest,
    username: s.key.username,
    directory: s.key.directory,
    privateKey: { file: keyFile },
    ...(withPassphrase ? { passphrase: { env: PASSWORD_ENV } } : {}),
    ...extra,
  };
}

async function connect(imp: ImportConfig, o: EnvOptions = opts): Promise<Transport> {
  const t = await openWithEnv(imp, o);
  open.push(t);
  return t;
}

/** The error `p` rejects with (it must reject); checked for secrets on the way. */
async function failure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    async (value) => {
      if (value && typeof (value as Transport).close === 'function') await (value as Transport).close();
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  seen.push(err);
  expect(inspect(err, { depth: 10 })).not.toContain(password);
  return err as Error;
}

async function framError(p: Promise<unknown>, code: number): Promise<FramError> {
  const err = await failure(p);
  expect(err).toBeInstanceOf(FramError);
  expect((err as FramError).code, err.message).toBe(code);
  return err as FramError;
}

function keygenFingerprint(publicKeyFile: string): string {
  return /SHA256:\S+/.exec(execFileSync('ssh-keygen', ['-lf', publicKeyFile], { encoding: 'utf8' }))![0];
}

/** The file descriptors of this process that point at `file`. */
function fdsOn(file: string): string[] {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  });
}

/** This process's TCP connections to 127.0.0.1:`port` that are still established. */
function establishedTo(port: number): number {
  const ours = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) ours.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length > 9 && f[2] === `0100007F:${hexPort}` && f[3] === '01' && ours.has(f[9])).length;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 1));
  }
}

const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0);

describe('sftp transport: login and trust', () => {
  it('logs in by password and lists regular files with size and mtime', async () => {
    const content = 'StateID,Start,End,Elig\n123,8/1/2026,6/30/2027,F\n';
    server.put('IC_Eligibility_pw.csv', content);
    const mtime = new Date('2026-11-20T10:11:12Z');
    utimesSync(path.join(server.dropDir, 'IC_Eligibility_pw.csv'), mtime, mtime);
    mkdirSync(path.join(server.dropDir, 'IC_Eligibility_folder'), { recursive: true });
    symlinkSync('IC_Eligibility_pw.csv', path.join(server.dropDir, 'IC_Eligibility_link.csv'));

    const t = await connect(passwordImport(server));
    const files = await t.list();
    expect(files).toContainEqual({ name: 'IC_Eligibility_pw.csv', size: Buffer.byteLength(content), mtime });
    const names = files.map((f) => f.name);
    expect(names).not.toContain('IC_Eligibility_folder');
    expect(names).not.toContain('IC_Eligibility_link.csv');
    expect(t.peer).toEqual({ kind: 'host key', fingerprint: server.fingerprint });
  });

  it('accepts \\ as a folder separator in directory', async () => {
    const t = await connect(passwordImport(server, { directory: (server.importFields.directory as string).replace('/', '\\') }));
    expect((await t.list()).map((f) => f.name)).toContain('IC_Eligibility_pw.csv');
  });

  it('logs in by key, with and without a passphrase', async () => {
    server.key.put('IC_Eligibility_key.csv', 'k'.repeat(1234));
    const mtime = new Date('2026-09-01T06:00:59Z');
    utimesSync(path.join(server.key.dropDir, 'IC_Eligibility_key.csv'), mtime, mtime);
    for (const [keyFile, withPassphrase] of [
      [server.key.privateKeyFile, false],
      [server.key.encryptedKeyFile, true],
    ] as const) {
      const t = await connect(keyImport(server, keyFile, withPassphrase));
      expect(await t.list()).toContainEqual({ name: 'IC_Eligibility_key.csv', size: 1234, mtime });
    }
  });

  it('refuses an encrypted key with the wrong passphrase (5002)', async () => {
    const imp = keyImport(server, server.key.encryptedKeyFile, true);
    const err = await framError(openWithEnv(imp, { ...opts, env: { [PASSWORD_ENV]: 'not-the-passphrase' } }), 5002);
    expect(err.message).toContain(server.key.username);
  });

  it('reports the pinned host key as ssh-keygen -lf prints it', async () => {
    const t = await connect(passwordImport(server));
    expect(t.peer?.fingerprint).toBe(keygenFingerprint(server.hostPublicKeyFile));
  });

  it('refuses a host key that does not match the pin (5004), naming the real one', async () => {
    const wrong = `SHA256:${createHash('sha256').update('another host').digest('base64').replace(/=+$/, '')}`;
    const err = await framError(openWithEnv(passwordImport(server, { hostKeySha256: wrong }), opts), 5004);
    expect(err.message).toContain(server.fingerprint!);
    expect(err.message).not.toContain('Host denied');
  });

  it('refuses any host key when nothing is pinned (5004)', async () => {
    const err = await framError(openWithEnv(passwordImport(server, { hostKeySha256: undefined }), opts), 5004);
    expect(err.message).toBe(`Host key ${server.fingerprint} is not trusted`);
  });

  it('connects to an unpinned host with insecureAcceptAnyHostKey', async () => {
    const t = await connect(passwordImport(server, { hostKeySha256: undefined, insecureAcceptAnyHostKey: true }));
    expect(t.peer?.fingerprint).toBe(server.fingerprint);
    expect((await t.list()).length).toBeGreaterThan(0);
  });

  it('reports a wrong password as 5002, without either password', async () => {
    const wrong = `Wrong${randomBytes(8).toString('hex')}`;
    const err = await framError(openWithEnv(passwordImport(server), { ...opts, env: { [PASSWORD_ENV]: wrong } }), 5002);
    expect(err.message).toBe('Authentication failed for user framsftp');
    expect(inspect(err, { depth: 10 })).not.toContain(wrong);
  });

  it('reports a refused port as 5001 connection refused', async () => {
    const port = await freePort();
    const err = await framError(openWithEnv(passwordImport(server, { port }), opts), 5001);
    expect(err.message).toBe('Could not connect to 127.0.0.1: connection refused');
  });

  it('reports an unknown host as 5001 DNS lookup failed', async () => {
    const err = await framError(openWithEnv(passwordImport(server, { host: 'no-such-host.invalid' }), opts), 5001);
    expect(err.message).toContain('DNS lookup failed for no-such-host.invalid');
  });

  it('reports a server that never answers as 5001 timed out', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const err = await framError(openWithEnv(passwordImport(server, { port }), { ...opts, connectTimeoutMs: 1000 }), 5001);
      expect(err.message).toBe('Could not connect to 127.0.0.1: timed out after 1 s');
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it('reports a missing directory, or a file given as directory, as 5003', async () => {
    const err = await framError(openWithEnv(passwordImport(server, { directory: 'no/such/folder' }), opts), 5003);
    expect(err.message).toBe("Directory 'no/such/folder' not found");
    const file = `${server.importFields.directory as string}/IC_Eligibility_pw.csv`;
    await framError(openWithEnv(passwordImport(server, { directory: file }), opts), 5003);
  });
});

describe('sftp transport: files', () => {
  it('downloads a 50 MB file with the right byte count and SHA-256', async () => {
    server.put('IC_Eligibility_big.bin', big);
    const t = await connect(passwordImport(server));
    const target = path.join(local, 'big.bin');
    expect(await t.download('IC_Eligibility_big.bin', target, UNCAPPED)).toBe(BIG);
    expect(sha256(readFileSync(target))).toBe(bigSha);
    expect(fdsOn(target)).toEqual([]);
    rmSync(target);
  });

  it('downloads an empty file', async () => {
    server.put('IC_Eligibility_empty.csv', '');
    const t = await connect(passwordImport(server));
    const target = path.join(local, 'empty.csv');
    expect(await t.download('IC_Eligibility_empty.csv', target, UNCAPPED)).toBe(0);
    expect(statSync(target).size).toBe(0);
  });

  it('rejects a missing remote file (5010) or a missing local folder (5020, naming the path), and stays usable', async () => {
    server.put('IC_Eligibility_local.csv', 'x');
    const t = await connect(passwordImport(server));
    const gone = path.join(local, 'gone.csv');
    await framError(t.download('IC_Eligibility_gone.csv', gone, UNCAPPED), 5010);
    expect(existsSync(gone)).toBe(false);
    const nowhere = path.join(local, 'no', 'such', 'x.csv');
    const err = await framError(t.download('IC_Eligibility_local.csv', nowhere, UNCAPPED), 5020);
    expect(err.message).toBe(`Cannot use ${nowhere}: the folder or file does not exist while writing the download`);
    expect((await t.list()).map((f) => f.name)).toContain('IC_Eligibility_local.csv');
  });

  it('renames to a free name, and refuses a taken one leaving both files as they were', async () => {
    server.put('IC_Eligibility_r1.csv', 'one');
    server.put('IC_Eligibility_r2.csv', 'two');
    const t = await connect(passwordImport(server));
    await t.rename('IC_Eligibility_r1.csv', 'P_IC_Eligibility_20261122010000_r1.csv');
    expect(existsSync(path.join(server.dropDir, 'IC_Eligibility_r1.csv'))).toBe(false);
    expect(readFileSync(path.join(server.dropDir, 'P_IC_Eligibility_20261122010000_r1.csv'), 'utf8')).toBe('one');

    const err = await failure(t.rename('IC_Eligibility_r2.csv', 'P_IC_Eligibility_20261122010000_r1.csv'));
    expect(err).toBeInstanceOf(TargetExistsError);
    expect((err as TargetExistsError).target).toBe('P_IC_Eligibility_20261122010000_r1.csv');
    expect(readFileSync(path.join(server.dropDir, 'IC_Eligibility_r2.csv'), 'utf8')).toBe('two');
    expect(readFileSync(path.join(server.dropDir, 'P_IC_Eligibility_20261122010000_r1.csv'), 'utf8')).toBe('one');
  });

  it('rejects a rename in a folder the user may not write (5015)', async () => {
    server.put('IC_Eligibility_ro.csv', 'read only');
    const t = await connect(passwordImport(server));
    chmodSync(server.dropDir, 0o555);
    try {
      const err = await framError(t.rename('IC_Eligibility_ro.csv', 'P_IC_Eligibility_ro.csv'), 5015);
      expect(err.message).toContain("may not rename 'IC_Eligibility_ro.csv' to 'P_IC_Eligibility_ro.csv'");
    } finally {
      chmodSync(server.dropDir, 0o755);
    }
    expect(readFileSync(path.join(server.dropDir, 'IC_Eligibility_ro.csv'), 'utf8')).toBe('read only');
    expect(existsSync(path.join(server.dropDir, 'P_IC_Eligibility_ro.csv'))).toBe(false);
  });

  it('closes twice without complaint, and refuses work afterwards (5001)', async () => {
    const t = await openWithEnv(passwordImport(server), opts);
    await t.close();
    await t.close();
    await framError(t.list(), 5001);
  });
});

describe('sftp transport: a server that goes away', () => {
  it('rejects a download within the idle timeout when the server hangs, and drops the connection', async () => {
    server.put('IC_Eligibility_hang.bin', big);
    const before = establishedTo(server.port);
    const t = await connect(passwordImport(server));
    const target = path.join(local, 'hang.bin');
    const download = failure(t.download('IC_Eligibility_hang.bin', target, UNCAPPED));
    await until(() => sizeOf(target) > 0, 20_000);
    server.signalSessions('SIGSTOP');
    const stoppedAt = Date.now();
    try {
      const err = await download;
      const waited = Date.now() - stoppedAt;
      expect(err).toBeInstanceOf(FramError);
      expect((err as FramError).code).toBe(5001);
      expect(err.message).toContain('timed out after 5 s');
      expect((err as FramError).detail).toBe('timeout');
      expect(waited).toBeGreaterThanOrEqual(4_000);
      expect(waited).toBeLessThan(opts.idleTimeoutMs + 3_000);
      expect(sizeOf(target)).toBeLessThan(BIG);
      expect(fdsOn(target)).toEqual([]);
      await until(() => establishedTo(server.port) === before, 2_000);
      await framError(t.list(), 5001);
    } finally {
      server.signalSessions('SIGCONT');
    }
  });

  it('rejects a download when the server is killed, without waiting for the idle timeout', async () => {
    const doomed = await startSftpServer({ password });
    try {
      doomed.put('IC_Eligibility_doomed.bin', big);
      const t = await connect(passwordImport(doomed));
      const target = path.join(local, 'doomed.bin');
      const download = failure(t.download('IC_Eligibility_doomed.bin', target, UNCAPPED));
      await until(() => sizeOf(target) > 0, 20_000);
      // Freeze first, so the transfer cannot finish while the processes are being killed.
      doomed.signalSessions('SIGSTOP');
      const killedAt = Date.now();
      await doomed.stop();
      const err = await download;
      expect(err).toBeInstanceOf(FramError);
      expect((err as FramError).code).toBe(5001);
      expect(err.message).toBe('Could not connect to 127.0.0.1: connection lost');
      expect((err as FramError).detail).toBe('lost');
      expect(Date.now() - killedAt).toBeLessThan(opts.idleTimeoutMs);
      expect(sizeOf(target)).toBeLessThan(BIG);
      expect(fdsOn(target)).toEqual([]);
      expect(establishedTo(doomed.port)).toBe(0);
    } finally {
      await doomed.stop();
    }
  });
});

describe('sftp transport: secrets', () => {
  it('never shows the password (or passphrase) in an error', async () => {
    // Its own failures, so that it proves something when run alone; then every earlier one.
    const wrongPin = `SHA256:${createHash('sha256').update('x').digest('base64').replace(/=+$/, '')}`;
    await framError(openWithEnv(passwordImport(server, { hostKeySha256: wrongPin }), opts), 5004);
    await framError(openWithEnv(passwordImport(server, { username: 'framftp' }), opts), 5002);
    await framError(openWithEnv(keyImport(server, server.key.encryptedKeyFile, true, { directory: 'missing' }), opts), 5003);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (const err of seen) {
      expect(String((err as Error).message)).not.toContain(password);
      expect(inspect(err, { depth: 10 })).not.toContain(password);
      expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain(password);
    }
  });
});
