// The two kinds of measurement: the sqlite3 CLI's bare .import (the floor), and one real import in a
// child process (so its peak RSS is its own, not the bench's).

import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { BenchPaths } from './setup.js';
import { IMPORT_NAME } from './setup.js';

export interface Measurement {
  seconds: number;
  /** Peak resident set of the measured process, MB; null when it could not be read. */
  maxRssMb: number | null;
}

export interface ImportMeasurement extends Measurement {
  status: string;
  new: number;
  existing: number;
  ended: number;
  removed: number;
  errors: number;
  warnings: number;
  lines: number;
  /** getrusage's ru_maxrss, which on Linux also counts the parent's RSS at fork: for comparison only. */
  ruMaxRssMb: number;
}

export class MissingSqlite3 extends Error {}

/** The middle value; the mean of the two middle ones for an even count. */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Flushes dirty pages (the generated files, the previous step's database writes) before a timed step,
 * so one step's writeback does not land in the next one's time.
 */
export function settle(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

/** The sqlite3 CLI's version; throws MissingSqlite3 when it is not installed. */
export function sqliteVersion(): string {
  const r = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new MissingSqlite3('sqlite3 is not installed: apt-get install sqlite3');
  }
  return r.stdout.trim().split(' ')[0] ?? '?';
}

/**
 * `sqlite3 <db> ".mode csv" ".import <file> bare"` into a fresh database. The last command makes sqlite3
 * print its own peak RSS (VmHWM of its parent, sqlite3, seen from the shell it starts): a few ms of fork
 * and exec inside the timed region.
 */
export function sqliteImport(file: string, db: string): Measurement {
  for (const f of [db, `${db}-journal`, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  const args = [db, '.mode csv', `.import ${file} bare`, '.shell grep VmHWM /proc/$PPID/status'];
  settle();
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sqlite3', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new MissingSqlite3('sqlite3 is not installed: apt-get install sqlite3');
  }
  if (r.error) throw r.error;
  if (r.status !== 0 || r.stderr.trim()) {
    throw new Error(`sqlite3 .import failed (exit ${r.status}): ${r.stderr.trim()}`);
  }
  const kb = /VmHWM:\s*(\d+)\s*kB/.exec(r.stdout);
  return { seconds, maxRssMb: kb ? Number(kb[1]) / 1024 : null };
}

/** Rows in the table .import made (the header is its column names, not a row). */
export function sqliteCount(db: string): number {
  const r = spawnSync('sqlite3', [db, 'SELECT count(*) FROM bare'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

/**
 * Runs `node [nodeOptions] import-once.js` for the bench import and returns what it printed.
 * nodeOptions pass through to the child, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof.
 */
export function importInChild(script: string, p: BenchPaths, nodeOptions: string[]): ImportMeasurement {
  settle();
  const args = [...nodeOptions, script, '--data-dir', p.dataDir, '--config-dir', p.configDir, '--import', IMPORT_NAME];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (r.error) throw r.error;
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let parsed: ImportMeasurement;
  try {
    parsed = JSON.parse(last) as ImportMeasurement;
  } catch {
    throw new Error(`import-once exited ${r.status} without its JSON line; stdout: ${r.stdout.slice(-2000)}`);
  }
  return parsed;
}
