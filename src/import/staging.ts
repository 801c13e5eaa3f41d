// Local staging (SPEC 6.4, 6.7, 8): downloads land in `<data>/staging/run-<run id>/<file index>`, never
// under a name that came from a server. A run's folder is removed when the run ends; folders of runs
// that are no longer running (their process died: kill -9, a deadline) are swept at the start of every
// process and before every run, with smbclient's private folders left by dead processes.

import { chmodSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { localFailure } from '../errors.js';

export const STAGING_DIR = 'staging';
import { CLIENT_DIR_PREFIX } from '../transports/transport.js';
/** A client folder this old belongs to a connection no process still uses (a test-connection lasts seconds). */
const CLIENT_DIR_MAX_AGE_MS = 60 * 60 * 1000;

export function stagingRoot(dataDir: string): string {
  return join(dataDir, STAGING_DIR);
}

/** Makes (0700) and returns the run's own staging folder. */
export function runStaging(dataDir: string, runId: number): string {
  const dir = join(stagingRoot(dataDir), `run-${runId}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw localFailure(e, dir, 'creating the staging folder');
  }
  return dir;
}

/**
 * Where a connection that belongs to no run (a test-connection) keeps its client files: the staging
 * root when the data dir can be used, else the system's temporary folder.
 */
export function clientDir(dataDir: string): string | undefined {
  try {
    prepareStaging(dataDir);
    return stagingRoot(dataDir);
  } catch {
    return undefined;
  }
}

export function removeRunStaging(dataDir: string, runId: number): void {
  rmSync(join(stagingRoot(dataDir), `run-${runId}`), { recursive: true, force: true });
}

/**
 * Removes what dead runs and connections left: every `run-<id>` folder whose run `isRunning` does
 * not claim, every client folder whose owner `isRunning` does not claim and that is old, and any
 * other stray entry (a `.part` of an older version). Returns what was removed, for the log.
 */
export function sweepStaging(dataDir: string, isRunning: (runId: number) => boolean, now = Date.now()): string[] {
  const root = stagingRoot(dataDir);
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of entries) {
    const run = /^run-(\d+)$/.exec(name);
    if (run && isRunning(Number(run[1]))) continue;
    const runOwned = /^run-(\d+)$/.test(name);
    if (!runOwned && name.startsWith(CLIENT_DIR_PREFIX)) {
      const age = now - (statSync(join(root, name), { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age < CLIENT_DIR_MAX_AGE_MS) continue;
    }
    rmSync(join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Restricts the staging root to the service's user (it holds children's data and, briefly, a password). */
export function prepareStaging(dataDir: string): void {
  const root = stagingRoot(dataDir);
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    chmodSync(root, 0o700);
  } catch (e) {
    throw localFailure(e, root, 'creating the staging folder');
  }
}
