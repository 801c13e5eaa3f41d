// The run lock (SPEC 6.1, 10): one run per import at a time, across processes, containers and PID
// namespaces that share the data dir. A pid and a token in the store cannot decide this (two
// containers are both PID 1, and a dead holder's row looks the same as a live one), so the lock is
// the kernel's: an exclusive fcntl lock that SQLite takes on a small per-import file under
// `<data>/locks/`, held by an open transaction for the run's length. The kernel drops it the moment
// the holder's process dies, however it dies; SQLite also refuses it to a second connection of the
// same process. The file holds no data: the run_locks table only shows which run holds the lock.
// Never open a lock file any other way: closing any descriptor of it drops the process's fcntl locks.

import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isBusy, localFailure } from '../errors.js';

export const LOCKS_DIR = 'locks';

export interface RunLock {
  readonly path: string;
  /** Gives the lock up (the kernel does it too if the process dies first). */
  release(): void;
}

/** The lock file of an import: readable for a person, unique for any name (names match ignoring case). */
export function runLockPath(dataDir: string, importName: string): string {
  const key = importName.toLowerCase();
  const slug =
    key
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'import';
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return join(dataDir, LOCKS_DIR, `${slug}-${hash}.lock`);
}

/** Takes the import's lock, or returns null while any other connection, in any process, holds it. */
export function tryRunLock(dataDir: string, importName: string): RunLock | null {
  const dir = join(dataDir, LOCKS_DIR);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw localFailure(e, dir, 'creating the run-lock folder');
  }
  const path = runLockPath(dataDir, importName);
  let db: Database.Database | null = null;
  try {
    db = new Database(path);
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db?.close();
    if (isBusy(e)) return null;
    throw localFailure(e, path, 'taking the run lock');
  }
  const held = db;
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      held.close(); // closing the connection rolls the empty transaction back and drops the lock
    },
  };
}
