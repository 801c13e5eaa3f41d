// The daemon's parts with a fake clock (issue 4, acceptance 1): the worker refuses overlaps and takes
// batch entries high priority first; schedules fire at their instants; a lock held by a live process
// refuses a run, one left by a dead process does not; a store busy with another writer is waited out;
// paused imports are refused and say so; retention keeps keep runs. The daemon's start-up and its
// scheduled runs: daemon-schedule.test.ts.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, dbPath, type Db } from '../src/store/db.js';
import { createQueueStore } from '../src/store/queue.js';
import { createWorker } from '../src/daemon/worker.js';
import { createSchedules } from '../src/scheduler/schedules.js';
import { createLogger, silentLogger } from '../src/log.js';
import { createRunStore } from '../src/store/runs.js';
import { tryRunLock } from '../src/store/run-lock.js';
import { createStoreWait } from '../src/store/wait.js';
import { pruneRuns } from '../src/store/history.js';
import type { RunRequest, RunResult } from '../src/import/run-import.js';
import type { ImportConfig } from '../src/config.js';
import { createWorkspace } from './helpers/workspace.js';
import { fakeClock } from './helpers/fake-clock.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDb(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'fram-worker-'));
  const db = openDb(dbPath(dir));
  cleanups.push(() => {
    db.close();
  });
  return db;
}

/**
 * A worker's `run` that the test finishes by hand: each call waits for `finish()`. `started(n)`
 * resolves once the n-th run has begun.
 */
function runsByHand() {
  const names: string[] = [];
  const finishers: (() => void)[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    names,
    run: (req: RunRequest) =>
      new Promise<RunResult>((resolve) => {
        names.push(req.importName);
        const runId = names.length;
        finishers.push(() => resolve({ runId, status: 'Successful' }));
        for (const w of waiters.filter((x) => x.n <= names.length)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }),
    finish: () => finishers.shift()!(),
    started: (n: number) =>
      new Promise<void>((resolve) => {
        if (names.length >= n) resolve();
        else waiters.push({ n, resolve });
      }),
  };
}

describe('worker', () => {
  it('runs one import at a time and refuses a second run of an import that is waiting or running', async () => {
    const db = tempDb();
    const fake = fakeClock('2026-11-22T04:00:00Z');
    const runs = runsByHand();
    const worker = createWorker({
      queue: createQueueStore(db),
      log: silentLogger,
      now: () => new Date(fake.clock.now()),
      timers: fake.clock,
      run: runs.run,
    });
    cleanups.push(() => worker.stop());
    expect(worker.enqueue({ request: { importName: 'A' } })).toBe(true);
    await runs.started(1);
    expect(worker.current()).toBe('A');
    expect(worker.enqueue({ request: { importName: 'A' } })).toBe(false);
    expect(worker.enqueue({ request: { importName: 'B' } })).toBe(true);
    expect(worker.enqueue({ request: { importName: 'B', test: true } })).toBe(false);
    expect(worker.waiting()).toBe(1);
    expect(runs.names).toEqual(['A']);
    runs.finish();
    await runs.started(2);
    expect(runs.names).toEqual(['A', 'B']);
    expect(worker.current()).toBe('B');
    expect(worker.enqueue({ request: { importName: 'A' } })).toBe(true);
    runs.finish();
    await runs.started(3);
    expect(runs.names).toEqual(['A', 'B', 'A']);
    runs.finish();
  });

  it('takes due batch entries high priority first, then by time, and leaves future ones', async () => {
    const db = tempDb();
    const queue = createQueueStore(db);
    const entry = (name: string, runAt: string, highPriority = false) =>
      queue.submit({
        import: name,
        runAt,
        highPriority,
        keep: false,
        test: false,
        submittedBy: 'ops',
        submittedAt: '2026-11-22T00:00:00.000Z',
      });
    entry('late-low', '2026-11-22T02:00:00.000Z');
    entry('early-low', '2026-11-22T01:00:00.000Z');
    entry('late-high', '2026-11-22T03:00:00.000Z', true);
    entry('future-high', '2026-11-23T00:00:00.000Z', true);
    const seen: RunRequest[] = [];
    let third!: () => void;
    const threeRan = new Promise<void>((resolve) => {
      third = resolve;
    });
    const fake = fakeClock('2026-11-22T04:00:00Z');
    const worker = createWorker({
      queue,
      log: silentLogger,
      now: () => new Date(fake.clock.now()),
      timers: fake.clock,
      run: async (req) => {
        seen.push(req);
        if (seen.length === 3) third();
        return { runId: seen.length, status: 'Successful' };
      },
    });
    await threeRan;
    await worker.stop();
    expect(seen.map((r) => r.importName)).toEqual(['late-high', 'early-low', 'late-low']);
    expect(seen[0].trigger).toEqual({ kind: 'batch', by: 'ops' });
    expect(queue.length()).toBe(1);
    expect(queue.list().map((e) => e.import)).toEqual(['future-high']);
  });
  it('sleeps on the injected clock: a batch entry runs when that clock reaches its time, not before', async () => {
    const db = tempDb();
    const queue = createQueueStore(db);
    queue.submit({
      import: 'later',
      runAt: '2026-11-22T05:00:00.000Z',
      highPriority: false,
      keep: false,
      test: false,
      submittedBy: 'ops',
      submittedAt: '2026-11-22T00:00:00.000Z',
    });
    const fake = fakeClock('2026-11-22T04:00:00Z');
    const armed = fake.nextTimer();
    const seen: string[] = [];
    let ran!: () => void;
    const runNow = new Promise<void>((resolve) => {
      ran = resolve;
    });
    const worker = createWorker({
      queue,
      log: silentLogger,
      now: () => new Date(fake.clock.now()),
      timers: fake.clock,
      pollMs: 24 * 60 * 60_000,
      run: async (req) => {
        seen.push(req.importName);
        ran();
        return { runId: 1, status: 'Successful' };
      },
    });
    cleanups.push(() => worker.stop());
    // Nothing is due yet: the worker sleeps until the entry's time, an hour on the fake clock.
    expect(await armed).toBe(60 * 60_000);
    fake.advanceTo('2026-11-22T04:59:59.999Z');
    expect(seen).toEqual([]);
    expect(fake.pending()).toBe(1);
    fake.advanceTo('2026-11-22T05:00:00.000Z');
    await runNow;
    expect(seen).toEqual(['later']);
  });
});

describe('the worker and a store busy with another writer', () => {
  it('waits it out: the due entry it found is run once the other writer is done, and the worker never throws', async () => {
    const db = tempDb();
    const queue = createQueueStore(db);
    const id = queue.submit({
      import: 'A',
      runAt: '2026-11-22T01:00:00.000Z',
      highPriority: false,
      keep: false,
      test: false,
      submittedBy: 'ops',
      submittedAt: '2026-11-22T00:00:00.000Z',
    });
    // Another connection holds the write lock (SQLite refuses it to this one as to another process).
    const other = new Database(db.name);
    cleanups.push(() => {
      other.close();
    });
    other.exec('BEGIN IMMEDIATE');
    const abort = new AbortController();
    cleanups.push(() => abort.abort());
    const busy: string[] = [];
    let sawBusy!: () => void;
    const busyNow = new Promise<void>((resolve) => {
      sawBusy = resolve;
    });
    const store = createStoreWait(db, {
      waitMs: Infinity,
      signal: abort.signal,
      onBusy: (what) => {
        busy.push(what);
        sawBusy();
      },
    });
    const seen: string[] = [];
    let ran!: () => void;
    const runNow = new Promise<void>((resolve) => {
      ran = resolve;
    });
    const fake = fakeClock('2026-11-22T02:00:00Z');
    const worker = createWorker({
      queue,
      log: silentLogger,
      now: () => new Date(fake.clock.now()),
      timers: fake.clock,
      store,
      run: async (req) => {
        seen.push(req.importName);
        ran();
        return { runId: 7, status: 'Successful' };
      },
    });
    await busyNow;
    expect(busy).toEqual(['batch:start']);
    expect(seen).toEqual([]);
    expect(queue.list().map((e) => e.state)).toEqual(['queued']);

    other.exec('ROLLBACK');
    await runNow;
    await worker.stop(); // after the run's batch:finish

    expect(seen).toEqual(['A']);
    expect(db.prepare('SELECT id, state, run_id FROM batch_queue').all()).toEqual([{ id, state: 'done', run_id: 7 }]);
  });
});

describe('schedules with a fake clock', () => {
  const imp = (name: string, schedule: ImportConfig['schedule'], active = true) =>
    ({ name, active, schedule, paused: false }) as ImportConfig;

  it('fire at their local times across the fall-back night, once each, and re-arm; inactive imports are not armed', () => {
    const fake = fakeClock('2026-10-31T12:00:00Z');
    const fired: [string, string][] = [];
    const schedules = createSchedules({
      tz: 'America/Chicago',
      clock: fake.clock,
      log: silentLogger,
      fire: (name, slot) => fired.push([name, slot.toISOString()]),
    });
    schedules.arm([
      imp('daily 01:30', { frequency: 'daily', time: '01:30' }),
      imp('sunday', { frequency: 'weekly', day: 'sun', time: '06:00' }),
      imp('off', { frequency: 'daily', time: '01:30' }, false),
    ]);
    expect([...schedules.next().keys()].sort()).toEqual(['daily 01:30', 'sunday']);
    fake.advanceTo('2026-11-02T12:00:00Z');
    expect(fired).toEqual([
      ['daily 01:30', '2026-11-01T06:30:00.000Z'], // 01:30 CDT, the first of the two 01:30s
      ['sunday', '2026-11-01T12:00:00.000Z'], // 06:00 CST
      ['daily 01:30', '2026-11-02T07:30:00.000Z'],
    ]);
    expect(schedules.next().get('daily 01:30')?.toISOString()).toBe('2026-11-03T07:30:00.000Z');
    schedules.cancelAll();
    fake.advanceTo('2026-11-10T00:00:00Z');
    expect(fired).toHaveLength(3);
  });
});

describe('the run lock', () => {
  const newRun = (name: string, startedAt: string) => ({
    import: name,
    mapping: 'Cases 26-27',
    schoolYear: 2027,
    mode: 'run' as const,
    trigger: { kind: 'manual' as const, by: null },
    startedAt,
    notices: [],
    includeUpdated: true,
  });

  it("refuses a run while another connection holds the import's lock, and reaps the run of a holder that died", async () => {
    const ws = await createWorkspace();
    cleanups.push(() => ws.close());
    ws.drop_('error-1001.csv');
    const dataDir = join(ws.dir, 'data');
    // SQLite refuses the kernel lock to a second connection of one process as the kernel refuses it to
    // another process (run-lock.test.ts has the processes); names match ignoring case.
    const held = tryRunLock(dataDir, 'CASES');
    expect(held).not.toBeNull();
    cleanups.push(() => held!.release());
    const holderRun = createRunStore(ws.db).start(newRun('cases', '2026-11-22T00:00:00.000Z'), true);
    const refused = await ws.run('cases');
    expect(refused.status).toBe('Unsuccessful');
    expect(refused.runError).toEqual({ code: 5012, text: `Import 'cases' is already running (run ${holderRun})` });
    expect(ws.dropped()).toEqual(['IC_Eligibility_error-1001.csv']);

    // The holder's process dies: the kernel gives its lock up, and its Running row is reaped by the next run.
    held!.release();
    const ran = await ws.run('cases');
    expect(ran.status).toBe('Successful');
    expect(ws.db.prepare('SELECT id, status, error_code FROM runs ORDER BY id').all()).toEqual([
      { id: holderRun, status: 'Unsuccessful', error_code: 5014 },
      { id: refused.runId, status: 'Unsuccessful', error_code: 5012 },
      { id: ran.runId, status: 'Successful', error_code: null },
    ]);
    expect(ws.db.prepare('SELECT count(*) AS n FROM run_locks').get()).toEqual({ n: 0 });
  });

  it('at start-up reaps the runs of imports whose lock is free, and keeps those of an import whose lock is held', () => {
    const db = tempDb();
    const dataDir = dirname(db.name);
    const runs = createRunStore(db);
    const dead = runs.start(newRun('dead', '2026-11-22T00:00:00.000Z'), true);
    const orphan = runs.start(newRun('dead', '2026-11-22T00:00:01.000Z'), false);
    const live = runs.start(newRun('live', '2026-11-22T00:00:02.000Z'), true);
    const lock = tryRunLock(dataDir, 'live');
    expect(lock).not.toBeNull();
    cleanups.push(() => lock!.release());
    expect(runs.reapStale('2026-11-22T01:00:00.000Z', dataDir)).toBe(2);
    expect(db.prepare('SELECT id, status, error_code FROM runs ORDER BY id').all()).toEqual([
      { id: dead, status: 'Unsuccessful', error_code: 5014 },
      { id: orphan, status: 'Unsuccessful', error_code: 5014 },
      { id: live, status: 'Running', error_code: null },
    ]);
    expect(db.prepare('SELECT import, run_id FROM run_locks').all()).toEqual([{ import: 'live', run_id: live }]);
    // The reaping gave the free locks back.
    const again = tryRunLock(dataDir, 'dead');
    expect(again).not.toBeNull();
    again!.release();
  });
});

describe('paused imports and retention', () => {
  it('refuses a run of a paused import (host starting with **) with 5013, and every log line of it says paused', async () => {
    let text = '';
    const log = createLogger('info', {
      write: (chunk: string) => {
        text += chunk;
      },
    });
    const ws = await createWorkspace({ log });
    cleanups.push(() => ws.close());
    const imp = ws.config.imports.get('cases')!;
    (ws.config.imports as Map<string, ImportConfig>).set('cases', { ...imp, host: '**pos', paused: true });
    text = ''; // the roster load's lines
    const { runId } = await ws.run('cases');
    expect(ws.report(runId).runError?.code).toBe(5013);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; paused?: boolean });
    expect(lines.map((l) => l.msg)).toEqual(['run:start', 'run:finish']);
    for (const l of lines) expect(l.paused).toBe(true);
  });

  it('prunes runs older than the retention, except keep runs and running ones, with their rows', () => {
    const db = tempDb();
    const runs = createRunStore(db);
    const add = (startedAt: string, keep: boolean) =>
      runs.create({
        import: 'x',
        mapping: 'm',
        schoolYear: 2027,
        mode: 'run',
        trigger: { kind: 'manual', by: null },
        startedAt,
        notices: [],
        includeUpdated: true,
        keep,
      });
    const old = add('2023-01-01T00:00:00.000Z', false);
    const kept = add('2023-01-02T00:00:00.000Z', true);
    const running = add('2023-01-03T00:00:00.000Z', false);
    const recent = add('2026-11-01T00:00:00.000Z', false);
    for (const id of [old, kept, recent])
      runs.finish(
        id,
        'Successful',
        '2026-11-01T00:00:00.000Z',
        { new: 0, ended: 0, removed: 0, existing: 0, errors: 0, warnings: 0 },
        null,
      );
    runs.message(old, 'f', 1, { severity: 'error', code: 1001, text: 'x' });
    expect(pruneRuns(db, '2026-01-01T00:00:00.000Z')).toBe(1);
    expect((db.prepare('SELECT id FROM runs ORDER BY id').all() as { id: number }[]).map((r) => r.id)).toEqual([
      kept,
      running,
      recent,
    ]);
    expect(db.prepare('SELECT count(*) AS n FROM run_messages').get()).toEqual({ n: 0 });
  });
});
