// Opens the SQLite store, sets its pragmas and runs the migrations it has not run yet.

import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errorCode, isBusy, localFailure } from '../errors.js';

export type Db = Database.Database;

/** Each entry moves the schema one version on; never edit one that has shipped, add another. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE students (
    id INTEGER PRIMARY KEY,
    student_number TEXT NOT NULL UNIQUE,
    state_id TEXT NOT NULL,
    last_name TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL DEFAULT '',
    birth_date TEXT,
    school TEXT NOT NULL DEFAULT '',
    grade TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX students_state_id ON students(state_id);

  CREATE TABLE eligibility (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES students(id),
    school_year INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    eligibility TEXT NOT NULL CHECK (eligibility IN ('F','R','S')),
    source TEXT NOT NULL CHECK (source IN ('direct','nonDirect')),
    certified_type TEXT,
    application_name TEXT,
    reference_number TEXT,
    created_run INTEGER
  );
  CREATE INDEX eligibility_student ON eligibility(student_id);

  -- Every change to eligibility, with the run (or action) that made it: the history behind
  -- student and revert, and a real run's Updated Records. The record columns hold the record
  -- as the change left it (as it was, for Removed); before holds it as it was before (JSON).
  -- A run's New row is written narrow (record columns NULL: the record itself is the same) and
  -- filled in from the record just before anything changes or removes it; read change_history.
  CREATE TABLE change_log (
    id INTEGER PRIMARY KEY,
    run_id INTEGER,
    status TEXT NOT NULL CHECK (status IN ('New','Ended','Removed','Updated')),
    record_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    school_year INTEGER,
    start_date TEXT,
    end_date TEXT,
    eligibility TEXT,
    source TEXT,
    certified_type TEXT,
    application_name TEXT,
    reference_number TEXT,
    before TEXT,
    -- Set for changes no run made (a run's rows take the run's time).
    at TEXT,
    -- What made a change that no run made, e.g. 'revert of run 12'.
    note TEXT
  );
  CREATE INDEX change_log_run ON change_log(run_id, record_id);

  CREATE VIEW change_history AS
    SELECT l.id, l.run_id, l.status, l.record_id, l.student_id,
      coalesce(l.school_year, e.school_year) AS school_year, coalesce(l.start_date, e.start_date) AS start_date,
      coalesce(l.end_date, e.end_date) AS end_date, coalesce(l.eligibility, e.eligibility) AS eligibility,
      coalesce(l.source, e.source) AS source,
      CASE WHEN l.school_year IS NULL THEN e.certified_type ELSE l.certified_type END AS certified_type,
      CASE WHEN l.school_year IS NULL THEN e.application_name ELSE l.application_name END AS application_name,
      CASE WHEN l.school_year IS NULL THEN e.reference_number ELSE l.reference_number END AS reference_number,
      l.before, l.at, l.note
    FROM change_log l LEFT JOIN eligibility e ON l.school_year IS NULL AND e.id = l.record_id;

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    import TEXT NOT NULL,
    mapping TEXT NOT NULL,
    school_year INTEGER NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('test','run')),
    status TEXT NOT NULL CHECK (status IN ('Running','Successful','Unsuccessful')),
    trigger_kind TEXT NOT NULL,
    trigger_by TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    new INTEGER NOT NULL DEFAULT 0,
    ended INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0,
    existing INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    error_code INTEGER,
    error_text TEXT,
    notices TEXT NOT NULL DEFAULT '[]',
    include_updated INTEGER NOT NULL DEFAULT 1,
    keep INTEGER NOT NULL DEFAULT 0,
    reverted_at TEXT
  );
  CREATE INDEX runs_import ON runs(import, id);

  -- One run per import at a time; the pid lets a later process reap a lock whose owner died.
  CREATE TABLE run_locks (
    import TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    since TEXT NOT NULL
  );

  -- The file ledger: every file a run saw, and what became of it.
  CREATE TABLE file_ledger (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    import TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime TEXT,
    sha256 TEXT,
    state TEXT NOT NULL,
    lines INTEGER NOT NULL DEFAULT 0,
    renamed_to TEXT,
    imported_by_run INTEGER,
    error_code INTEGER,
    error_text TEXT
  );
  CREATE INDEX file_ledger_run ON file_ledger(run_id);
  CREATE INDEX file_ledger_import_state ON file_ledger(import, state);

  -- Written in the file's own transaction: a file's content counts as imported exactly when its data is.
  CREATE TABLE imported_files (
    sha256 TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL,
    name TEXT NOT NULL
  );

  CREATE TABLE run_messages (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    severity TEXT NOT NULL,
    code INTEGER NOT NULL,
    text TEXT NOT NULL
  );
  CREATE INDEX run_messages_run ON run_messages(run_id, severity, id);

  -- A test run's Updated Records: its changes were rolled back, so they are kept here instead.
  CREATE TABLE test_updates (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    student_id INTEGER NOT NULL,
    school_year INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    source TEXT NOT NULL,
    certified_type TEXT,
    application_name TEXT,
    reference_number TEXT
  );
  CREATE INDEX test_updates_run ON test_updates(run_id);
  `,
  `
  -- The lock's owner: a token per process. A pid alone can come back after a restart (a
  -- container's daemon is often PID 1 every time), so a pid that is alive is not proof.
  ALTER TABLE run_locks ADD COLUMN owner TEXT NOT NULL DEFAULT '';

  -- IC's Submit to Batch: one-off runs at a time, high priority first, one worker.
  CREATE TABLE batch_queue (
    id INTEGER PRIMARY KEY,
    import TEXT NOT NULL,
    run_at TEXT NOT NULL,
    high_priority INTEGER NOT NULL DEFAULT 0,
    keep INTEGER NOT NULL DEFAULT 0,
    test INTEGER NOT NULL DEFAULT 0,
    submitted_by TEXT,
    submitted_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','running','done')),
    run_id INTEGER
  );
  CREATE INDEX batch_queue_state ON batch_queue(state, run_at);

  -- The last scheduled time the daemon handled per import: what a catch-up at start-up compares with.
  CREATE TABLE schedule_state (
    import TEXT PRIMARY KEY,
    handled_at TEXT NOT NULL
  );
  `,
  `
  -- A file is known by its content (sha256) once downloaded, and before that by its listing: the
  -- sha256 of its name, size and modified time. A file whose download or name failed has only that.
  ALTER TABLE file_ledger ADD COLUMN listing_key TEXT;

  -- What people decided about a held, rejected or unreadable file (SPEC 7.4): an approval lets a file
  -- held by the mass-change guard import, once; a dismissal sets a file aside so later runs skip it.
  CREATE TABLE file_decisions (
    id INTEGER PRIMARY KEY,
    import TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approved','dismissed')),
    -- The file's sha256, or its listing key when it was never downloaded.
    file_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT NOT NULL,
    -- For an approval: the run that imported the file with it (an approval is used once).
    used_by_run INTEGER
  );
  CREATE INDEX file_decisions_key ON file_decisions(import, file_key);
  `,
];

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
    db = new Database(path, { fileMustExist: opts.mustExist ?? false, timeout: Math.max(0, Math.round(opts.busyTimeoutMs ?? 5000)) });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Foreign keys are declared for the reader, not enforced: better-sqlite3 turns enforcement on by
    // default, which looks every new record's student up again (a fifth of a large first import), and
    // no code path deletes students.
    db.pragma('foreign_keys = OFF');
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
    const done = db.transaction(() => {
      const v = db.pragma('user_version', { simple: true }) as number;
      if (v >= MIGRATIONS.length) return true;
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
      return false;
    }).immediate();
    if (done) return;
  }
}
