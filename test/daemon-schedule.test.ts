// The daemon (startDaemon, in this process) on a fake clock (issue 4, acceptance 1; issue 10): a
// scheduled import runs at its minute, and one made inactive meanwhile does not; a restart catches
// up a missed run once, and only when it is less than 12 hours late. Every wait is for a log line.

import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, dbPath } from '../src/store/db.js';
import { createScheduleState } from '../src/store/schedule-state.js';
import { startDaemon } from '../src/main.js';
import { loadSettings } from '../src/config.js';
import { createWorkspace, type Workspace } from './helpers/workspace.js';
import { fakeClock } from './helpers/fake-clock.js';
import { captureLog } from './helpers/log-capture.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const scheduled = (name: string, directory: string, extra = '') =>
  `name: ${name}\nmapping: Cases 26-27\nprotocol: local\ndirectory: ${directory}\nstableSeconds: 0\n${extra}schedule: { frequency: daily, time: "01:00" }\n`;

let ws: Workspace;

/** The case workspace with one import, `cases`, scheduled daily at 01:00 Chicago, and a file in its folder. */
async function daemonAt(iso: string, handledAt: string | null) {
  ws = await createWorkspace();
  cleanups.push(() => ws.close());
  writeFileSync(join(ws.config.configDir, 'imports', 'cases.yaml'), scheduled('cases', 'drop'));
  for (const other of ['fixed', 'guarded', 'noheader', 'prior']) rmSync(join(ws.config.configDir, 'imports', `${other}.yaml`));
  mkdirSync(ws.drop, { recursive: true });
  ws.drop_('error-1001.csv');
  if (handledAt) createScheduleState(ws.db).markHandled('cases', new Date(handledAt));
  const fake = fakeClock(iso);
  const settings = {
    ...loadSettings({ FRAM_TZ: 'America/Chicago' }, { dataDir: join(ws.dir, 'data'), configDir: ws.config.configDir }),
    port: 0,
  };
  return { fake, settings };
}

const runsOf = (name: string) => ws.db.prepare('SELECT status, trigger_kind, trigger_by FROM runs WHERE import = ?').all(name);

describe('scheduled runs', () => {
  it("runs a scheduled import at its minute on the daemon's clock, and not one made inactive while the daemon runs", async () => {
    // 00:59 CST; both imports are due at 01:00 (07:00Z). A first start: nothing to catch up.
    const { fake, settings } = await daemonAt('2026-11-22T06:59:00Z', null);
    mkdirSync(join(ws.dir, 'other'));
    writeFileSync(join(ws.dir, 'other', 'IC_Eligibility_other.csv'), 'never read\n');
    writeFileSync(join(ws.config.configDir, 'imports', 'other.yaml'), scheduled('other', join(ws.dir, 'other')));
    const { log, lines, waitFor } = captureLog();
    const daemon = await startDaemon({ settings, env: {}, log, clock: fake.clock, configPollMs: 50 });
    cleanups.push(() => daemon.stop());
    expect(lines.filter((l) => l.msg === 'schedule:armed').map((l) => [l.import, l.next])).toEqual([
      ['cases', '2026-11-22T07:00:00.000Z'],
      ['other', '2026-11-22T07:00:00.000Z'],
    ]);

    writeFileSync(
      join(ws.config.configDir, 'imports', 'other.yaml'),
      scheduled('other', join(ws.dir, 'other'), 'active: false\n'),
    );
    await waitFor((l) => l.msg === 'schedule:inactive' && l.import === 'other');
    fake.advanceTo('2026-11-22T06:59:59Z');
    expect(lines.filter((l) => l.msg === 'schedule:fired')).toEqual([]);

    fake.advanceTo('2026-11-22T07:00:00Z');
    expect(lines.filter((l) => l.msg === 'schedule:fired').map((l) => [l.import, l.slot, l.queued])).toEqual([
      ['cases', '2026-11-22T07:00:00.000Z', true],
    ]);
    expect(await waitFor((l) => l.msg === 'run:finish')).toMatchObject({ import: 'cases', status: 'Successful' });
    await daemon.stop(); // after the run's watermark is written
    expect(runsOf('cases')).toEqual([{ status: 'Successful', trigger_kind: 'schedule', trigger_by: null }]);
    expect(runsOf('other')).toEqual([]);
    expect(ws.dropped()).toEqual([expect.stringMatching(/^P_IC_Eligibility_\d{14}_error-1001\.csv$/)]);
    expect(createScheduleState(ws.db).handledAt('cases')?.toISOString()).toBe('2026-11-22T07:00:00.000Z');
    // Re-armed for the next day.
    expect(lines.filter((l) => l.msg === 'schedule:armed' && l.import === 'cases').at(-1)?.next).toBe('2026-11-23T07:00:00.000Z');
  });
});

describe('daemon start-up', () => {
  it('runs a missed schedule once after a restart when it is less than 12 hours late', async () => {
    // The 01:00 CST run of 2026-11-22 (07:00Z) was missed; the daemon starts 3 hours later.
    const { fake, settings } = await daemonAt('2026-11-22T10:00:00Z', '2026-11-21T07:00:00Z');
    const { log, lines, waitFor } = captureLog();
    const daemon = await startDaemon({ settings, env: {}, log, clock: fake.clock, configPollMs: 60_000 });
    cleanups.push(() => daemon.stop());
    expect(daemon.config()?.imports.has('cases')).toBe(true);
    expect(lines.filter((l) => l.msg === 'run:catch-up').map((l) => [l.import, l.slot])).toEqual([
      ['cases', '2026-11-22T07:00:00.000Z'],
    ]);
    await waitFor((l) => l.msg === 'run:finish' && l.import === 'cases');
    await daemon.stop(); // after the run's watermark is written
    expect(runsOf('cases')).toEqual([{ status: 'Successful', trigger_kind: 'schedule', trigger_by: 'catch-up' }]);
    expect(createScheduleState(ws.db).handledAt('cases')?.toISOString()).toBe('2026-11-22T07:00:00.000Z');
  });

  it.each([
    ['more than 12 hours late', '2026-11-22T20:00:00Z', '2026-11-21T07:00:00Z', '2026-11-21T07:00:00.000Z'],
    ['a first start (no watermark: the start becomes it)', '2026-11-22T10:00:00Z', null, '2026-11-22T10:00:00.000Z'],
    ['already handled', '2026-11-22T10:00:00Z', '2026-11-22T07:00:00Z', '2026-11-22T07:00:00.000Z'],
  ])('does not catch up: %s', async (_what, now, handled, watermark) => {
    const { fake, settings } = await daemonAt(now, handled);
    const { log, lines } = captureLog();
    const daemon = await startDaemon({ settings, env: {}, log, clock: fake.clock, configPollMs: 60_000 });
    expect(daemon.config()?.imports.has('cases')).toBe(true);
    // The catch-up is decided before startDaemon returns: a due slot would have been queued and logged by now.
    expect(lines.filter((l) => l.msg === 'run:catch-up' || l.msg === 'schedule:fired')).toEqual([]);
    await daemon.stop();
    const db = openDb(dbPath(settings.dataDir));
    cleanups.push(() => {
      db.close();
    });
    expect(db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 0 });
    expect(createScheduleState(db).handledAt('cases')?.toISOString()).toBe(watermark);
  });
});
