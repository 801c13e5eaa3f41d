// The SMB transport (smbclient as a child process) against real Samba servers: defaults,
// signing mandatory, encryption required and SMB3_11 only. The output parser: smb-parse.test.ts.

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ImportConfig } from '../src/config.js';
import { FramError } from '../src/errors.js';
import { createConnect, readSecrets } from '../src/transports/index.js';
import { secretReader } from '../src/config/secrets.js';
import { onSmbclientSpawn, SMBCLIENT_DIR_PREFIX, smbTransport } from '../src/transports/smb.js';
import { TargetExistsError, type ConnectOptions, type Transport } from '../src/transports/transport.js';
import { freePort, makeTempDir, PASSWORD_ENV, UNCAPPED, userInfo } from './servers/common.js';
import { importConfig, sha256 } from './servers/import-config.js';
import { childPids, SMB_USER, startSmbServer, type SambaVariant, type SmbTestServer } from './servers/smb.js';

/** Options as the tests write them: the env the import's secrets are read from, as a process's caller reads them. */
type EnvOptions = ConnectOptions & { env: NodeJS.ProcessEnv };

/** The opener as createConnect calls it: the secrets its protocol declares, read from `env` first (config/secrets.ts). */
function openWithEnv(imp: ImportConfig, { env, ...o }: EnvOptions): Promise<Transport> {
  return smbTransport.open(imp as Parameters<typeof smbTransport.open>[0], readSecrets(smbTransport, imp, secretReader(env)), o);
}

const password = inject('testPassword');
const VARIANTS: SambaVariant[] = ['defaults', 'signing', 'encrypt', 'smb3'];
const OPTS: EnvOptions = { env: { [PASSWORD_ENV]: password }, connectTimeoutMs: 5000, idleTimeoutMs: 5000 };

const servers = new Map<SambaVariant, SmbTestServer>();
let work: string;
let big: Buffer;
let bigSha: string;

beforeAll(async () => {
  work = makeTempDir('smb-test');
  big = randomBytes(50 * 1024 * 1024);
  bigSha = sha256(big);
  const started = await Promise.all(VARIANTS.map((variant) => startSmbServer({ password, variant })));
  VARIANTS.forEach((variant, i) => servers.set(variant, started[i]));
});

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Every required field of an import, from the server's fields; `over` changes some. */
function importFor(server: SmbTestServer, over: Partial<ImportConfig> = {}): ImportConfig {
  return importConfig(server.importFields, over);
}

/** The rejection of `p` (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection, but it resolved');
}

/** Every message and stack in an error's cause chain, for leak checks. */
function allText(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e, depth = 0; c && depth < 10; c = (c as { cause?: unknown }).cause, depth++) {
    parts.push(String((c as Error).message), String((c as Error).stack));
  }
  return parts.join('\n');
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe.each(VARIANTS)('smb transport against Samba: %s', (variant) => {
  const server = () => servers.get(variant)!;

  it('lists regular files with their size and mtime (to the second), not folders', async () => {
    const s = server();
    const user = userInfo(SMB_USER);
    s.put('IC_Eligibility_list.csv', 'a,b\n1,2\n');
    const when = new Date('2026-03-04T05:06:07.654Z');
    utimesSync(path.join(s.dropDir, 'IC_Eligibility_list.csv'), when, when);
    s.put('Other name with spaces.txt', randomBytes(1234));
    mkdirSync(path.join(s.dropDir, 'IC_Eligibility_folder'));
    chownSync(path.join(s.dropDir, 'IC_Eligibility_folder'), user.uid, user.gid);

    const t = await openWithEnv(importFor(s), OPTS);
    try {
      const files = await t.list();
      const names = files.map((f) => f.name);
      expect(names).not.toContain('IC_Eligibility_folder');
      expect(names).not.toContain('.');
      expect(names).not.toContain('..');
      for (const name of ['IC_Eligibility_list.csv', 'Other name with spaces.txt']) {
        const f = files.find((x) => x.name === name)!;
        expect(f, name).toBeDefined();
        const st = statSync(path.join(s.dropDir, name));
        expect(f.size).toBe(st.size);
        expect(f.mtime.getTime()).toBe(Math.floor(st.mtimeMs / 1000) * 1000);
      }
      expect(files.find((f) => f.name === 'IC_Eligibility_list.csv')!.mtime.toISOString()).toBe('2026-03-04T05:06:07.000Z');
    } finally {
      await t.close();
    }
  });

  it('downloads a 50 MB file byte for byte', async () => {
    const s = server();
    s.put('IC_Eligibility_big.bin', big);
    const t = await openWithEnv(importFor(s), OPTS);
    try {
      const local = path.join(work, `${variant}-big.part`);
      const bytes = await t.download('IC_Eligibility_big.bin', local, UNCAPPED);
      expect(bytes).toBe(big.length);
      const got = readFileSync(local);
      expect(got.length).toBe(big.length);
      expect(sha256(got)).toBe(bigSha);
      expect(got.equals(big)).toBe(true);
      rmSync(local);
    } finally {
      await t.close();
    }
  });

  it('renames to a free name', async () => {
    const s = server();
    s.put('IC_Eligibility_r.csv', 'rename me');
    const t = await openWithEnv(importFor(s), OPTS);
    try {
      await t.rename('IC_Eligibility_r.csv', 'P_IC_Eligibility_20261122010000_r.csv');
      expect(existsSync(path.join(s.dropDir, 'IC_Eligibility_r.csv'))).toBe(false);
      expect(readFileSync(path.join(s.dropDir, 'P_IC_Eligibility_20261122010000_r.csv'), 'utf8')).toBe('rename me');
      expect((await t.list()).map((f) => f.name)).toContain('P_IC_Eligibility_20261122010000_r.csv');
    } finally {
      await t.close();
    }
  });

  it('refuses to rename onto an existing name (also one that differs only in case) and leaves both files as they were', async () => {
    const s = server();
    s.put('IC_Eligibility_c.csv', 'source');
    s.put('P_taken.csv', 'taken');
    const t = await openWithEnv(importFor(s), OPTS);
    try {
      for (const target of ['P_taken.csv', 'p_TAKEN.csv']) {
        const e = await rejection(t.rename('IC_Eligibility_c.csv', target));
        expect(e).toBeInstanceOf(TargetExistsError);
        expect((e as TargetExistsError).target).toBe(target);
      }
      expect(readFileSync(path.join(s.dropDir, 'P_taken.csv'), 'utf8')).toBe('taken');
      expect(readFileSync(path.join(s.dropDir, 'IC_Eligibility_c.csv'), 'utf8')).toBe('source');
    } finally {
      await t.close();
    }
  });
});

describe('smb transport failures (defaults server)', () => {
  const server = () => servers.get('defaults')!;
  const expectCode = (e: Error, code: number) => {
    expect(e, allText(e)).toBeInstanceOf(FramError);
    expect((e as FramError).code, e.message).toBe(code);
  };

  it('a wrong password fails at connect with 5002, and no message shows either password', async () => {
    const wrong = `Bad${randomBytes(8).toString('hex')}`;
    const e = await rejection(openWithEnv(importFor(server()), { ...OPTS, env: { [PASSWORD_ENV]: wrong } }));
    expectCode(e, 5002);
    expect(e.message).toContain(SMB_USER);
    expect(allText(e)).not.toContain(wrong);
    expect(allText(e)).not.toContain(password);
  });

  it('a refused port fails with 5001 naming the reason', async () => {
    const port = await freePort();
    const e = await rejection(openWithEnv(importFor(server(), { port }), OPTS));
    expectCode(e, 5001);
    expect(e.message).toMatch(/refused/);
  });

  it('a host name that does not resolve fails with 5001 naming name resolution', async () => {
    const e = await rejection(openWithEnv(importFor(server(), { host: 'no-such-host.invalid' }), OPTS));
    expectCode(e, 5001);
    expect(e.message).toMatch(/name resolution failed/);
  });

  it('a server that accepts but never answers fails with 5001 (timed out) instead of hanging', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((sock) => {
      sockets.push(sock);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const e = await rejection(
        openWithEnv(importFor(server(), { port }), { ...OPTS, connectTimeoutMs: 1000, idleTimeoutMs: 1000 }),
      );
      expectCode(e, 5001);
      expect(e.message).toMatch(/timed out/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('a missing share fails with 5003', async () => {
    const e = await rejection(openWithEnv(importFor(server(), { directory: 'nosuchshare/Exports' }), OPTS));
    expectCode(e, 5003);
    expect(e.message).toContain('nosuchshare/Exports');
  });

  it('a missing folder fails with 5003', async () => {
    const directory = `${server().share}\\Exports\\Missing`;
    const e = await rejection(openWithEnv(importFor(server(), { directory }), OPTS));
    expectCode(e, 5003);
    expect(e.message).toContain(directory);
  });

  it('a folder the user cannot write (0555) lists, downloads, and refuses the rename with 5015', async () => {
    const s = server();
    const user = userInfo(SMB_USER);
    const ro = path.join(s.shareDir, 'ReadOnly');
    mkdirSync(ro);
    writeFileSync(path.join(ro, 'IC_Eligibility_ro.csv'), 'read only');
    chownSync(path.join(ro, 'IC_Eligibility_ro.csv'), user.uid, user.gid);
    chownSync(ro, user.uid, user.gid);
    chmodSync(ro, 0o555);
    const t = await openWithEnv(importFor(s, { directory: `${s.share}/ReadOnly` }), OPTS);
    try {
      expect((await t.list()).map((f) => f.name)).toEqual(['IC_Eligibility_ro.csv']);
      expect(await t.download('IC_Eligibility_ro.csv', path.join(work, 'ro.part'), UNCAPPED)).toBe(9);
      const e = await rejection(t.rename('IC_Eligibility_ro.csv', 'P_IC_Eligibility_ro.csv'));
      expectCode(e, 5015);
      expect(e.message).toMatch(/NT_STATUS_ACCESS_DENIED/);
      expect(existsSync(path.join(ro, 'IC_Eligibility_ro.csv'))).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('a missing file fails the download with 5010', async () => {
    const t = await openWithEnv(importFor(server()), OPTS);
    try {
      const e = await rejection(t.download('IC_Eligibility_gone.csv', path.join(work, 'gone.part'), UNCAPPED));
      expectCode(e, 5010);
      expect(e.message).toMatch(/not found/);
    } finally {
      await t.close();
    }
  });

  /** Starts a long download (a 4 GiB sparse file) and returns once bytes arrive, with smbd's connection process. */
  async function downloadUnderWay(t: Transport, local: string) {
    const s = server();
    const user = userInfo(SMB_USER);
    const huge = path.join(s.dropDir, 'IC_Eligibility_huge.bin');
    writeFileSync(huge, '');
    truncateSync(huge, 4 * 1024 ** 3);
    chownSync(huge, user.uid, user.gid);
    const before = new Set(childPids(s.pid));
    const outcome = t.download('IC_Eligibility_huge.bin', local, UNCAPPED).then(
      () => null,
      (e: Error) => e,
    );
    await waitFor(() => existsSync(local) && statSync(local).size > 0, 10_000);
    const conn = childPids(s.pid).filter((pid) => !before.has(pid));
    expect(conn, 'one new smbd process serves the download').toHaveLength(1);
    return { outcome, smbd: conn[0], size: 4 * 1024 ** 3 };
  }

  it('an smbd killed mid-download rejects with 5001 (connection lost) well within the idle timeout', async () => {
    const t = await openWithEnv(importFor(server()), OPTS);
    try {
      const local = path.join(work, 'killed.part');
      const { outcome, smbd, size } = await downloadUnderWay(t, local);
      process.kill(smbd, 'SIGKILL');
      const killedAt = Date.now();
      const e = await outcome;
      expect(e).not.toBeNull();
      expectCode(e!, 5001);
      expect(e!.message).toMatch(/connection lost/);
      expect((e as FramError).detail).toBe('lost');
      expect(Date.now() - killedAt).toBeLessThan(OPTS.idleTimeoutMs);
      expect(statSync(local).size).toBeLessThan(size);
      rmSync(local);
    } finally {
      await t.close();
    }
  });

  it('an smbd that stops answering mid-download (SIGSTOP) is given up after the idle timeout with 5001', async () => {
    const t = await openWithEnv(importFor(server()), OPTS);
    let stopped = 0;
    try {
      const local = path.join(work, 'stalled.part');
      const { outcome, smbd, size } = await downloadUnderWay(t, local);
      process.kill(smbd, 'SIGSTOP');
      stopped = smbd;
      const stalledAt = Date.now();
      const e = await outcome;
      const waited = Date.now() - stalledAt;
      expect(e).not.toBeNull();
      expectCode(e!, 5001);
      expect(e!.message).toMatch(/timed out/);
      expect((e as FramError).detail).toBe('timeout');
      expect(waited).toBeLessThan(OPTS.idleTimeoutMs + 1500);
      expect(statSync(local).size).toBeLessThan(size);
      rmSync(local);
    } finally {
      if (stopped) process.kill(stopped, 'SIGKILL');
      await t.close();
      rmSync(path.join(server().dropDir, 'IC_Eligibility_huge.bin'), { force: true });
    }
  });

  it('marks a listed name smbclient cannot take (;) as unsafe, and refuses it and other such names with 5016 without running smbclient', async () => {
    const s = server();
    s.put('IC_Eligibility_x;y.csv', 'semicolon');
    s.put('IC_Eligibility_plain.csv', 'plain');
    const t = await openWithEnv(importFor(s), OPTS);
    const spawned: ChildProcess[] = [];
    const unsubscribe = onSmbclientSpawn((c) => spawned.push(c));
    try {
      const listed = await t.list();
      expect(listed.find((f) => f.name === 'IC_Eligibility_x;y.csv')).toEqual(
        expect.objectContaining({
          size: 9,
          unsafe: 'it contains a semicolon (;), which cannot be passed to smbclient safely',
        }),
      );
      expect(listed.find((f) => f.name === 'IC_Eligibility_plain.csv')).not.toHaveProperty('unsafe');
      expect(spawned).toHaveLength(1);
      // The mark survives the name check every listing passes (names.ts), which has no objection of its own.
      const wrapped = await createConnect(secretReader(OPTS.env), OPTS, { attempts: 1, firstDelayMs: 0 })(importFor(s));
      try {
        expect((await wrapped.list()).find((f) => f.name === 'IC_Eligibility_x;y.csv')?.unsafe).toMatch(/semicolon/);
      } finally {
        await wrapped.close();
      }
      spawned.length = 0;

      const marker = path.join(work, 'injected');
      const attempts: Promise<unknown>[] = [
        t.download('IC_Eligibility_x;y.csv', path.join(work, 'x.part'), UNCAPPED),
        t.download(`a" "${marker}"; rm "IC_Eligibility_list.csv`, path.join(work, 'y.part'), UNCAPPED),
        t.download('IC_Eligibility\n.csv', path.join(work, 'z.part'), UNCAPPED),
        t.rename('IC_Eligibility_x;y.csv', 'P_x.csv'),
        t.rename('IC_Eligibility_plain.csv', 'P_"; rm IC_Eligibility_plain.csv'),
      ];
      for (const p of attempts) {
        const e = await rejection(p);
        expectCode(e, 5016);
        expect(e.message).toMatch(/cannot be used: it contains (a semicolon|a double quote|the control character U\+000A)/);
      }
      expect(spawned).toHaveLength(0);
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(path.join(work, 'x.part'))).toBe(false);
      expect(existsSync(path.join(s.dropDir, 'IC_Eligibility_x;y.csv'))).toBe(true);
      expect(existsSync(path.join(s.dropDir, 'IC_Eligibility_plain.csv'))).toBe(true);

      // The local path never reaches smbclient (it writes to standard output), so any path works.
      const odd = path.join(work, 'semi;colon "quoted".part');
      expect(await t.download('IC_Eligibility_plain.csv', odd, UNCAPPED)).toBe(5);
      expect(readFileSync(odd, 'utf8')).toBe('plain');
      spawned.length = 0;

      for (const directory of [`${s.share}/Ex;ports`, `${s.share}/"Exports"`]) {
        const e = await rejection(openWithEnv(importFor(s, { directory }), OPTS));
        expectCode(e, 5003);
        expect(allText(e)).toMatch(/semicolon|double quote/);
      }
      expect(spawned).toHaveLength(0);
    } finally {
      unsubscribe();
      await t.close();
    }
  });

  it('keeps the password out of argv and env, in a 0600 file in a 0700 fram-smbclient-* folder of workDir that close() and every failure remove', async () => {
    const s = server();
    s.put('IC_Eligibility_argv.csv', 'argv');
    const workDir = path.join(work, 'staging');
    mkdirSync(workDir, { mode: 0o700 });
    const withWorkDir: EnvOptions = { ...OPTS, workDir };
    const clientDirs = () => readdirSync(workDir).filter((n) => n.startsWith(SMBCLIENT_DIR_PREFIX));
    const seen: {
      args: string[];
      cmdline: string;
      environ: string;
      authFile: string;
      fileMode: number;
      dirMode: number;
      content: string;
    }[] = [];
    const unsubscribe = onSmbclientSpawn((c) => {
      // Read while the child runs: spawn returns after exec, so /proc shows smbclient itself.
      const args = c.spawnargs;
      const authFile = args[args.indexOf('-A') + 1];
      seen.push({
        args,
        cmdline: readFileSync(`/proc/${c.pid}/cmdline`, 'utf8'),
        environ: readFileSync(`/proc/${c.pid}/environ`, 'utf8'),
        authFile,
        fileMode: statSync(authFile).mode & 0o777,
        dirMode: statSync(path.dirname(authFile)).mode & 0o777,
        content: readFileSync(authFile, 'utf8'),
      });
    });
    let t: Transport | null = null;
    try {
      t = await openWithEnv(importFor(s), withWorkDir);
      expect(clientDirs()).toHaveLength(1);
      expect(readdirSync(workDir)).toEqual(clientDirs());
      await t.list();
      await t.download('IC_Eligibility_argv.csv', path.join(work, 'argv.part'), UNCAPPED);
      await t.rename('IC_Eligibility_argv.csv', 'P_IC_Eligibility_argv.csv');
      expect(seen).toHaveLength(4);
      for (const run of seen) {
        expect(run.cmdline.split('\0')[0]).toMatch(/smbclient$/);
        expect(run.cmdline).toContain('-A');
        expect(run.cmdline).not.toContain(password);
        expect(run.args.join(' ')).not.toContain(password);
        expect(run.environ).not.toContain(password);
        expect(run.environ.split('\0')).toContain('TZ=UTC');
        expect(run.fileMode).toBe(0o600);
        expect(run.dirMode).toBe(0o700);
        expect(run.content).toBe(`username = ${SMB_USER}\npassword = ${password}\ndomain = FRAMTEST\n`);
      }
      const authFile = seen[0].authFile;
      expect(new Set(seen.map((r) => r.authFile))).toEqual(new Set([authFile]));
      expect(path.dirname(path.dirname(authFile))).toBe(workDir);
      expect(path.basename(path.dirname(authFile))).toMatch(/^fram-smbclient-[A-Za-z0-9]{6}$/);
      expect(readdirSync(path.dirname(authFile)).sort()).toEqual(['auth', 'smb.conf']);
      expect(statSync(path.join(path.dirname(authFile), 'smb.conf')).mode & 0o777).toBe(0o600);
      await t.close();
      expect(existsSync(authFile)).toBe(false);
      expect(existsSync(path.dirname(authFile))).toBe(false);
      await t.close(); // idempotent
      await expect(t.list()).rejects.toThrow(/closed/);
      t = null;

      // A failed open removes its folder too: a missing folder, a wrong password, a server that never answers.
      const silent = createServer(() => {});
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const failures: [Partial<ImportConfig>, EnvOptions, number][] = [
        [{ directory: `${s.share}/Missing` }, withWorkDir, 5003],
        [{}, { ...withWorkDir, env: { [PASSWORD_ENV]: `${password}x` } }, 5002],
        [
          { port: (silent.address() as { port: number }).port },
          { ...withWorkDir, connectTimeoutMs: 500, idleTimeoutMs: 500 },
          5001,
        ],
      ];
      try {
        for (const [over, o, code] of failures) {
          seen.length = 0;
          const e = await rejection(openWithEnv(importFor(s, over), o));
          expectCode(e, code);
          expect(seen).toHaveLength(1);
          expect(path.dirname(path.dirname(seen[0].authFile))).toBe(workDir);
          expect(clientDirs()).toEqual([]);
          expect(allText(e)).not.toContain(password);
        }
      } finally {
        silent.close();
      }
      expect(readdirSync(workDir)).toEqual([]);

      // A workDir that cannot be used is named as such (5020), not as a connection failure.
      const e = await rejection(openWithEnv(importFor(s), { ...OPTS, workDir: path.join(work, 'no-such-staging') }));
      expectCode(e, 5020);
      expect(e.message).toContain(path.join(work, 'no-such-staging'));
    } finally {
      unsubscribe();
      await t?.close();
    }
  });

  it('tells the user when the password cannot be handed to smbclient, without showing it', async () => {
    const odd = ` Leading${randomBytes(4).toString('hex')}`;
    const spawned: ChildProcess[] = [];
    const unsubscribe = onSmbclientSpawn((c) => spawned.push(c));
    try {
      const e = await rejection(openWithEnv(importFor(server()), { ...OPTS, env: { [PASSWORD_ENV]: odd } }));
      expectCode(e, 5002);
      expect(allText(e)).toMatch(/starts with white space/);
      expect(allText(e)).not.toContain(odd.trim());
      expect(spawned).toHaveLength(0);
    } finally {
      unsubscribe();
    }
  });
});
