// The daemon as districts run it: a real `fram-import serve` process (issue 4, acceptance 2-5). Each
// kill or SIGTERM is sent on a log line of the daemon, never after a sleep, and each test expects the
// one outcome that follows. The CLI commands around the daemon (submit, logs) run in this process.
// A scheduled run at its minute is daemon-schedule.test.ts, on a fake clock.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import parsePrometheus from 'parse-prometheus-text-format';
import { writeEligibility } from '../src/bench/generate.js';
import { hashToken } from '../src/web/tokens.js';
import { PROGRESS_EVERY } from '../src/import/process-file.js';
import { createScheduleState } from '../src/store/schedule-state.js';
import { createSite, localImport, serve, type LogLine, type ServeProcess, type Site } from './helpers/daemon.js';
import { cli as cliInProcess } from './helpers/cli-in-process.js';

const running: ServeProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

async function start(site: Site, env: Record<string, string> = {}): Promise<ServeProcess> {
  const p = await serve(site, env);
  running.push(p);
  return p;
}

async function cli(site: Site, ...args: string[]): Promise<string> {
  const r = await cliInProcess(args, site.env({ FRAM_LOG_LEVEL: 'silent' }));
  expect(r.code, r.err).toBe(0);
  return r.out;
}

interface LogRow {
  id: number;
  import: string;
  status: string;
  mode: string;
  error: string | null;
}
const logs = async (site: Site): Promise<LogRow[]> => JSON.parse(await cli(site, 'logs', '--json')) as LogRow[];

/** The first `file:progress` of an import: its file is being read, PROGRESS_EVERY lines in, nothing committed. */
const midParse = (name: string) => (l: LogLine) => l.msg === 'file:progress' && l.import === name && l.lines === PROGRESS_EVERY;

const TOKEN = 'metrics-token-6f1c2a';

describe('fram-import serve', () => {
  it('runs a scheduled import it missed at start, applies a valid config change, refuses an invalid one, and reports health and metrics', async () => {
    const site = createSite(200);
    const dropA = join(site.drop, 'a');
    const dropB = join(site.drop, 'b');
    execFileSync('mkdir', ['-p', dropA, dropB]);
    writeEligibility(join(dropA, 'IC_Eligibility_a.csv'), 120);
    writeEligibility(join(dropB, 'IC_Eligibility_b.csv'), 120);
    // Both are due daily two minutes ago (UTC). A's last handled slot was the day before, so the start
    // catches its missed run up; B was never handled, so its first start only records a watermark.
    const slot = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 2 * 60_000);
    const hhmm = slot.toISOString().slice(11, 16);
    const schedule = `schedule: { frequency: daily, time: "${hhmm}" }\n`;
    site.writeImport('a', localImport('Nightly A', dropA, schedule));
    site.writeImport('b', localImport('Nightly B', dropB, schedule));
    const db = site.db();
    createScheduleState(db).markHandled('Nightly A', new Date(slot.getTime() - 24 * 60 * 60_000));
    db.close();
    const tokens = join(site.dir, 'tokens.yaml');
    writeFileSync(tokens, `- { name: prometheus, role: viewer, sha256: ${hashToken(TOKEN)} }\n`);

    const daemon = await start(site, { FRAM_API_TOKENS_FILE: tokens, FRAM_TZ: 'UTC' });
    const tomorrow = new Date(slot.getTime() + 24 * 60 * 60_000).toISOString();
    expect(
      daemon.lines
        .filter((l) => l.msg === 'schedule:armed')
        .map((l) => [l.import, l.next])
        .sort(),
    ).toEqual([
      ['Nightly A', tomorrow],
      ['Nightly B', tomorrow],
    ]);
    expect(daemon.lines.filter((l) => l.msg === 'run:catch-up').map((l) => [l.import, l.slot])).toEqual([
      ['Nightly A', slot.toISOString()],
    ]);

    // active: false while the daemon runs: B's next scheduled run must not happen.
    site.writeImport('b', localImport('Nightly B', dropB, `active: false\n${schedule}`));
    await daemon.waitFor((l) => l.msg === 'config:reloaded');
    await daemon.waitFor((l) => l.msg === 'schedule:inactive' && l.import === 'Nightly B');
    // An invalid change is refused; the config in force stays.
    site.writeImport('broken', 'name: [unclosed\n');
    const invalid = await daemon.waitFor((l) => l.msg === 'config:invalid');
    expect(JSON.stringify(invalid.problems)).toContain('broken.yaml');

    const base = `http://127.0.0.1:${daemon.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { status: string }).status).toBe('ready');
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);

    const finish = await daemon.waitFor((l) => l.msg === 'run:finish', 120_000);
    expect(finish).toMatchObject({ import: 'Nightly A', status: 'Successful', new: 120 });
    const runId = finish.runId;
    for (const event of ['run:start', 'file:found', 'file:imported', 'file:renamed']) {
      expect(
        daemon.lines.find((l) => l.msg === event),
        event,
      ).toMatchObject({ runId, import: 'Nightly A' });
    }

    expect((await logs(site)).map((r) => [r.import, r.mode, r.status])).toEqual([['Nightly A', 'run', 'Successful']]);
    expect(readdirSync(dropA)).toEqual([expect.stringMatching(/^P_IC_Eligibility_\d{14}_a\.csv$/)]);
    expect(readdirSync(dropB)).toEqual(['IC_Eligibility_b.csv']);

    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const families = parsePrometheus(await res.text());
    const sample = (name: string, labels: Record<string, string>) =>
      families
        .find((f) => f.name === name)
        ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)) as { value: string } | undefined;
    expect(sample('fram_runs', { import: 'Nightly A', mode: 'run', status: 'Successful' })?.value).toBe('1');
    expect(sample('fram_lines', { import: 'Nightly A', outcome: 'new' })?.value).toBe('120');
    expect(sample('fram_lines', { import: 'Nightly A', outcome: 'error' })?.value).toBe('0');
    const finished = site.db();
    const finishedAt = finished.prepare('SELECT finished_at FROM runs WHERE id = ?').pluck().get(runId) as string;
    finished.close();
    expect(sample('fram_last_success_timestamp_seconds', { import: 'Nightly A' })?.value).toBe(
      String(Math.floor(Date.parse(finishedAt) / 1000)),
    );
    expect(sample('fram_queue_length', {})?.value).toBe('0');
    expect(sample('fram_config_valid', {})?.value).toBe('0');
    expect(families.find((f) => f.name === 'fram_runs')?.type).toBe('GAUGE');

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(daemon.lines.at(-1)?.msg).toBe('daemon:stopped');
  });

  it('stops cleanly on SIGTERM in the middle of a 1,000,000-line import', async () => {
    const n = 1_000_000;
    const site = createSite(n);
    writeEligibility(join(site.drop, 'IC_Eligibility_big.csv'), n);
    site.writeImport('big', localImport('Big', site.drop));
    await cli(site, 'submit', 'Big', '--at', new Date().toISOString());

    const daemon = await start(site);
    // Mid-parse: the first 50,000 lines are read, the file's transaction is open, 950,000 lines to go.
    await daemon.waitFor(midParse('Big'), 120_000);
    const signalledAt = Date.now();
    daemon.child.kill('SIGTERM');
    const exit = await daemon.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(30_000);
    expect(daemon.lines.filter((l) => l.msg === 'file:committed')).toEqual([]);

    // The file rolled back whole: nothing imported, the file left as it was, the run says why.
    const db = site.db();
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT count(*) AS n FROM imported_files').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM eligibility').get()).toEqual({ n: 0 });
      expect(readdirSync(site.drop)).toEqual(['IC_Eligibility_big.csv']);
      expect(db.prepare("SELECT status, error_code FROM runs WHERE import = 'Big'").all()).toEqual([
        { status: 'Unsuccessful', error_code: 5014 },
      ]);
      expect(db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'Running'").get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM run_locks').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  }, 150_000);

  it('imports a file exactly once after a kill -9 in the middle of its import', async () => {
    const n = 300_000;
    const site = createSite(n);
    writeEligibility(join(site.drop, 'IC_Eligibility_mid.csv'), n);
    site.writeImport('mid', localImport('Mid', site.drop));
    await cli(site, 'submit', 'Mid', '--at', new Date().toISOString());

    const first = await start(site);
    await first.waitFor(midParse('Mid'), 120_000);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(existsSync(join(site.drop, 'IC_Eligibility_mid.csv'))).toBe(true);

    // The batch entry the dead process held is taken again; its lock and run are reaped.
    const second = await start(site);
    expect(second.lines.filter((l) => l.msg === 'run:reaped')).toEqual([expect.objectContaining({ runs: 1 })]);
    const finish = await second.waitFor((l) => l.msg === 'run:finish' && l.import === 'Mid', 120_000);
    expect(finish).toMatchObject({ status: 'Successful', new: n });
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const db = site.db();
    try {
      expect(db.prepare('SELECT count(*) AS n FROM imported_files').get()).toEqual({ n: 1 });
      expect(
        db.prepare("SELECT count(DISTINCT run_id) AS runs, count(*) AS n FROM change_log WHERE status = 'New'").get(),
      ).toEqual({ runs: 1, n });
      expect(db.prepare('SELECT count(*) AS n FROM eligibility').get()).toEqual({ n });
      const runs = db.prepare("SELECT status, error_code FROM runs WHERE import = 'Mid' ORDER BY id").all();
      expect(runs).toEqual([
        { status: 'Unsuccessful', error_code: 5014 },
        { status: 'Successful', error_code: null },
      ]);
      expect(db.prepare('SELECT count(*) AS n FROM run_locks').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    expect(readdirSync(site.drop)).toEqual([expect.stringMatching(/^P_IC_Eligibility_\d{14}_mid\.csv$/)]);
  }, 150_000);
});
