// Another process that holds the store's write lock (`BEGIN IMMEDIATE`) until the test tells it to
// let go: a small node child driven by JSON lines on stdin, answering on stdout. Nothing here sleeps:
// each step resolves when the child says it is done. The child exits when its stdin closes, so a
// failed test never leaves it holding the store.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { ROOT } from './daemon.js';

const SCRIPT = `
const Database = require(process.argv[1]);
const db = new Database(process.argv[2]);
db.pragma('busy_timeout = 60000');
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = JSON.parse(line);
  try {
    if (cmd.do === 'lock') {
      if (cmd.sql) db.exec(cmd.sql); // committed just before the lock, in the same tick
      db.exec('BEGIN IMMEDIATE');
      say({ done: 'lock', at: Date.now() });
    } else if (cmd.do === 'release') {
      db.exec('ROLLBACK');
      say({ done: 'release', at: Date.now() });
    }
  } catch (e) {
    say({ error: String(e && e.message), code: e && e.code });
  }
});
process.stdin.on('end', () => { db.close(); process.exit(0); });
say({ done: 'open', pid: process.pid });
`;

export interface StoreLockHolder {
  pid: number;
  /** Takes the write lock (after committing `sql`, if given); resolves with the time it was taken. */
  lock(sql?: string): Promise<number>;
  /** Lets the lock go (rolls back); resolves with the time it was let go. */
  release(): Promise<number>;
  /** Ends the process. */
  stop(): Promise<void>;
}

export async function holdStore(dbFile: string): Promise<StoreLockHolder> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SCRIPT, join(ROOT, 'node_modules', 'better-sqlite3'), dbFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const answers: { done?: string; error?: string; at?: number; pid?: number }[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    answers.push(JSON.parse(text));
    waiters.shift()?.();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = async (what: string) => {
    if (!answers.length) await new Promise<void>((resolve) => waiters.push(resolve));
    const a = answers.shift()!;
    if (a.done !== what) throw new Error(`the store-lock holder answered ${JSON.stringify(a)} to '${what}'`);
    return a;
  };
  const send = (cmd: object) => child.stdin!.write(`${JSON.stringify(cmd)}\n`);
  const opened = await next('open');
  return {
    pid: opened.pid!,
    async lock(sql) {
      send({ do: 'lock', sql });
      return (await next('lock')).at!;
    },
    async release() {
      send({ do: 'release' });
      return (await next('release')).at!;
    },
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}
