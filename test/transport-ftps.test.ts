// The FTPS transport against real vsftpd servers, implicit and explicit TLS.

import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ImportConfig } from '../src/config.js';
import { FramError } from '../src/errors.js';
import { ftpsTransport } from '../src/transports/ftps.js';
import { readSecrets } from '../src/transports/index.js';
import { secretReader } from '../src/config/secrets.js';
import { TargetExistsError, type ConnectOptions, type Transport } from '../src/transports/transport.js';
import { freePort, makeTempDir, PASSWORD_ENV, UNCAPPED, userInfo } from './servers/common.js';
import { importConfig, sha256 } from './servers/import-config.js';
import { FTPS_USER, startFtpsServer, type FtpsTestServer } from './servers/ftps.js';

/** Options as the tests write them: the env the import's secrets are read from, as a process's caller reads them. */
type EnvOptions = ConnectOptions & { env: NodeJS.ProcessEnv };

/** The opener as createConnect calls it: the secrets its protocol declares, read from `env` first (config/secrets.ts). */
function openWithEnv(imp: ImportConfig, { env, ...o }: EnvOptions): Promise<Transport> {
  return ftpsTransport.open(
    imp as Parameters<typeof ftpsTransport.open>[0],
    readSecrets(ftpsTransport, imp, secretReader(env)),
    o,
  );
}

const password = inject('testPassword');
const MODES = ['implicit', 'explicit'] as const;
type Mode = (typeof MODES)[number];

const opts: EnvOptions = { env: { [PASSWORD_ENV]: password }, connectTimeoutMs: 5000, idleTimeoutMs: 5000 };

const servers = new Map<Mode, FtpsTestServer>();
let work: string;
let big: Buffer;
let bigSha: string;

const colonHex = (hex: string) => hex.toUpperCase().match(/../g)!.join(':');

beforeAll(async () => {
  work = makeTempDir('ftps-test');
  big = randomBytes(50 * 1024 * 1024);
  bigSha = sha256(big);
  const started = await Promise.all(MODES.map((mode) => startFtpsServer({ password, mode })));
  MODES.forEach((mode, i) => servers.set(mode, started[i]));
});

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Every required field of an import, from the server's fields; `over` changes some. */
function importFor(server: FtpsTestServer, over: Partial<ImportConfig> = {}): ImportConfig {
  return importConfig(server.importFields, over);
}

/** Fails when the password shows anywhere in an error: message, stack, causes. */
function expectNoPassword(e: unknown): void {
  const text = inspect(e, { depth: 10 });
  expect(text.includes(password)).toBe(false);
  expect(String((e as Error).message).includes(password)).toBe(false);
}

/** The FramError a promise rejects with, checked for its code and for the password. */
async function framError(p: Promise<unknown>, code: number): Promise<FramError> {
  const e = await p.then(
    () => {
      throw new Error(`expected FramError ${code}, but it succeeded`);
    },
    (err: unknown) => err,
  );
  expectNoPassword(e);
  expect(e).toBeInstanceOf(FramError);
  expect((e as FramError).code, (e as Error).message).toBe(code);
  return e as FramError;
}

async function withTransport<T>(imp: ImportConfig, fn: (t: Transport) => Promise<T>, o: EnvOptions = opts): Promise<T> {
  const t = await openWithEnv(imp, o);
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}

/** Resolves once the local file has some bytes in it. */
async function firstBytes(file: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    if (existsSync(file) && statSync(file).size > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no bytes arrived in ${file}`);
}

describe.each(MODES)('ftps (%s)', (mode) => {
  const server = () => servers.get(mode)!;
  const local = (name: string) => path.join(work, `${mode}-${name}`);

  it('trusts the caFile, and shows the certificate as its peer', async () => {
    await withTransport(importFor(server()), async (t) => {
      expect(t.peer).toEqual({
        kind: 'certificate',
        fingerprint: server().fingerprint,
        detail: expect.stringContaining('subject CN=127.0.0.1'),
      });
      expect(t.peer!.detail).toContain('issuer CN=127.0.0.1');
      expect(t.peer!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  it('lists regular files with their exact size and modified time to the second', async () => {
    const s = server();
    s.put('IC_Eligibility_old.csv', 'old,file\n');
    utimesSync(
      path.join(s.dropDir, 'IC_Eligibility_old.csv'),
      new Date('2025-03-04T05:06:07.250Z'),
      new Date('2025-03-04T05:06:07.250Z'),
    );
    s.put('IC_Eligibility_new.csv', 'a'.repeat(12_345));
    const sub = path.join(s.dropDir, 'IC_Eligibility_folder');
    mkdirSync(sub, { recursive: true });
    const user = userInfo(FTPS_USER);
    chownSync(sub, user.uid, user.gid);

    const files = await withTransport(importFor(s), (t) => t.list());
    expect(files.map((f) => f.name)).not.toContain('IC_Eligibility_folder');
    for (const name of ['IC_Eligibility_old.csv', 'IC_Eligibility_new.csv']) {
      const st = statSync(path.join(s.dropDir, name));
      const f = files.find((x) => x.name === name);
      expect(f, name).toBeDefined();
      expect(f!.size).toBe(st.size);
      expect(f!.mtime.getTime()).toBe(Math.floor(st.mtimeMs / 1000) * 1000);
    }
    expect(files.find((f) => f.name === 'IC_Eligibility_old.csv')!.mtime.toISOString()).toBe('2025-03-04T05:06:07.000Z');
  });

  it('trusts a pinned certSha256 without caFile, on the data connections too', async () => {
    const s = server();
    s.put('pinned.csv', 'pinned\n');
    await withTransport(importFor(s, { caFile: undefined, certSha256: s.fingerprint }), async (t) => {
      expect(t.peer!.fingerprint).toBe(s.fingerprint);
      expect((await t.list()).map((f) => f.name)).toContain('pinned.csv');
      expect(await t.download('pinned.csv', local('pinned.csv'), UNCAPPED)).toBe(7);
      expect(readFileSync(local('pinned.csv'), 'utf8')).toBe('pinned\n');
    });
  });

  it('refuses a certificate that neither the system CAs nor a pin trust: 5005 with its fingerprint', async () => {
    const s = server();
    const e = await framError(openWithEnv(importFor(s, { caFile: undefined }), opts), 5005);
    expect(e.message).toContain(colonHex(s.fingerprint));
    expect(e.message).toContain('self-signed certificate');
  });

  it('refuses a wrong pin with 5005, even when the caFile would trust it', async () => {
    const s = server();
    const wrong = 'ab'.repeat(32);
    for (const caFile of [undefined, s.certFile]) {
      const e = await framError(openWithEnv(importFor(s, { caFile, certSha256: wrong }), opts), 5005);
      expect(e.message).toContain(colonHex(s.fingerprint));
      expect(e.message).toContain('does not match the pinned certificate');
    }
  });

  it('connects with insecureTls and still records the fingerprint', async () => {
    const s = server();
    s.put('insecure.csv', 'x');
    await withTransport(importFor(s, { caFile: undefined, insecureTls: true }), async (t) => {
      expect(t.peer!.fingerprint).toBe(s.fingerprint);
      expect((await t.list()).map((f) => f.name)).toContain('insecure.csv');
    });
  });

  it('a wrong password is 5002, naming the user', async () => {
    const wrong: EnvOptions = { ...opts, env: { [PASSWORD_ENV]: `${password}x` } };
    const e = await framError(openWithEnv(importFor(server()), wrong), 5002);
    expect(e.message).toContain(FTPS_USER);
    expect(e.message).not.toContain(`${password}x`);
  });

  it('a refused port and an unknown host are 5001, saying which', async () => {
    const refused = await framError(openWithEnv(importFor(server(), { port: await freePort() }), opts), 5001);
    expect(refused.message).toMatch(/connection refused/);
    const dns = await framError(openWithEnv(importFor(server(), { host: 'no-such-host.invalid' }), opts), 5001);
    expect(dns.message).toMatch(/DNS lookup of no-such-host\.invalid failed/);
  });

  it('the other TLS mode is 5001 (a handshake error, or a timeout on an implicit port)', async () => {
    const other: Mode = mode === 'implicit' ? 'explicit' : 'implicit';
    const started = Date.now();
    const e = await framError(openWithEnv(importFor(server(), { ftpsMode: other }), opts), 5001);
    expect(e.message).toContain('ftpsMode');
    if (other === 'explicit') {
      expect(e.message).toMatch(/timed out after 5000 ms/);
      expect(Date.now() - started).toBeLessThan(opts.connectTimeoutMs + 2000);
    } else {
      expect(e.message).toMatch(/TLS failed/);
    }
  });

  it('a missing directory is 5003', async () => {
    const e = await framError(openWithEnv(importFor(server(), { directory: 'no-such-folder' }), opts), 5003);
    expect(e.message).toContain('no-such-folder');
  });

  it('downloads a 50 MB file with the same byte count and SHA-256', async () => {
    const s = server();
    s.put('big.bin', big);
    const bytes = await withTransport(importFor(s), (t) => t.download('big.bin', local('big.bin'), UNCAPPED));
    expect(bytes).toBe(big.length);
    const got = readFileSync(local('big.bin'));
    expect(got.length).toBe(big.length);
    expect(sha256(got)).toBe(bigSha);
    rmSync(local('big.bin'));
  });

  it('a file that is gone is 5010 on download', async () => {
    const e = await framError(
      withTransport(importFor(server()), (t) => t.download('not-there.csv', local('not-there'), UNCAPPED)),
      5010,
    );
    expect(e.message).toContain('not-there.csv');
  });

  it('renames to a free name, and never onto an existing one', async () => {
    const s = server();
    s.put('r-from.csv', 'FROM');
    s.put('r-taken.csv', 'TAKEN');
    await withTransport(importFor(s), async (t) => {
      await t.rename('r-from.csv', 'r-moved.csv');
      expect(existsSync(path.join(s.dropDir, 'r-from.csv'))).toBe(false);
      expect(readFileSync(path.join(s.dropDir, 'r-moved.csv'), 'utf8')).toBe('FROM');

      const e = await t.rename('r-moved.csv', 'r-taken.csv').then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(TargetExistsError);
      expect((e as TargetExistsError).target).toBe('r-taken.csv');
      expect(readFileSync(path.join(s.dropDir, 'r-taken.csv'), 'utf8')).toBe('TAKEN');
      expect(readFileSync(path.join(s.dropDir, 'r-moved.csv'), 'utf8')).toBe('FROM');
      // The session is still usable after the refusal.
      expect((await t.list()).map((f) => f.name)).toEqual(expect.arrayContaining(['r-moved.csv', 'r-taken.csv']));
    });
  });

  it('a rename in a folder the user cannot write is refused: permission denied', async () => {
    const s = server();
    s.put('ro.csv', 'ro');
    chmodSync(s.dropDir, 0o555);
    try {
      const e = await framError(
        withTransport(importFor(s), (t) => t.rename('ro.csv', 'ro-renamed.csv')),
        5015,
      );
      expect(e.message).toMatch(/Permission denied/);
      expect(e.message).toContain('ro.csv');
    } finally {
      chmodSync(s.dropDir, 0o755);
    }
    expect(readFileSync(path.join(s.dropDir, 'ro.csv'), 'utf8')).toBe('ro');
    expect(existsSync(path.join(s.dropDir, 'ro-renamed.csv'))).toBe(false);
  });

  it('operations started at once all succeed (one queue)', async () => {
    const s = server();
    s.put('q1.csv', 'one');
    s.put('q2.csv', 'second file');
    await withTransport(importFor(s), async (t) => {
      const [list, n1, n2, list2] = await Promise.all([
        t.list(),
        t.download('q1.csv', local('q1.csv'), UNCAPPED),
        t.download('q2.csv', local('q2.csv'), UNCAPPED),
        t.list(),
      ]);
      expect(list.map((f) => f.name)).toEqual(expect.arrayContaining(['q1.csv', 'q2.csv']));
      expect(list2).toEqual(list);
      expect([n1, n2]).toEqual([3, 11]);
      expect(readFileSync(local('q2.csv'), 'utf8')).toBe('second file');
    });
  });

  it('close is idempotent, and nothing runs after it', async () => {
    const t = await openWithEnv(importFor(server()), opts);
    await Promise.all([t.close(), t.close()]);
    await t.close();
    await expect(t.list()).rejects.toThrow(/closed/);
  });

  it('no error message or cause contains the password', async () => {
    const s = server();
    const port = await freePort();
    const failures = [
      () => openWithEnv(importFor(s), { ...opts, env: { [PASSWORD_ENV]: `${password}x` } }),
      () => openWithEnv(importFor(s, { caFile: undefined }), opts),
      () => openWithEnv(importFor(s, { directory: 'no-such-folder' }), opts),
      () => openWithEnv(importFor(s, { port }), opts),
    ];
    for (const attempt of failures) {
      const e = await attempt().then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(FramError);
      expectNoPassword(e);
      expect(inspect(e, { depth: 10 })).not.toContain(`${password}x`);
    }
  });

  describe('a server that goes away mid-download', () => {
    let slow: FtpsTestServer;
    const size = 40 * 1024 * 1024;

    beforeAll(async () => {
      // 2 MB/s: the 40 MB download is still running when the server is frozen or killed.
      slow = await startFtpsServer({ password, mode, maxRate: 2 * 1024 * 1024 });
      slow.put('slow.bin', big.subarray(0, size));
    });
    afterAll(async () => {
      slow.signal('SIGCONT');
      await slow.stop();
    });

    it('a frozen server: rejects with 5001 after the idle timeout', async () => {
      const t = await openWithEnv(importFor(slow), opts);
      try {
        const file = local('frozen.bin');
        const download = t.download('slow.bin', file, UNCAPPED).then(
          () => null,
          (err: unknown) => err,
        );
        await firstBytes(file);
        slow.signal('SIGSTOP');
        const stoppedAt = Date.now();
        const e = await download;
        const waited = Date.now() - stoppedAt;
        slow.signal('SIGCONT');
        expect(e).toBeInstanceOf(FramError);
        expect((e as FramError).code).toBe(5001);
        expect((e as Error).message).toMatch(/timed out: no progress for 5000 ms/);
        expect((e as FramError).detail).toBe('timeout');
        expectNoPassword(e);
        expect(statSync(file).size).toBeLessThan(size);
        expect(waited).toBeGreaterThanOrEqual(opts.idleTimeoutMs - 1000);
        expect(waited).toBeLessThan(opts.idleTimeoutMs * 2 + 2000);
      } finally {
        slow.signal('SIGCONT');
        await t.close();
      }
    });

    it('a killed server: rejects with 5001 well within the idle timeout', async () => {
      const t = await openWithEnv(importFor(slow), opts);
      try {
        const file = local('killed.bin');
        const download = t.download('slow.bin', file, UNCAPPED).then(
          () => null,
          (err: unknown) => err,
        );
        await firstBytes(file);
        slow.signal('SIGKILL');
        const killedAt = Date.now();
        const e = await download;
        expect(e).toBeInstanceOf(FramError);
        expect((e as FramError).code).toBe(5001);
        // The server's end of both connections closed with it: lost, not waited out.
        expect((e as Error).message).toMatch(/connection lost/);
        expect((e as FramError).detail).toBe('lost');
        expectNoPassword(e);
        expect(Date.now() - killedAt).toBeLessThan(opts.idleTimeoutMs);
        expect(statSync(file).size).toBeLessThan(size);
        // The connection is gone for good: later operations fail the same way, and close still works.
        await framError(t.list(), 5001);
      } finally {
        await t.close();
      }
    });
  });
});
