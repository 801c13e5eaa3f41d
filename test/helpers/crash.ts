// Crash tests: the built CLI as a child process killed with SIGKILL the moment it logs a chosen
// event, and what a crash may leave behind (store rows, staging files, smbclient's private folders).
// The kill is the child's own: a preloaded module sends SIGKILL to the child's process group from
// inside the write of that log line, so the child never runs a statement past the event, however
// busy the machine (a kill sent by this process on reading the line would land some time later).

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { BIN, type LogLine } from './daemon.js';

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stderr: the pino lines, parsed (a line that is not JSON becomes `{ msg: '(not JSON) ...' }`). */
  lines: LogLine[];
  /** Killed at its event (`killAt`): its last log line, which should be the event's. */
  killedAfter: LogLine | null;
}

/** Process groups of children still running, so a failed test never leaves one behind. */
const groups = new Set<number>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export function killLeftovers(): void {
  for (const pid of groups) killGroup(pid);
  groups.clear();
}

export interface CliOptions {
  /** The log event (`msg`) whose line kills the process and its children, the moment it is written. */
  killAt?: string;
  timeoutMs?: number;
}

/** Preloaded into the child: SIGKILL to its process group right after it writes `"msg":"<FRAM_TEST_KILL_AT>"` to stderr. */
const KILL_AT_EVENT = `import fs from 'node:fs';
const needle = '"msg":' + JSON.stringify(process.env.FRAM_TEST_KILL_AT);
const write = fs.writeSync;
fs.writeSync = function (fd, data, ...rest) {
  const n = write.call(this, fd, data, ...rest);
  if (fd === 2 && String(data).includes(needle)) process.kill(-process.pid, 'SIGKILL');
  return n;
};`;

/**
 * Runs `node dist/cli/bin.js <args>` and resolves when it has exited and its output is read. A kill
 * is SIGKILL to the whole process group (the CLI and any smbclient it started), as when the machine
 * or the container dies.
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  { killAt, timeoutMs = 60_000 }: CliOptions = {},
): Promise<CliExit> {
  const preload = killAt ? ['--import', `data:text/javascript,${encodeURIComponent(KILL_AT_EVENT)}`] : [];
  // Its own process group (detached), so the kill reaches the children it started too.
  const child = spawn(process.execPath, [...preload, BIN, ...args], {
    env: killAt ? { ...env, FRAM_TEST_KILL_AT: killAt } : env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid!;
  groups.add(pid);
  const lines: LogLine[] = [];
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  createInterface({ input: child.stderr! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: `(not JSON) ${text}` };
    }
    lines.push(line);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(pid);
      reject(
        new Error(
          `fram-import ${args.join(' ')} did not exit within ${timeoutMs} ms; log:\n${lines
            .map((l) => JSON.stringify(l))
            .join('\n')
            .slice(-4000)}`,
        ),
      );
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      groups.delete(pid);
      // Killed at its event: the event's line is the last it wrote.
      const killedAfter = killAt && signal === 'SIGKILL' ? (lines.at(-1) ?? null) : null;
      resolve({ code, signal, stdout, lines, killedAfter });
    });
  });
}

/** Columns that name a row or the run that wrote it: they differ between two stores with the same data. */
const ID_COLUMNS = new Set(['id', 'run_id', 'record_id', 'created_run']);

export interface TableComparison {
  rows: number;
  referenceRows: number;
  /** Up to 5 rows (with their number of copies) the reference has and the store has not, and the other way round. */
  missing: unknown[];
  extra: unknown[];
}

/**
 * Compares a table of two stores as multisets of rows without their id columns: equal exactly when
 * `rows === referenceRows` and both `missing` and `extra` are empty.
 */
export function compareTable(storeFile: string, referenceFile: string, table: string): TableComparison {
  const db = new Database(storeFile, { fileMustExist: true });
  try {
    db.prepare('ATTACH DATABASE ? AS ref').run(referenceFile);
    const columns = (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[])
      .map((c) => `"${c.name}"`)
      .filter((c) => !ID_COLUMNS.has(c.slice(1, -1)));
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const rows = count(`SELECT count(*) AS n FROM main."${table}"`);
    const referenceRows = count(`SELECT count(*) AS n FROM ref."${table}"`);
    // Fast path: the same rows under the same rowids proves equal multisets (ids may differ, so it is not required).
    const same = columns.map((c) => `a.${c} IS b.${c}`).join(' AND ');
    if (
      rows === referenceRows &&
      count(`SELECT count(*) AS n FROM main."${table}" a JOIN ref."${table}" b ON a.rowid = b.rowid WHERE ${same}`) === rows
    ) {
      return { rows, referenceRows, missing: [], extra: [] };
    }
    const cols = columns.join(', ');
    const grouped = (schema: string) => `SELECT ${cols}, count(*) AS copies FROM ${schema}."${table}" GROUP BY ${cols}`;
    return {
      rows,
      referenceRows,
      missing: db.prepare(`${grouped('ref')} EXCEPT ${grouped('main')} LIMIT 5`).all(),
      extra: db.prepare(`${grouped('main')} EXCEPT ${grouped('ref')} LIMIT 5`).all(),
    };
  } finally {
    db.close();
  }
}

/** Every file (not folder) under `dir`, as paths relative to it; none when `dir` does not exist. */
export function filesUnder(dir: string): string[] {
  return walk(dir)
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Every folder under `dir` (at any depth) whose name starts with `prefix`, relative to `dir`. */
export function foldersNamed(dir: string, prefix: string): string[] {
  return walk(dir)
    .filter((e) => e.isDirectory() && e.name.startsWith(prefix))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function walk(dir: string) {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
