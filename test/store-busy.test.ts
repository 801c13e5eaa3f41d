// One writer, never a crash (issue 9, findings 6, 9 and 13; acceptance 2). Another process holds the
// store's write lock (`BEGIN IMMEDIATE`, released by a message, never after a sleep) while the daemon
// takes a due batch entry, and while each CLI write runs; and the store errors that name a path.
// These run the built CLI (`npx tsc -p tsconfig.json` first).

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeEligibility, writeRoster } from '../src/bench/generate.js';
import { dbPath, openDb } from '../src/store/db.js';
import { main } from '../src/cli/main.js';
import { BIN, createSite, localImport, serve, type ServeProcess, type Site } from './helpers/daemon.js';
import { holdStore, type StoreLockHolder } from './helpers/store-lock.js';
import { killCliLeftovers, runCliToEnd, startCli } from './helpers/cli-process.js';

const holders: StoreLockHolder[] = [];
const daemons: ServeProcess[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) if (d.child.exitCode === null) d.child.kill('SIGKILL');
  for (const h of holders.splice(0)) await h.stop();
  killCliLeftovers();
});

async function holder(site: Site): Promise<StoreLockHolder> {
  const h = await holdStore(dbPath(site.dataDir));
  holders.push(h);
  return h;
}

function count(site: Site, sql: string): unknown {
  const db = site.db();
  try {
    return db.prepare(sql).pluck().get();
  } finally {
    db.close();
  }
}

/** A JSON log line on stderr with this message and these fields (in any order). */
const logLine = (msg: string, fields: Record<string, string> = {}) =>
  new RegExp(`^${[['msg', msg], ...Object.entries(fields)].map(([k, v]) => `(?=.*"${k}":"${v}")`).join('')}`, 'm');

/** Nothing of SQLite's own text reaches a person: only our coded message. */
const RAW_SQLITE = /database is locked|SQLITE_|SqliteError/i;

describe('the daemon while another process holds the store', () => {
  it('stays up through a 20 s write lock and runs the batch entry it found meanwhile once the lock is let go', async () => {
    const site = createSite(100);
    writeEligibility(join(site.drop, 'IC_Eligibility_batch.csv'), 100);
    site.writeImport('batch', localImport('Batch', site.drop));
    const daemon = await serve(site);
    daemons.push(daemon);

    // The entry is committed and the lock taken in one tick of the other process, a second before the
    // entry is due: the daemon can only find it while the store is held.
    const h = await holder(site);
    const runAt = new Date(Date.now() + 1000).toISOString();
    const lockedAt = await h.lock(`INSERT INTO batch_queue (import, run_at, high_priority, keep, test, submitted_by, submitted_at)
      VALUES ('Batch', '${runAt}', 0, 0, 0, 'ops', '${new Date().toISOString()}')`);
    await daemon.waitFor((l) => l.msg === 'store:busy' && l.waitingFor === 'batch:start', 60_000);
    expect((await fetch(`http://127.0.0.1:${daemon.port}/healthz`)).status).toBe(200);

    // Held for 20 s in all, four times the store's busy timeout (the daemon used to die after 5 s).
    await new Promise((r) => setTimeout(r, Math.max(0, lockedAt + 20_000 - Date.now())));
    expect(daemon.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${daemon.port}/healthz`)).status).toBe(200);
    expect(count(site, 'SELECT count(*) FROM runs')).toBe(0);
    expect(count(site, 'SELECT state FROM batch_queue')).toBe('queued');
    await h.release();

    const finish = await daemon.waitFor((l) => l.msg === 'run:finish' && l.import === 'Batch', 60_000);
    expect(finish).toMatchObject({ status: 'Successful', new: 100 });
    await daemon.waitFor((l) => l.msg === 'batch:done' && l.runId === finish.runId);
    const db = site.db();
    try {
      expect(db.prepare('SELECT id, status, trigger_kind, trigger_by, error_code FROM runs').all()).toEqual([
        { id: finish.runId, status: 'Successful', trigger_kind: 'batch', trigger_by: 'ops', error_code: null },
      ]);
      expect(db.prepare('SELECT state, run_id FROM batch_queue').all()).toEqual([{ state: 'done', run_id: finish.runId }]);
      expect(db.prepare('SELECT count(*) FROM eligibility').pluck().get()).toBe(100);
    } finally {
      db.close();
    }
    expect(daemon.lines.filter((l) => l.msg === 'store:busy')).toHaveLength(1);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
  }, 150_000);
});

describe('CLI writes while another process holds the store', () => {
  let site: Site;
  let roster: string;
  beforeAll(async () => {
    site = createSite(60);
    writeEligibility(join(site.drop, 'IC_Eligibility_one.csv'), 60);
    site.writeImport('busy', localImport('Busy', site.drop));
    roster = join(site.dir, 'roster.csv');
    writeRoster(roster, 70); // the site's 60 students and 10 more
    const first = await runCliToEnd(['run', 'Busy'], site.env());
    expect(first.code, first.stderr).toBe(0);
  });

  const runs = () => count(site, 'SELECT count(*) FROM runs') as number;

  // In this order: the revert needs run 1, the clear comes last.
  const COMMANDS: { name: string; args: () => string[]; waiting: RegExp; unchanged: () => void; done: (out: string) => void }[] =
    [
      {
        name: 'run',
        args: () => ['run', 'Busy', '--json'],
        // Its own rows wait (the log line); the roster and other commands say it in words.
        waiting: logLine('store:busy', { waitingFor: 'run:start' }),
        unchanged: () => expect(runs()).toBe(1),
        done: (out) => {
          expect(JSON.parse(out)).toMatchObject({ runId: 2, status: 'Successful' });
          expect(runs()).toBe(2);
        },
      },
      {
        name: 'students load',
        args: () => ['students', 'load', roster],
        waiting: /the store is busy with another writer; waiting up to 60 s/,
        unchanged: () => expect(count(site, 'SELECT count(*) FROM students')).toBe(60),
        done: (out) => {
          expect(out).toMatch(/^inserted 10, updated 0, unchanged 60, rejected 0/);
          expect(count(site, 'SELECT count(*) FROM students')).toBe(70);
        },
      },
      {
        name: 'revert',
        args: () => ['revert', '1'],
        waiting: /the store is busy with another writer; waiting up to 60 s/,
        unchanged: () => {
          expect(count(site, 'SELECT reverted_at FROM runs WHERE id = 1')).toBeNull();
          expect(count(site, 'SELECT count(*) FROM eligibility')).toBe(60);
        },
        done: (out) => {
          expect(out).toBe('run 1 reverted: 60 inserted record(s) deleted, 0 restored, 0 re-inserted\n');
          expect(count(site, 'SELECT count(*) FROM eligibility')).toBe(0);
        },
      },
      {
        name: 'logs clear',
        args: () => ['logs', 'clear', '--all'],
        waiting: /the store is busy with another writer; waiting up to 60 s/,
        unchanged: () => expect(runs()).toBe(2),
        done: (out) => {
          expect(out).toBe('2 run(s) cleared\n');
          expect(runs()).toBe(0);
        },
      },
    ];

  it.each(COMMANDS)(
    '$name: fails with 5018 and exit 1 after a short --wait, and succeeds when the lock goes during the wait',
    async (c) => {
      const h = await holder(site);
      await h.lock();
      const short = await runCliToEnd([...c.args(), '--wait', '1'], site.env());
      expect(short.code, short.stderr).toBe(1);
      expect(short.stderr).toContain(
        `fram-import ${c.name}: ERROR 5018 - The store is busy with another writer; gave up after 1 s\n` +
          '  Hint: Try again when the running import or command has finished\n',
      );
      expect(short.stderr).not.toMatch(RAW_SQLITE);
      expect(short.stdout).toBe('');
      c.unchanged();

      const long = startCli([...c.args(), '--wait', '60'], site.env());
      await long.waitForStderr(c.waiting);
      await h.release();
      const r = await long.exited;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(RAW_SQLITE);
      c.done(r.stdout);
    },
  );

  it('a run that finds the store busy after its row was written ends with 5018 in its row, and its file stays', async () => {
    const drop = join(site.dir, 'gate');
    mkdirSync(drop);
    writeEligibility(join(drop, 'IC_Eligibility_gate.csv'), 60, '5/31/2027');
    // The stability gate (3 s) is where the run is when the other process takes the lock.
    site.writeImport(
      'gate',
      `name: Gate\nmapping: POS 26-27\nprotocol: local\ndirectory: ${drop}\nstableSeconds: 3\nmaxChangeRatio: 1\n`,
    );
    const h = await holder(site);
    const cli = startCli(['run', 'Gate', '--json', '--wait', '1'], site.env());
    await cli.waitForStderr(logLine('run:start'));
    await h.lock();
    // The file's writes give up after --wait; the run's outcome waits longer (at least 30 s), and is written.
    await cli.waitForStderr(logLine('store:busy', { waitingFor: 'run:finish' }));
    await h.release();
    const r = await cli.exited;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(RAW_SQLITE);
    const report = JSON.parse(r.stdout) as { runId: number; status: string; runError: { code: number; text: string } };
    expect(report.status).toBe('Unsuccessful');
    expect(report.runError.code).toBe(5018);
    expect(report.runError.text).toMatch(/^The store is busy with another writer; gave up after \d+ s$/);
    const db = site.db();
    try {
      expect(db.prepare('SELECT status, error_code FROM runs WHERE id = ?').get(report.runId)).toEqual({
        status: 'Unsuccessful',
        error_code: 5018,
      });
      expect(db.prepare('SELECT count(*) FROM run_locks').pluck().get()).toBe(0);
      expect(db.prepare("SELECT count(*) FROM runs WHERE status = 'Running'").pluck().get()).toBe(0);
    } finally {
      db.close();
    }
    expect(readdirSync(drop)).toEqual(['IC_Eligibility_gate.csv']);
  });
});

describe('store errors name the path', () => {
  async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await main(args, {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      env: { FRAM_LOG_LEVEL: 'silent' },
    });
    return { code, out, err };
  }

  let site: Site;
  beforeAll(() => {
    site = createSite(5);
    site.writeImport('one', localImport('One', site.drop));
  });
  afterAll(() => {
    // A test below made the data dir read-only to others; put it back so the temp dir can be removed.
    chmodSync(site.dataDir, 0o755);
  });

  it.each([
    ['logs'],
    ['report', '1'],
    ['student', '0000000001'],
    ['eligibility', 'summary'],
    ['db', 'backup', '/tmp/never-written.db'],
    ['revert', '1'],
    ['logs', 'clear', '--all'],
    ['submit', 'One', '--at', '2026-11-22T01:00Z'],
  ])('%s with a mistyped --data-dir exits 2 saying no store is there, and creates nothing', async (...args) => {
    const missing = join(site.dir, 'no-such-data');
    const r = await cli(...args, '--data-dir', missing, '--config-dir', site.configDir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`no store in ${missing} (no fram-import.db): check --data-dir or FRAM_DATA_DIR`);
    expect(r.out).toBe('');
    expect(existsSync(missing)).toBe(false);
  });

  it('a store on a read-only mount fails with 5020 naming the store', () => {
    // A read-only bind mount of the data dir, in a mount namespace of its own (root only).
    const script = `mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" "$3" logs --data-dir "$1"`;
    let stderr = '';
    let status = 0;
    try {
      execFileSync('unshare', ['--mount', 'sh', '-c', script, 'sh', site.dataDir, process.execPath, BIN], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (e) {
      ({ stderr, status } = e as { stderr: string; status: number });
    }
    expect(status).toBe(1);
    expect(stderr).toBe(
      `fram-import logs: ERROR 5020 - Cannot use ${site.dataDir}: the file system or file is read-only while opening the store\n` +
        "  Hint: Check the data directory's owner, mode and mount (it must be writable by the service's user)\n",
    );
  });

  it('a store file and a data dir the user may not write fail with 5020 naming each, before any work', () => {
    // As `nobody`: the data dir and the store belong to root.
    const asNobody = (...args: string[]) => {
      try {
        execFileSync(process.execPath, [BIN, ...args, '--data-dir', site.dataDir, '--config-dir', site.configDir], {
          uid: 65534,
          gid: 65534,
          encoding: 'utf8',
          stdio: 'pipe',
          env: { FRAM_LOG_LEVEL: 'silent', PATH: process.env.PATH },
        });
        return { status: 0, stderr: '' };
      } catch (e) {
        return e as { status: number; stderr: string };
      }
    };
    const store = dbPath(site.dataDir);
    chmodSync(site.dir, 0o755);
    chmodSync(site.dataDir, 0o777); // the folder is open to all; the store file is not
    chmodSync(store, 0o644);
    const file = asNobody('logs');
    expect(file.status).toBe(1);
    expect(file.stderr).toBe(
      `fram-import logs: ERROR 5020 - Cannot use ${store}: permission denied while opening the store\n` +
        "  Hint: Check the data directory's owner, mode and mount (it must be writable by the service's user)\n",
    );

    chmodSync(site.dataDir, 0o755);
    const roster = join(site.dir, 'roster.csv');
    writeFileSync(roster, 'stateId,studentNumber,lastName,firstName,birthDate,school,grade\n1,1,A,B,2017-01-01,S,3\n');
    chmodSync(roster, 0o644);
    const dir = asNobody('students', 'load', roster);
    expect(dir.status).toBe(1);
    expect(dir.stderr).toBe(
      `fram-import students load: ERROR 5020 - Cannot use ${site.dataDir}: permission denied while opening the store\n` +
        "  Hint: Check the data directory's owner, mode and mount (it must be writable by the service's user)\n",
    );
    const db = openDb(store);
    try {
      expect(db.prepare('SELECT count(*) FROM students').pluck().get()).toBe(5);
    } finally {
      db.close();
    }
  });
});
