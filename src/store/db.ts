// Opens the SQLite store, sets its pragmas and runs the migrations (migrations.ts) it has not run yet.

import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errorCode, isBusy, localFailure } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export const SCHEMA_VERSION = MIGRATIONS.length;

export function dbPath(dataDir: string): string {
  return join(dataDir, 'fram-import.db');
}

export interface OpenOptions {
  /** The store must already exist (a command that only reads never creates an empty one). */
  mustExist?: boolean;
  /** How long one statement waits for another writer before SQLITE_BUSY (the CLI's `--wait`). */
  busyTimeoutMs?: number;
}

/** The store file is missing where a command expected one (a mistyped `--data-dir`, say). */
export class StoreMissing extends Error {
  constructor(readonly path: string) {
    super(`no store at ${path}`);
    this.name = 'StoreMissing';
  }
}

/**
 * Opens (creating if needed, unless `mustExist`) the store at `path` and migrates it. A store or data
 * dir this process may not write fails here with 5020 naming the path, not at the first write.
 */
export function openDb(path: string, opts: OpenOptions = {}): Db {
  const dir = dirname(path);
  if (opts.mustExist && !existsSync(path)) throw new StoreMissing(path);
  try {
    mkdirSync(dir, { recursive: true });
    // SQLite opens a file it may not write read-only without a word; WAL also needs to create files beside it.
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw localFailure(e, dir, 'opening the store');
  }
  let db: Db | null = null;
  try {
    if (existsSync(path)) accessSync(path, constants.R_OK | constants.W_OK);
    // The busy timeout first: even turning WAL on in a new store needs the lock another process may hold.
    db = new Database(path, {
      fileMustExist: opts.mustExist ?? false,
      timeout: Math.max(0, Math.round(opts.busyTimeoutMs ?? 5000)),
    });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Foreign keys are declared for the reader, not enforced: better-sqlite3 turns enforcement on by
    // default, which looks every new record's student up again (a fifth of a large first import), and
    // no code path deletes students.
    db.pragma('foreign_keys = OFF');
    // A REPLACE that deletes a record then fires the change log's BEFORE DELETE trigger too (migration 4).
    db.pragma('recursive_triggers = ON');
    // A file is one transaction; 32 MiB of page cache holds a 1,000,000-line file's hot index pages.
    db.pragma('cache_size = -32768');
    migrate(db);
    return db;
  } catch (e) {
    db?.close();
    if (errorCode(e) === 'SQLITE_CANTOPEN' && opts.mustExist && !existsSync(path)) throw new StoreMissing(path);
    throw isBusy(e) || (e instanceof Error && !errorCode(e)) ? e : localFailure(e, path, 'opening the store');
  }
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`the database has schema version ${current}, newer than this program's ${MIGRATIONS.length}`);
  }
  // Up to date: no lock at all, so a command that reads never waits for a writer.
  if (current === MIGRATIONS.length) return;
  for (;;) {
    // Under the write lock, the version read again: another process may have migrated meanwhile.
    const done = db
      .transaction(() => {
        const v = db.pragma('user_version', { simple: true }) as number;
        if (v >= MIGRATIONS.length) return true;
        db.exec(MIGRATIONS[v]);
        db.pragma(`user_version = ${v + 1}`);
        return false;
      })
      .immediate();
    if (done) return;
  }
}
