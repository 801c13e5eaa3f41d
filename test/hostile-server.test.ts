// Issue 9, acceptance 1: a file server that lists names no file system would hold, and lies about a
// size, next to good files. Nothing outside staging is written or deleted, the good files import
// in the same run, each bad file is its own file-level result, and the report cannot be forged.

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { printable as printableName } from '../src/report/format.js';
import { checkStore, inode, ledger, textReport, tree, watchDownloads, type Download, type LedgerRow } from './helpers/hostile.js';
import { createWorkspace, type Workspace } from './helpers/workspace.js';
import { startHostileSftpServer, type HostileSftpServer } from './servers/hostile-sftp.js';
import { importConfig } from './servers/import-config.js';

const SECRET_ENV = 'FRAM_TEST_HOSTILE_PASSWORD';
const password = `Pw${randomBytes(12).toString('hex')}`;
const MiB = 1 << 20;

const GOOD = 'IC_Eligibility_good.csv';
/** 250 bytes: a valid name whose P_ form must be shortened to fit 255. */
const LONG = `IC_Eligibility_${'L'.repeat(231)}.csv`;
const TRAVERSE_DB = 'IC_Eligibility/../../fram-import.db';
const TRAVERSE_CANARY = 'IC_Eligibility/../../../canary';
const NUL = 'IC_Eligibility_nul\u0000.csv';
const FORGED = 'IC_Eligibility_forged.csv\nRun:         999\nStatus:      Successful';
const CR = 'IC_Eligibility_cr\r.csv';
const TOO_LONG = `IC_Eligibility_${'X'.repeat(250)}.csv`;
const BACKSLASH = 'IC_Eligibility\\..\\..\\fram-import.db';
const LIAR = 'IC_Eligibility_liar.csv';
const LIAR_LISTED = 100;

const HEADER = 'State ID,Last Name,First Name,Start Date,End Date,Eligibility,Certified Type,Application,Reference';
/** A file of valid lines, one per roster student `ids` (so a bad file imported by mistake would add records). */
const csv = (...ids: number[]) =>
  Buffer.from(
    `${HEADER}\n${ids.map((id) => `${String(id).padStart(10, '0')},,,8/15/2026,6/30/2027,Free,APPF,Online,R-${id}`).join('\n')}\n`,
  );

const TABLES = ['students', 'eligibility', 'change_log', 'imported_files'] as const;
/** What the two good files add to the store (2 + 1 new records); the bad ones must add nothing. */
const GOOD_ADDS: Record<string, number> = { students: 0, eligibility: 3, change_log: 3, imported_files: 2 };

let ws: Workspace;
let canary: string;
let storeFile: string;
let before: { canaryIno: number; storeIno: number; outside: Map<string, string>; counts: Record<string, number> };
const downloads: Download[] = [];

beforeEach(async () => {
  ws = await createWorkspace();
  canary = join(ws.dir, 'canary');
  storeFile = join(ws.dir, 'data', 'fram-import.db');
  writeFileSync(canary, 'canary\n');
  downloads.length = 0;
});
afterEach(() => ws.close());

/** Taken just before the run: everything outside the data dir (the drop folder apart), the canary, the store's inode. */
function snapshot(): void {
  before = {
    canaryIno: inode(canary),
    storeIno: inode(storeFile),
    outside: tree(ws.dir, (rel) => rel === 'data' || rel === join('config', 'drop')),
    counts: checkStore(storeFile, TABLES).counts,
  };
}

/** Nothing outside staging was written, replaced or deleted, and staging is empty again. */
function expectNothingOutsideStaging(): void {
  expect(readFileSync(canary, 'utf8')).toBe('canary\n');
  expect(inode(canary)).toBe(before.canaryIno);
  expect(tree(ws.dir, (rel) => rel === 'data' || rel === join('config', 'drop'))).toEqual(before.outside);
  expect(inode(storeFile)).toBe(before.storeIno);
  const counts = Object.fromEntries(TABLES.map((t) => [t, before.counts[t] + GOOD_ADDS[t]]));
  expect(checkStore(storeFile, TABLES)).toEqual({ integrity: 'ok', counts });
  // In the data dir: no file named after a remote name, no `.part` anywhere.
  const data = [...tree(join(ws.dir, 'data')).keys()];
  expect(data.filter((p) => p.includes('IC_Eligibility') || p.endsWith('.part') || p.includes('canary'))).toEqual([]);
  // The run made staging for its files and removed what it put there.
  expect(readdirSync(join(ws.dir, 'data', 'staging'))).toEqual([]);
}

/** The one ledger row of `name` (stored as is, or escaped). */
function rowOf(rows: LedgerRow[], name: string): LedgerRow {
  const found = rows.filter((r) => r.name === name || r.name === printableName(name));
  expect(found, printableName(name)).toHaveLength(1);
  return found[0];
}

function expectRefused(rows: LedgerRow[], name: string, code: number): void {
  expect(rowOf(rows, name), printableName(name)).toMatchObject({ state: 'rejected', error_code: code, renamed_to: null });
}

/** The good file and the 250-byte one imported and renamed; their P_ names fit 255 bytes and keep the extension. */
function expectImported(rows: LedgerRow[]): void {
  expect(rowOf(rows, GOOD)).toMatchObject({ state: 'imported', error_code: null });
  expect(rowOf(rows, GOOD).renamed_to).toMatch(/^P_IC_Eligibility_\d{14}_good\.csv$/);
  const long = rowOf(rows, LONG);
  expect(long).toMatchObject({ state: 'imported', error_code: null });
  expect(long.renamed_to).toMatch(/^P_IC_Eligibility_\d{14}_L+.*\.csv$/);
  expect(Buffer.byteLength(long.renamed_to!)).toBeLessThanOrEqual(255);
}

/** The text report names every bad file escaped, and no name adds a line of its own. */
function expectEscapedReport(runId: number, bad: string[]): void {
  const text = textReport(ws.db, runId);
  const lines = text.split('\n');
  expect(lines.filter((l) => l.startsWith('Run:'))).toEqual([`Run:         ${runId}`]);
  expect(lines.filter((l) => l.startsWith('Status:'))).toEqual(['Status:      Unsuccessful']);
  expect(text).not.toMatch(/[\u0000\r]/);
  for (const name of bad) expect(text, printableName(name)).toContain(printableName(name));
}

/** Each of the `count` downloads wrote inside staging, under a name that is not the remote one. */
function expectStagingByIds(count: number): void {
  const staging = resolve(ws.dir, 'data', 'staging') + sep;
  expect(downloads).toHaveLength(count);
  for (const d of downloads) {
    expect(resolve(d.localPath).startsWith(staging), d.localPath).toBe(true);
    expect(d.localPath.slice(staging.length), d.localPath).not.toContain(d.name.replace(/\.csv$/, ''));
  }
}

describe('a hostile SFTP server', () => {
  let server: HostileSftpServer;
  beforeAll(async () => {
    process.env[SECRET_ENV] = password;
    server = await startHostileSftpServer({ password });
  });
  afterAll(async () => {
    delete process.env[SECRET_ENV];
    await server?.stop();
  });

  const UNSAFE = [TRAVERSE_DB, TRAVERSE_CANARY, NUL, FORGED, CR, TOO_LONG];

  it('cannot write or delete outside staging; the good files import in the same run, each bad file is refused on its own', async () => {
    const at = (day: number) => new Date(Date.UTC(2026, 10, day));
    // The bad files are older, so they come first: none may stop the run before the good ones.
    UNSAFE.forEach((name, i) => server.put(name, { content: csv(4 + i), mtime: at(1 + i) }));
    server.put(LIAR, { content: { bytes: 1024 * MiB, fill: 'x' }, listedSize: LIAR_LISTED, mtime: at(10) });
    server.put(GOOD, { content: csv(1, 2), mtime: at(11) });
    server.put(LONG, { content: csv(3), mtime: at(12) });
    ws.config.imports.set(
      'hostile',
      importConfig(server.importFields(SECRET_ENV), {
        name: 'hostile',
        mapping: 'Cases 26-27',
        stableSeconds: 0,
        maxChangeRatio: 1,
      }),
    );
    snapshot();

    const report = await ws.run('hostile', {}, watchDownloads(downloads));

    expectNothingOutsideStaging();
    expect(report.status).toBe('Unsuccessful');
    // The run's error is its first file's: the oldest bad name, refused before the liar is listed.
    expect(report.runError?.code).toBe(5016);
    expect(report.summary).toMatchObject({ new: 3, ended: 0, removed: 0, errors: 0 });
    expect(report.updated.map((u) => u.stateId).sort()).toEqual(['0000000001', '0000000002', '0000000003']);

    const rows = ledger(ws.db, report.runId);
    expect(rows).toHaveLength(UNSAFE.length + 3);
    expectImported(rows);
    for (const name of UNSAFE) expectRefused(rows, name, 5016);
    expectRefused(rows, LIAR, 5006);

    // On the server: exactly the two good files renamed, to the names the ledger has; nothing else touched.
    const renames = server.requests.filter((r) => r.op === 'RENAME');
    expect(renames.map((r) => [r.name, r.to])).toEqual([
      [GOOD, `${server.directory}/${rowOf(rows, GOOD).renamed_to}`],
      [LONG, `${server.directory}/${rowOf(rows, LONG).renamed_to}`],
    ]);
    expect([...server.files.keys()].sort()).toEqual(
      [...UNSAFE, LIAR, rowOf(rows, GOOD).renamed_to!, rowOf(rows, LONG).renamed_to!].sort(),
    );
    expect(server.requests.filter((r) => r.op === 'REFUSED')).toEqual([]);
    // An unsafe name is never asked for: no open of it, so nothing of it reached the disk.
    expect(
      server.requests.filter((r) => r.op === 'OPEN' && UNSAFE.includes(r.name ?? '')).map((r) => printableName(r.path!)),
    ).toEqual([]);

    // The liar: stopped at its listed size plus 1 MiB, far short of the GiB it offered.
    const liar = downloads.filter((d) => d.name === LIAR);
    expect(liar).toHaveLength(1);
    expect(liar[0].failed).toBe(true);
    expect(liar[0].bytesOnDisk ?? 0).toBeLessThanOrEqual(LIAR_LISTED + MiB);
    // The client may have a few MiB of reads in flight when it stops; 1 GiB would be the cap ignored.
    expect(server.bytesSent(LIAR)).toBeLessThan(16 * MiB);
    expectStagingByIds(3); // the two good files and the liar

    expectEscapedReport(report.runId, [...UNSAFE]);
  }, 120_000);
});

describe('the same names through local', () => {
  // What a Linux file system allows: no '/' and no NUL, but newlines, '\r', backslashes and 250 bytes.
  const UNSAFE = [FORGED, CR, BACKSLASH];

  it('refuses each unsafe name on its own, and imports and renames the good files in the same run', async () => {
    UNSAFE.forEach((name, i) => writeFileSync(join(ws.drop, name), csv(4 + i)));
    writeFileSync(join(ws.drop, GOOD), csv(1, 2));
    writeFileSync(join(ws.drop, LONG), csv(3));
    snapshot();

    const report = await ws.run('cases', {}, watchDownloads(downloads));

    expectNothingOutsideStaging();
    expect(report.status).toBe('Unsuccessful');
    expect(report.runError?.code).toBe(5016);
    expect(report.summary).toMatchObject({ new: 3, errors: 0 });
    const rows = ledger(ws.db, report.runId);
    expect(rows).toHaveLength(UNSAFE.length + 2);
    expectImported(rows);
    for (const name of UNSAFE) expectRefused(rows, name, 5016);
    expect(ws.dropped()).toEqual([...UNSAFE, rowOf(rows, GOOD).renamed_to!, rowOf(rows, LONG).renamed_to!].sort());
    expectStagingByIds(2);
    expectEscapedReport(report.runId, UNSAFE);
  });
});
