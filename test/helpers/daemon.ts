// A real `fram-import serve` process for the daemon tests: its own config dir, data dir and drop
// folder; its JSON log lines collected as they arrive.

import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { openDb, dbPath, type Db } from '../../src/store/db.js';
import { upsertStudents } from '../../src/store/students.js';
import { students } from '../../src/bench/generate.js';
import { freePort } from '../servers/common.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'dist', 'cli', 'bin.js');

export interface Site {
  dir: string;
  configDir: string;
  dataDir: string;
  drop: string;
  /** Writes config/imports/<file>.yaml. */
  writeImport(file: string, yaml: string): void;
  /** Opens the site's store (close it before the daemon needs it exclusively). */
  db(): Db;
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
}

/** A site with the repo's certified types and mapping, and `n` generated students. */
export function createSite(n: number): Site {
  const dir = mkdtempSync(join(tmpdir(), 'fram-daemon-'));
  const configDir = join(dir, 'config');
  const dataDir = join(dir, 'data');
  const drop = join(dir, 'drop');
  for (const d of [join(configDir, 'mappings'), join(configDir, 'imports'), dataDir, drop]) mkdirSync(d, { recursive: true });
  copyFileSync(join(ROOT, 'config', 'certified-types.yaml'), join(configDir, 'certified-types.yaml'));
  copyFileSync(join(ROOT, 'config', 'mappings', 'pos-26-27.yaml'), join(configDir, 'mappings', 'pos-26-27.yaml'));
  const db = openDb(dbPath(dataDir));
  upsertStudents(db, students(n), false);
  db.close();
  return {
    dir,
    configDir,
    dataDir,
    drop,
    writeImport: (file, yaml) => writeFileSync(join(configDir, 'imports', `${file}.yaml`), yaml),
    db: () => openDb(dbPath(dataDir)),
    env: (extra = {}) => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FRAM_DATA_DIR: dataDir,
      FRAM_CONFIG_DIR: configDir,
      FRAM_LOG_LEVEL: 'info',
      ...extra,
    }),
  };
}

export function localImport(name: string, drop: string, extra = ''): string {
  return `name: ${name}\nmapping: POS 26-27\nprotocol: local\ndirectory: ${drop}\nstableSeconds: 0\nmaxChangeRatio: 1\n${extra}`;
}

export interface LogLine {
  msg: string;
  [key: string]: unknown;
}

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  lines: LogLine[];
  /** Resolves with the first log line (already seen or to come) that matches. */
  waitFor(match: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function serve(site: Site, extraEnv: Record<string, string> = {}): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port)], {
    env: site.env(extraEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: `(not JSON) ${text}` };
    }
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  );
  const proc: ServeProcess = {
    child,
    port,
    lines,
    exited,
    waitFor(match, timeoutMs = 30_000) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((res, rej) => {
        const timer = setTimeout(
          () =>
            rej(
              new Error(
                `no matching log line after ${timeoutMs} ms; stderr: ${stderr}\n` +
                  `log: ${lines
                    .map((l) => JSON.stringify(l))
                    .join('\n')
                    .slice(-4000)}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            res(l);
          },
        });
      });
    },
  };
  await proc.waitFor((l) => l.msg === 'daemon:start', 30_000);
  return proc;
}

/** `HH:MM` of the next minute boundary at least `leadSeconds` away, in UTC, and that instant. */
export function nextMinute(leadSeconds = 8): { hhmm: string; at: Date } {
  const t = new Date(Math.ceil((Date.now() + leadSeconds * 1000) / 60_000) * 60_000);
  return { hhmm: `${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}`, at: t };
}
