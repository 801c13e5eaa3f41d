// The run lock across processes and PID namespaces (issue 9, finding 5): two containers on one data
// dir are two PID namespaces whose processes are both PID 1, so a pid in the store cannot tell them
// apart. The lock is the kernel's; a second run of the import gets 5012 whoever holds it, and a
// kill -9 of the holder frees it at once. A run is held in its stability gate (a long stableSeconds)
// for as long as the test needs it to hold the lock. Runs the built CLI; the namespaces need root.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeEligibility } from '../src/bench/generate.js';
import { BIN, createSite, localImport, type Site } from './helpers/daemon.js';
import { killCliLeftovers, runCliToEnd, startCli, type CliProcess } from './helpers/cli-process.js';

afterEach(() => killCliLeftovers());

const N = 40;
const runStarted = /^(?=.*"msg":"run:start")(?=.*"import":"Slow").*$/m;

/** `unshare` puts the CLI in a new PID namespace (and a /proc of its own), where it is PID 1; it dies with unshare. */
const inNamespace = { file: 'unshare', args: ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, BIN] };

function slowSite(): Site {
  const site = createSite(N);
  writeEligibility(join(site.drop, 'IC_Eligibility_slow.csv'), N);
  // The gate waits 300 s: the run holds the lock until the test kills it.
  site.writeImport('slow', localImport('Slow', site.drop).replace('stableSeconds: 0', 'stableSeconds: 300'));
  return site;
}

function runIdOf(p: CliProcess): number {
  const line = p
    .stderr()
    .split('\n')
    .find((l) => runStarted.test(l));
  if (!line) throw new Error(`no run:start from pid ${p.child.pid}`);
  return (JSON.parse(line) as { runId: number }).runId;
}

/** The host pid of the process a CLI started in a namespace (unshare's only child). */
function childOf(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  expect(children).toHaveLength(1);
  return children[0];
}

async function holdThenRefuseThenFree(site: Site, command?: typeof inNamespace) {
  const env = site.env();
  const first = startCli(['run', 'Slow', '--json'], env, command);
  await first.waitForStderr(runStarted);
  const holderRun = runIdOf(first);

  const second = command
    ? await startCli(['run', 'Slow', '--json'], env, command).exited
    : await runCliToEnd(['run', 'Slow', '--json'], env);
  expect(second.code, second.stderr).toBe(1);
  const refused = JSON.parse(second.stdout) as { runId: number; status: string; runError: { code: number; text: string } };
  expect(refused.runError).toEqual({ code: 5012, text: `Import 'Slow' is already running (run ${holderRun})` });

  const db = site.db();
  const lockRow = db.prepare('SELECT run_id, pid FROM run_locks').all() as { run_id: number; pid: number }[];
  db.close();
  expect(lockRow.map((r) => r.run_id)).toEqual([holderRun]);

  // kill -9 of the holder itself (in a namespace: the PID 1 there, seen from here under its host pid).
  const holderPid = command ? childOf(first.child.pid!) : first.child.pid!;
  process.kill(holderPid, 'SIGKILL');
  await first.exited;

  // The lock is free at once: a new run takes it (without the gate now) and reaps the dead run.
  site.writeImport('slow', localImport('Slow', site.drop));
  const third = command
    ? await startCli(['run', 'Slow', '--json'], env, command).exited
    : await runCliToEnd(['run', 'Slow', '--json'], env);
  expect(third.code, third.stderr).toBe(0);
  const ran = JSON.parse(third.stdout) as { runId: number; status: string; summary: { new: number } };
  expect(ran.summary.new).toBe(N);

  const after = site.db();
  try {
    expect(after.prepare('SELECT id, status, error_code FROM runs ORDER BY id').all()).toEqual([
      { id: holderRun, status: 'Unsuccessful', error_code: 5014 },
      { id: refused.runId, status: 'Unsuccessful', error_code: 5012 },
      { id: ran.runId, status: 'Successful', error_code: null },
    ]);
    expect(after.prepare('SELECT count(*) FROM run_locks').pluck().get()).toBe(0);
    expect(after.prepare('SELECT count(*) FROM eligibility').pluck().get()).toBe(N);
  } finally {
    after.close();
  }
  return lockRow[0];
}

describe('the run lock', () => {
  it('another process holding it refuses a second run with 5012; a kill -9 of the holder frees it for the next run', async () => {
    const site = slowSite();
    await holdThenRefuseThenFree(site);
  }, 120_000);

  it('holds across PID namespaces, where both runs are PID 1 (two containers on one data dir)', async () => {
    const site = slowSite();
    const lockRow = await holdThenRefuseThenFree(site, inNamespace);
    // The holder was PID 1 in its namespace, as the refused run was in its own: a pid could not decide.
    expect(lockRow.pid).toBe(1);
  }, 120_000);
});
