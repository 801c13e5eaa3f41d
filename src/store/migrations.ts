// The store's schema, as the migrations build it one version at a time (db.ts runs them).

/** Each entry moves the schema one version on; never edit one that has shipped, add another. */
export const MIGRATIONS: readonly string[] = [
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
  `
  -- A run's New row is written narrow (see change_history) and must be filled in from its record
  -- before the record changes or goes: else an old report shows the record as it is now, or, once
  -- its rowid is reused after a delete, another record. The schema does it, so no path that updates
  -- or deletes a record can forget. Inserts fire nothing: a first import pays nothing for these.
  -- (A REPLACE that deletes a row fires the DELETE one too: db.ts turns recursive_triggers on.)
  CREATE TRIGGER eligibility_keep_new_on_update BEFORE UPDATE ON eligibility WHEN OLD.created_run IS NOT NULL
  BEGIN
    UPDATE change_log SET school_year = OLD.school_year, start_date = OLD.start_date, end_date = OLD.end_date,
      eligibility = OLD.eligibility, source = OLD.source, certified_type = OLD.certified_type,
      application_name = OLD.application_name, reference_number = OLD.reference_number
    WHERE run_id = OLD.created_run AND record_id = OLD.id AND status = 'New' AND school_year IS NULL;
  END;

  CREATE TRIGGER eligibility_keep_new_on_delete BEFORE DELETE ON eligibility WHEN OLD.created_run IS NOT NULL
  BEGIN
    UPDATE change_log SET school_year = OLD.school_year, start_date = OLD.start_date, end_date = OLD.end_date,
      eligibility = OLD.eligibility, source = OLD.source, certified_type = OLD.certified_type,
      application_name = OLD.application_name, reference_number = OLD.reference_number
    WHERE run_id = OLD.created_run AND record_id = OLD.id AND status = 'New' AND school_year IS NULL;
  END;
  `,
];
