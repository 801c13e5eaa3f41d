// The rules that moved out of the CLI into the services, on a real store (the case workspace): the
// import lookup ignoring case, the disabled and unknown imports, submit's inactive check, the one
// held file --approve-changes needs, the default school year in FRAM_TZ, and the report's labels.
// Each refusal comes before the store is written.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, loadSettings, type ImportConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { main } from '../src/cli/main.js';
import { openServices } from '../src/services/open.js';
import { Refusal } from '../src/services/refusal.js';
import { createWorkspace, type Workspace } from './helpers/workspace.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(() => ws.close());

async function refusalOf(p: Promise<unknown> | (() => unknown)): Promise<Refusal> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof Refusal) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...argv, '--data-dir', join(ws.dir, 'data'), '--config-dir', join(ws.dir, 'config')], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env: { FRAM_LOG_LEVEL: 'silent', FRAM_TZ: 'America/Chicago', USER: 'director' },
  });
  return { code, out, err };
}

const count = (table: string) => ws.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe('finding an import', () => {
  it('ignores case and surrounding space, and answers with the name the config writes', async () => {
    expect(ws.services.imports.find('  GuArDeD ').name).toBe('guarded');
    const unknown = await refusalOf(() => ws.services.imports.find('nightly'));
    expect(unknown.message).toBe("no import named 'nightly'; known: cases, fixed, guarded, noheader, prior");
    expect(unknown.reason).toBe('notFound');
  });

  it('refuses an import its invalid file disables, naming the file and its problem', async () => {
    writeFileSync(
      join(ws.dir, 'config', 'imports', 'broken.yaml'),
      'name: Broken\nmapping: Cases 26-27\nprotocol: local\ndirectory: drop\nstableSeconds: -1\n',
    );
    const services = openServices({
      settings: loadSettings({}, { dataDir: join(ws.dir, 'data'), configDir: join(ws.dir, 'config') }),
      env: {},
      log: silentLogger,
      db: ws.db,
      config: () => loadConfig(join(ws.dir, 'config')),
    });
    const disabled = await refusalOf(services.runs.run({ importName: 'BROKEN' }));
    expect(disabled.message).toBe(
      "import 'Broken' is disabled: imports/broken.yaml is invalid (fram-import config check lists every problem)",
    );
    expect(disabled.details).toEqual(['imports/broken.yaml: stableSeconds: must be 0 or more']);
    expect(count('runs')).toBe(0);
  });

  it('the CLI runs an import named in another case (it used to refuse it)', async () => {
    ws.drop_('carryover.csv');
    const r = await cli('run', 'CASES', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ import: 'cases', status: 'Successful', summary: { new: 1 } });
  });
});

describe('the imports listing', () => {
  it("gives each import's next scheduled run in FRAM_TZ (active ones only) and its latest run", async () => {
    const imports = ws.config.imports as Map<string, ImportConfig>;
    imports.set('cases', { ...imports.get('cases')!, schedule: { frequency: 'daily', time: '05:30' } });
    imports.set('fixed', { ...imports.get('fixed')!, active: false, schedule: { frequency: 'daily', time: '05:30' } });
    const run = await ws.run('cases', { test: true });
    const list = ws.services.imports.list();
    expect(list.map((i) => i.name)).toEqual(['cases', 'fixed', 'guarded', 'noheader', 'prior']);
    // The clock reads 2026-11-22T01:00Z and on: 19:00 CST on the 21st, so the next 05:30 CST is 11:30Z on the 22nd.
    expect(list[0]).toMatchObject({
      active: true,
      protocol: 'local',
      nextRun: '2026-11-22T11:30:00.000Z',
      lastRun: { id: run.runId, mode: 'test', status: 'Successful' },
    });
    expect(list[1]).toMatchObject({ active: false, nextRun: null, lastRun: null });
    expect(list.slice(2).map((i) => [i.nextRun, i.lastRun])).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
  });
});

describe('submit', () => {
  it('refuses a real run of an inactive import, queues a test of it, and stores the name the config writes', async () => {
    (ws.config.imports as Map<string, ImportConfig>).set('cases', { ...ws.config.imports.get('cases')!, active: false });
    const at = '2026-11-23 05:30';
    const inactive = await refusalOf(
      ws.services.queue.submit({ importName: 'Cases', at, highPriority: false, keep: false, test: false, by: 'ops' }),
    );
    expect(inactive.message).toBe("import 'cases' is inactive (active: false); only --test runs can be queued");
    expect(count('batch_queue')).toBe(0);

    const entry = await ws.services.queue.submit({
      importName: 'Cases',
      at,
      highPriority: true,
      keep: false,
      test: true,
      by: 'ops',
    });
    expect(entry).toEqual({
      id: 1,
      import: 'cases',
      runAt: '2026-11-23T11:30:00.000Z',
      highPriority: true,
      keep: false,
      test: true,
      submittedBy: 'ops',
      submittedAt: '2026-11-22T01:00:01.000Z',
    });
    expect(ws.db.prepare('SELECT import, run_at, test FROM batch_queue').all()).toEqual([
      { import: 'cases', run_at: '2026-11-23T11:30:00.000Z', test: 1 },
    ]);
  });

  it('the CLI says which input it refuses', async () => {
    const r = await cli('submit', 'cases', '--at', '2026-02-30T05:30');
    expect(r).toEqual({ code: 2, out: '', err: "fram-import submit: --at '2026-02-30T05:30' is not a real date and time\n" });
  });
});

describe('run --approve-changes', () => {
  it('is refused before the run unless exactly one file is held; a test run is not', async () => {
    const none = await refusalOf(ws.services.runs.run({ importName: 'guarded', approveChanges: true }));
    expect(none.message).toBe('no file of this import is held for approval');
    expect(count('runs')).toBe(0);
    expect((await ws.services.runs.run({ importName: 'guarded', approveChanges: true, test: true })).status).toBe('Successful');
    expect(count('runs')).toBe(1);

    ws.drop_('mass-change-seed.csv');
    await ws.run('guarded');
    const all = ws.drop_('mass-change-all.csv');
    const some = ws.drop_('mass-change.csv');
    const held = await ws.run('guarded');
    expect(held.files.map((f) => [f.name, f.status])).toEqual([
      [all, 'held'],
      [some, 'held'],
    ]);

    const r = await cli('run', 'Guarded', '--approve-changes');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    // The newest first: the same run held both, in file order.
    expect(r.err).toBe(
      'fram-import run: 2 files are held: approve one by its SHA-256 (approve <import> <sha256-prefix>)\n' +
        [...held.files]
          .reverse()
          .map((f) => `  ${f.sha256.slice(0, 12)}  ${JSON.stringify(f.name)}  (run ${held.runId})\n`)
          .join(''),
    );
    expect(count('runs')).toBe(3);
    expect(count('file_decisions')).toBe(0);
  });
});

describe('eligibility summary', () => {
  it('on the evening of June 30 in Chicago counts the school year that ends that day', async () => {
    ws.drop_('carryover.csv');
    expect((await ws.run('cases')).summary).toMatchObject({ errors: 0 });
    // 22:30 CDT on June 30, 2027 is already July 1 in UTC.
    const evening = openServices({
      settings: loadSettings(
        { FRAM_TZ: 'America/Chicago' },
        { dataDir: join(ws.dir, 'data'), configDir: join(ws.dir, 'config') },
      ),
      env: {},
      log: silentLogger,
      db: ws.db,
      clock: { now: () => new Date('2027-07-01T03:30:00Z'), sleep: async () => {} },
    });
    const s = evening.eligibility.summary({});
    expect([s.schoolYear, s.asOf]).toEqual([2027, '2027-06-30']);
    const sum = (k: 'free' | 'reduced' | 'paid' | 'total') => s.schools.reduce((n, x) => n + x[k], 0);
    expect([sum('free'), sum('reduced'), sum('paid'), sum('total')]).toEqual([0, 1, 39, 40]);
  });
});

describe('student', () => {
  it("labels records in the report's words: eligibility, then Direct or Non-Direct", async () => {
    ws.drop_('carryover.csv');
    const run = await ws.run('cases');
    const finished = ws.db.prepare('SELECT finished_at FROM runs WHERE id = ?').pluck().get(run.runId) as string;
    const r = await cli('student', '0000000005');
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => /^ {2}(0|\d{4}-)/.test(l))).toEqual([
      '  08/20/2026 - 06/30/2027  Reduced Non-Direct (APP_R)',
      `  ${finished}  New      by run ${run.runId} (cases): 08/20/2026 - 06/30/2027  Reduced Non-Direct (APP_R)`,
    ]);
  });
});
