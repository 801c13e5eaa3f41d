// Issue 9, acceptance 3 (its last sentence) and finding 10: SIGTERM while a download crawls in from
// a slow SFTP server. The stop signal must reach the transfer: the daemon exits 0 within 30 s and
// leaves no Running run, no run lock, no `.part` or staging file and no smbclient folder behind.

import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSite, serve, type ServeProcess, type Site } from './helpers/daemon.js';
import { cli } from './helpers/cli-in-process.js';
import { tree } from './helpers/hostile.js';
import { startHostileSftpServer, type HostileSftpServer } from './servers/hostile-sftp.js';

const SECRET_ENV = 'FRAM_TEST_HOSTILE_PASSWORD';
const password = `Pw${randomBytes(12).toString('hex')}`;
const SLOW = 'IC_Eligibility_slow.csv';
const MiB = 1 << 20;
/** SPEC 10: exit 0 within 30 s of SIGTERM. */
const STOP_DEADLINE_MS = 30_000;

let server: HostileSftpServer;
const running: ServeProcess[] = [];
const sites: Site[] = [];

beforeAll(async () => {
  server = await startHostileSftpServer({ password });
});
afterAll(async () => {
  await server?.stop();
});
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const s of sites.splice(0)) rmSync(s.dir, { recursive: true, force: true });
});

function slowImport(s: HostileSftpServer): string {
  return [
    'name: Slow',
    'mapping: POS 26-27',
    'protocol: sftp',
    'host: 127.0.0.1',
    `port: ${s.port}`,
    `username: ${s.username}`,
    `password: { env: ${SECRET_ENV} }`,
    `directory: ${s.directory}`,
    `hostKeySha256: "${s.fingerprint}"`,
    'stableSeconds: 0',
    'maxChangeRatio: 1',
    '',
  ].join('\n');
}

/** Resolves with the exit, or with null once `ms` have passed. */
function exitWithin(p: ServeProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.exited.finally(() => clearTimeout(timer)),
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), ms);
    }),
  ]);
}

describe('SIGTERM during a slow SFTP download', () => {
  it('exits 0 within 30 s and leaves nothing Running, locked or staged', async () => {
    // 64 MiB at one ~32 KiB answer per 100 ms: minutes to finish, so the stop must cut it short.
    server.put(SLOW, { content: { bytes: 64 * MiB, fill: 'x' }, readDelayMs: 100 });
    const site = createSite(50);
    sites.push(site);
    site.writeImport('slow', slowImport(server));
    const env = site.env({ FRAM_LOG_LEVEL: 'silent', [SECRET_ENV]: password });
    const submitted = await cli(['submit', 'Slow', '--at', new Date().toISOString()], env);
    expect(submitted.code, submitted.err).toBe(0);

    const daemon = await serve(site, { [SECRET_ENV]: password });
    running.push(daemon);
    await daemon.waitFor((l) => l.msg === 'file:found' && l.import === 'Slow');
    // The event that matters: the server has answered the first read of the file.
    await server.waitFor((r) => r.op === 'READ' && r.name === SLOW && (r.bytes ?? 0) > 0);

    const signalledAt = Date.now();
    daemon.child.kill('SIGTERM');
    const exit = await exitWithin(daemon, STOP_DEADLINE_MS);
    const tookMs = Date.now() - signalledAt;
    expect(exit, `no exit ${STOP_DEADLINE_MS} ms after SIGTERM`).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(STOP_DEADLINE_MS);
    // It stopped because the transfer was aborted, not because the daemon's own deadline gave up on it.
    expect(daemon.lines.filter((l) => l.msg === 'daemon:stop-deadline')).toEqual([]);
    expect(daemon.lines.at(-1)?.msg).toBe('daemon:stopped');
    // Far from the whole file: the transfer did not run on to its end either.
    expect(server.bytesSent(SLOW)).toBeLessThan(64 * MiB);
    expect(server.requests.filter((r) => r.op === 'RENAME')).toEqual([]);

    const db = site.db();
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare("SELECT status, error_code FROM runs WHERE import = 'Slow'").all()).toEqual([
        { status: 'Unsuccessful', error_code: 5014 },
      ]);
      expect(db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'Running'").get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM run_locks').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM eligibility').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }

    const left = [...tree(site.dataDir).keys()];
    expect(left.filter((p) => p.endsWith('.part') || /(^|\/)fram-smbclient-/.test(p))).toEqual([]);
    // The daemon made staging at start; the run's folder in it is gone.
    const staging = join(site.dataDir, 'staging');
    expect(existsSync(staging)).toBe(true);
    expect([...tree(staging).keys()]).toEqual([]);
  }, 120_000);
});
