// Kill -9 at the named points of a 200,000-line import, then a rerun in a fresh process (issue 9,
// acceptance 3; findings 3 and 14). Each case: the built CLI (`fram-import run`) is killed the moment
// it logs the point's event (from inside that write: helpers/crash.ts), then run again to completion;
// the store, the server's folder, staging and the client folders must then look as if one clean run
// had imported the file.

import { chmodSync, chownSync, copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { students, writeEligibility } from '../src/bench/generate.js';
import { sha256File } from '../src/import/fetch-file.js';
import { openDb, dbPath } from '../src/store/db.js';
import { tryRunLock } from '../src/store/run-lock.js';
import { upsertStudents } from '../src/store/students.js';
import { compareTable, filesUnder, foldersNamed, killLeftovers, runCli, type CliExit } from './helpers/crash.js';
import { ROOT } from './helpers/daemon.js';
import { makeTempDir, PASSWORD_ENV, userInfo } from './servers/common.js';
import { SMB_USER, startSmbServer, type SmbTestServer } from './servers/smb.js';

const LINES = 200_000;
const FILE = 'IC_Eligibility_crash.csv';
const P_NAME = /^P_IC_Eligibility_\d{14}_crash\.csv$/;
const IMPORT = 'Crash';
const CLIENT_DIR = 'fram-smbclient-';
const password = inject('testPassword');

/**
 * The points, in the order a run passes them, the log event each is killed at, and whether the
 * server's file was renamed by then (the rename comes after `file:renaming`, before `file:renamed`).
 */
const POINTS: { point: string; event: string; renamed: boolean }[] = [
  { point: 'after the download', event: 'file:staged', renamed: false },
  { point: 'mid-parse', event: 'file:progress', renamed: false },
  { point: 'after COMMIT, before the rename', event: 'file:committed', renamed: false },
  { point: 'mid-rename', event: 'file:renaming', renamed: false },
  { point: 'after the rename, before the ledger row', event: 'file:renamed', renamed: true },
];

let work: string;
let source: string;
let sourceSha: string;
/** A store with the roster loaded and nothing imported: each case starts from a copy. */
let rosterStore: string;
/** The store after one clean run of the file; made while the first case runs. */
let reference: Promise<string>;
let smb: SmbTestServer;

beforeAll(async () => {
  work = makeTempDir('crash');
  const server = startSmbServer({ password, variant: 'defaults' });
  source = join(work, FILE);
  writeEligibility(source, LINES);
  sourceSha = await sha256File(source);
  rosterStore = join(work, 'roster', 'fram-import.db');
  const db = openDb(rosterStore);
  upsertStudents(db, students(LINES), false);
  db.close(); // the last connection's close checkpoints the WAL: the one file is the whole store
  smb = await server;
  reference = cleanImport();
  reference.catch(() => {}); // awaited by every case; a failure fails each of them
}, 60_000);

afterEach(() => killLeftovers());

afterAll(async () => {
  killLeftovers();
  await reference?.catch(() => {});
  await smb?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** One clean run of the file into a copy of the roster store: what every case must end up with. */
async function cleanImport(): Promise<string> {
  const ref = await newSite('reference', 'local');
  const clean = await runCli(ref.args, ref.env);
  if (clean.code !== 0) throw new Error(`the clean run failed: ${log(clean)}`);
  const store = openDb(dbPath(ref.dataDir));
  try {
    // Every line of the generated file is a valid new record for a student of the roster.
    expect(store.prepare('SELECT count(*) AS n FROM eligibility').get()).toEqual({ n: LINES });
    expect(store.prepare("SELECT count(*) AS n FROM change_log WHERE status = 'New'").get()).toEqual({ n: LINES });
    expect(store.prepare('SELECT sha256 FROM imported_files').all()).toEqual([{ sha256: sourceSha }]);
  } finally {
    store.close();
  }
  expect(readdirSync(ref.drop)).toEqual([expect.stringMatching(P_NAME)]);
  return dbPath(ref.dataDir);
}

interface Site {
  dataDir: string;
  /** The folder behind the import's directory (on this machine for smb too: the share's folder). */
  drop: string;
  /** The children's os.tmpdir(): every folder a run makes there is this case's. */
  tmp: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** A config dir, a data dir holding a copy of the roster store, and the file in the import's folder. */
async function newSite(name: string, protocol: 'local' | 'smb'): Promise<Site> {
  const dir = join(work, name);
  const configDir = join(dir, 'config');
  const dataDir = join(dir, 'data');
  const tmp = join(dir, 'tmp');
  for (const d of [join(configDir, 'mappings'), join(configDir, 'imports'), dataDir, tmp]) mkdirSync(d, { recursive: true });
  copyFileSync(join(ROOT, 'config', 'certified-types.yaml'), join(configDir, 'certified-types.yaml'));
  copyFileSync(join(ROOT, 'config', 'mappings', 'pos-26-27.yaml'), join(configDir, 'mappings', 'pos-26-27.yaml'));
  copyFileSync(rosterStore, dbPath(dataDir));

  const common = { name: IMPORT, mapping: 'POS 26-27', stableSeconds: 0, includeUpdatedRecords: false };
  let drop: string;
  let fields: Record<string, unknown>;
  if (protocol === 'local') {
    drop = join(dir, 'drop');
    mkdirSync(drop);
    copyFileSync(source, join(drop, FILE));
    fields = { protocol: 'local', directory: drop };
  } else {
    // A folder of its own in the share, owned (as the file is) by the user smbd serves it as.
    const user = userInfo(SMB_USER);
    drop = join(smb.dropDir, name);
    mkdirSync(drop);
    chmodSync(drop, 0o755);
    chownSync(drop, user.uid, user.gid);
    copyFileSync(source, join(drop, FILE));
    chownSync(join(drop, FILE), user.uid, user.gid);
    fields = { ...smb.importFields, directory: `${smb.share}/Exports/${name}` };
  }
  // JSON is YAML.
  writeFileSync(join(configDir, 'imports', 'crash.yaml'), JSON.stringify({ ...common, ...fields }, null, 2));
  return {
    dataDir,
    drop,
    tmp,
    args: ['run', IMPORT, '--json', '--data-dir', dataDir, '--config-dir', configDir],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: tmp,
      FRAM_LOG_LEVEL: 'info',
      FRAM_TZ: 'UTC',
      [PASSWORD_ENV]: password,
    },
  };
}

/** What a crash may have left, as one object, so a failure shows all of it at once. */
function leftovers(site: Site) {
  return {
    staging: filesUnder(join(site.dataDir, 'staging')),
    clientFolders: [
      ...foldersNamed(site.dataDir, CLIENT_DIR).map((d) => `<data>/${d}`),
      ...foldersNamed(site.tmp, CLIENT_DIR).map((d) => `<tmp>/${d}`),
    ],
  };
}

function crashCase(protocol: 'local' | 'smb', { event, renamed }: (typeof POINTS)[number]) {
  return async () => {
    const site = await newSite(`${protocol}-${event.replace(':', '-')}`, protocol);

    const killed = await runCli(site.args, site.env, { killAt: event });
    expect(killed.killedAfter?.msg, log(killed)).toBe(event);
    expect(killed.signal, log(killed)).toBe('SIGKILL');
    const state = stateOf(site);
    const landed = `where the kill landed: ${JSON.stringify(state)}`;
    // The killed run never wrote its file's ledger row (that comes after file:renamed).
    expect(state.renameRows, landed).toBe(0);
    expect(state.server, landed).toEqual(renamed ? [expect.stringMatching(P_NAME)] : [FILE]);

    const rerun = await runCli(site.args, site.env);
    expect(rerun.code, log(rerun)).toBe(0);
    expect((JSON.parse(rerun.stdout) as { status: string }).status).toBe('Successful');
    for (const out of [killed, rerun]) {
      expect(out.stdout + JSON.stringify(out.lines)).not.toContain(password);
    }

    // The records and their change log are a clean import's, row for row.
    const store = dbPath(site.dataDir);
    const referenceStore = await reference;
    for (const table of ['eligibility', 'change_log']) {
      const c = compareTable(store, referenceStore, table);
      expect({ table, ...c }).toEqual({ table, rows: c.referenceRows, referenceRows: c.referenceRows, missing: [], extra: [] });
    }

    const db = openDb(store);
    try {
      expect(db.prepare('SELECT sha256, count(*) AS n FROM imported_files GROUP BY sha256').all()).toEqual([
        { sha256: sourceSha, n: 1 },
      ]);
      // The killed run is reaped as interrupted; nothing is left Running or locked.
      expect(db.prepare('SELECT mode, status, error_code FROM runs ORDER BY id').all()).toEqual([
        { mode: 'run', status: 'Unsuccessful', error_code: 5014 },
        { mode: 'run', status: 'Successful', error_code: null },
      ]);
      expect(db.prepare('SELECT count(*) AS n FROM run_locks').get()).toEqual({ n: 0 });
      const lock = tryRunLock(site.dataDir, IMPORT); // the kernel's lock: free once its holders are gone
      expect(lock).not.toBeNull();
      lock?.release();
      // A file the killed run had not renamed is renamed by the rerun, whose ledger row names the P_ file
      // on the server; one the killed run renamed is not listed again, so no ledger row records its rename.
      const renames = db.prepare('SELECT renamed_to FROM file_ledger WHERE renamed_to IS NOT NULL').pluck().all() as string[];
      expect(renames, landed).toEqual(renamed ? [] : readdirSync(site.drop));
    } finally {
      db.close();
    }

    // One P_ name on the server, the original name gone; no staged copy and no password file left.
    expect(readdirSync(site.drop), landed).toEqual([expect.stringMatching(P_NAME)]);
    expect(leftovers(site), landed).toEqual({ staging: [], clientFolders: [] });
  };
}

/** What the killed run left, for the failure messages; read-only, so the rerun finds the store as the kill left it. */
function stateOf(site: Site) {
  const db = new Database(dbPath(site.dataDir), { readonly: true });
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      importedFiles: count('SELECT count(*) AS n FROM imported_files'),
      ledgerRows: count('SELECT count(*) AS n FROM file_ledger'),
      renameRows: count('SELECT count(*) AS n FROM file_ledger WHERE renamed_to IS NOT NULL'),
      server: readdirSync(site.drop),
      ...leftovers(site),
    };
  } finally {
    db.close();
  }
}

function log(out: CliExit): string {
  return `exit ${out.code ?? out.signal}; log:\n${out.lines
    .map((l) => JSON.stringify(l))
    .join('\n')
    .slice(-4000)}`;
}

describe('kill -9 of `fram-import run` at a named point, then a rerun: local', () => {
  for (const p of POINTS) it(`${p.point} (${p.event})`, crashCase('local', p), 60_000);
});

// Over SMB: a connection holds smbclient's password file from connect to close, and the rename is
// an smbclient of its own, killed with the CLI (one process group).
describe('kill -9 of `fram-import run` at a named point, then a rerun: smb (Samba)', () => {
  for (const p of POINTS.filter((x) => x.event === 'file:staged' || x.event === 'file:renaming')) {
    it(`${p.point} (${p.event})`, crashCase('smb', p), 60_000);
  }
});
