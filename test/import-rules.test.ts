// Acceptance 2 of the import engine: every rule end to end, each with its own fixture file
// dropped into a local folder, imported for real, checked in the report and the store.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace, type JsonReport, type Workspace } from './helpers/workspace.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(() => ws.close());

/** Imports a seed file first (when given), then the case file; returns the case run's report. */
async function importCase(fixture: string, seed?: string, seedImport = 'cases'): Promise<JsonReport> {
  if (seed) {
    ws.drop_(seed);
    const r = await ws.run(seedImport);
    expect(r.status).toBe('Successful');
    expect(r.summary.errors).toBe(0);
  }
  ws.drop_(fixture);
  return ws.run(fixture.startsWith('fixed') ? 'fixed' : fixture.startsWith('no-header') ? 'noheader' : 'cases');
}

const messages = (r: JsonReport) => r.messages.map((m) => `Line ${m.line} | ${m.severity.toUpperCase()} ${m.code} - ${m.text}`);
const records = (stateId: string) =>
  ws.db
    .prepare(
      `SELECT e.start_date, e.end_date, e.eligibility, e.source, e.certified_type
  FROM eligibility e JOIN students s ON s.id = e.student_id WHERE s.state_id = ? ORDER BY e.start_date`,
    )
    .raw()
    .all(stateId);

describe('line errors', () => {
  it('ERROR 1001 for an unknown State ID and for an empty one', async () => {
    const r = await importCase('error-1001.csv');
    expect(r.status).toBe('Successful');
    expect(messages(r)).toEqual([
      "Line 2 | ERROR 1001 - State ID '9999999999' not found",
      "Line 3 | ERROR 1001 - State ID '' not found",
    ]);
    expect(r.summary).toMatchObject({ new: 0, errors: 2 });
  });

  it('ERROR 2001 when two roster students share the State ID', async () => {
    const r = await importCase('error-2001.csv');
    expect(messages(r)).toEqual(["Line 2 | ERROR 2001 - Multiple matches found for Student State ID '0000000008'"]);
    expect(ws.dump('eligibility')).toEqual([]);
  });

  it('Invalid Eligibility for a value the mapping does not map', async () => {
    const r = await importCase('invalid-eligibility.csv');
    expect(messages(r)).toEqual(["Line 2 | ERROR 4001 - Invalid Eligibility 'X'"]);
    expect(records('0000000001')).toEqual([]);
  });

  it('Record contains End Date before Start Date', async () => {
    const r = await importCase('end-before-start.csv');
    expect(messages(r)).toEqual(['Line 2 | ERROR 4004 - Record contains End Date before Start Date']);
    expect(r.summary.new).toBe(0);
  });

  it('a start date outside the school year is a line error while most lines are in the year', async () => {
    const r = await importCase('start-outside-year.csv');
    expect(r.status).toBe('Successful');
    expect(messages(r)).toEqual([
      'Line 3 | ERROR 4005 - Start Date 08/01/2025 is outside school year 26-27 (07/01/2026 - 06/30/2027)',
    ]);
    expect(r.summary.new).toBe(1);
  });
});

describe('reconciliation', () => {
  it('New, Ended, Removed and Existing on a student with earlier records', async () => {
    const r = await importCase('history.csv', 'history-seed.csv');
    expect(r.runError).toBeNull();
    expect(r.summary).toMatchObject({ new: 1, ended: 1, removed: 1, existing: 1, errors: 0 });
    expect(r.updated.map((u) => [u.status, u.startDate, u.endDate, u.eligibility])).toEqual([
      ['New', '2026-10-01', '2027-06-30', 'F'],
      ['Ended', '2026-08-15', '2026-09-30', 'F'],
      ['Removed', '2026-11-01', '2027-06-30', 'R'],
    ]);
    expect(records('0000000002')).toEqual([
      ['2026-08-15', '2026-09-30', 'F', 'nonDirect', 'APP_F'],
      ['2026-10-01', '2027-06-30', 'F', 'direct', 'SNAP'],
    ]);
  });

  it('the rank rule: Free Direct is never replaced by a Non-Direct Reduced line', async () => {
    const r = await importCase('rank.csv', 'rank-seed.csv');
    expect(r.summary).toMatchObject({ new: 0, existing: 1, ended: 0, removed: 0, warnings: 1 });
    expect(r.messages[0]).toMatchObject({ code: 3101, severity: 'warning', line: 2 });
    expect(records('0000000003')).toEqual([['2026-08-20', '2027-06-30', 'F', 'direct', 'SNAP']]);
  });

  it('a verification downgrade of a Non-Direct Free record applies, with its warning', async () => {
    const r = await importCase('downgrade.csv', 'downgrade-seed.csv');
    expect(r.summary).toMatchObject({ new: 1, ended: 1, warnings: 1 });
    // 3102 names the period of the record it lowers, not the line's.
    expect(messages(r)).toEqual([
      'Line 2 | WARNING 3102 - Eligibility lowered from Free to Reduced (08/20/2026 - 06/30/2027): the household must have been notified',
    ]);
    expect(records('0000000004')).toEqual([
      ['2026-08-20', '2026-11-15', 'F', 'nonDirect', 'APP_F'],
      ['2026-11-16', '2027-06-30', 'R', 'nonDirect', 'VERIFIED'],
    ]);
  });

  it("a prior year's carryover, even Direct, is ended by a new line", async () => {
    const r = await importCase('carryover.csv', 'carryover-seed.csv', 'prior');
    expect(r.summary).toMatchObject({ new: 1, ended: 1, warnings: 0 });
    expect(messages(r)).toEqual([]); // lowering a carryover record needs no notice: no 3102
    expect(records('0000000005')).toEqual([
      ['2026-03-01', '2026-08-19', 'F', 'direct', 'SNAP'],
      ['2026-08-20', '2027-06-30', 'R', 'nonDirect', 'APP_R'],
    ]);
  });

  it('WARNING 3037: a Direct line updates a Non-Direct record of the same start in place', async () => {
    const r = await importCase('direct-type.csv', 'direct-type-seed.csv');
    expect(r.summary).toMatchObject({ new: 0, existing: 1, warnings: 1 });
    expect(messages(r)).toEqual([
      "Line 2 | WARNING 3037 - The record currently exists and was updated with the Direct Type 'SNAP'",
    ]);
    expect(r.updated.map((u) => [u.status, u.source, u.certifiedType])).toEqual([['Updated', 'direct', 'SNAP']]);
    expect(records('0000000006')).toEqual([['2026-08-20', '2027-06-30', 'F', 'direct', 'SNAP']]);
  });

  it('two lines for one student in one file apply in file order', async () => {
    const r = await importCase('same-student.csv');
    expect(r.summary).toMatchObject({ new: 2, ended: 1 });
    expect(records('0000000007')).toEqual([
      ['2026-08-20', '2027-01-03', 'F', 'nonDirect', 'APP_F'],
      ['2027-01-04', '2027-06-30', 'R', 'nonDirect', 'VERIFIED'],
    ]);
  });
});

describe('the corrected rules', () => {
  it("rule 0: a late correction of last year is cut before this year's record, which stays; a re-send is silent", async () => {
    ws.drop_('later-year-seed.csv');
    expect((await ws.run('cases')).summary).toMatchObject({ new: 1, errors: 0 });
    ws.drop_('later-year.csv');
    const r = await ws.run('prior');
    expect(r.status).toBe('Successful');
    expect(r.summary).toMatchObject({ new: 1, ended: 0, removed: 0, existing: 0, errors: 0, warnings: 1 });
    expect(messages(r)).toEqual([
      'Line 2 | WARNING 3104 - End Date cut from 09/30/2026 to 08/19/2026: a 26-27 record starts on 08/20/2026',
    ]);
    expect(r.updated.map((u) => [u.status, u.startDate, u.endDate, u.eligibility])).toEqual([
      ['New', '2026-03-01', '2026-08-19', 'R'],
    ]);
    const after = [
      ['2026-03-01', '2026-08-19', 'R', 'nonDirect', 'APP_R'],
      ['2026-08-20', '2027-06-30', 'F', 'direct', 'SNAP'],
    ];
    expect(records('0000000005')).toEqual(after);

    ws.drop_('later-year-again.csv');
    const again = await ws.run('prior');
    expect(again.summary).toMatchObject({ new: 0, existing: 1, warnings: 0, errors: 0 });
    expect(again.messages).toEqual([]);
    expect(records('0000000005')).toEqual(after);
  });

  it('rule 3: a Direct line extends the record it retypes to its end and removes what then overlaps it', async () => {
    const r = await importCase('direct-extend.csv', 'direct-extend-seed.csv');
    expect(r.summary).toMatchObject({ new: 0, existing: 1, ended: 0, removed: 1, warnings: 1, errors: 0 });
    expect(messages(r)).toEqual([
      "Line 2 | WARNING 3037 - The record currently exists and was updated with the Direct Type 'SNAP'",
    ]);
    expect(r.updated.map((u) => [u.status, u.startDate, u.endDate, u.eligibility, u.source, u.certifiedType])).toEqual([
      ['Updated', '2026-08-20', '2027-06-30', 'F', 'direct', 'SNAP'],
      ['Removed', '2027-01-04', '2027-06-30', 'R', 'nonDirect', 'VERIFIED'],
    ]);
    expect(records('0000000006')).toEqual([['2026-08-20', '2027-06-30', 'F', 'direct', 'SNAP']]);
  });

  it('rule 3 is undone exactly by revert, the extended end date included', async () => {
    const { revertRun } = await import('../src/store/revert.js');
    ws.drop_('direct-extend-seed.csv');
    await ws.run('cases');
    const before = ws.dump('eligibility');
    ws.drop_('direct-extend.csv');
    const r = await ws.run('cases');
    expect(revertRun(ws.db, r.runId, new Date().toISOString())).toEqual({ deleted: 0, restored: 1, reinserted: 1 });
    expect(ws.dump('eligibility')).toEqual(before);
  });

  it('rule 2: 3101 names the highest-ranked protecting record, not the first one held', async () => {
    const r = await importCase('rank-highest.csv', 'rank-highest-seed.csv');
    expect(r.summary).toMatchObject({ new: 0, existing: 1, ended: 0, removed: 0, warnings: 1 });
    expect(messages(r)).toEqual([
      'Line 2 | WARNING 3101 - A Free Direct record (10/01/2026 - 06/30/2027) of higher rank was kept; the line was not applied',
    ]);
    expect(records('0000000003')).toEqual([
      ['2026-08-20', '2026-09-30', 'R', 'direct', 'MEDICAID_R'],
      ['2026-10-01', '2027-06-30', 'F', 'direct', 'SNAP'],
    ]);
  });
});

describe('reading lines', () => {
  it('trims U+0085 and the other Unicode white space, and skips a line of separators and white space', async () => {
    const r = await importCase('white-space.csv');
    expect(r.summary).toMatchObject({ new: 2, errors: 0, warnings: 0 });
    expect(r.messages).toEqual([]);
    expect(r.files[0].lines).toBe(4);
    expect(records('0000000001')).toEqual([['2026-08-20', '2027-06-30', 'F', 'nonDirect', 'APP_F']]);
    expect(ws.db.prepare('SELECT reference_number FROM eligibility ORDER BY id').pluck().all()).toEqual(['A-5', 'A-6']);
  });

  it('a year outside 1900-2200 is 4002, and the message says the year is out of range', async () => {
    const r = await importCase('year-range.csv');
    expect(r.status).toBe('Successful');
    expect(messages(r)).toEqual([
      "Line 2 | ERROR 4002 - Invalid Start Date '8/20/1850': the year 1850 is out of range (1900-2200)",
      "Line 3 | ERROR 4002 - Invalid End Date '6/30/2201': the year 2201 is out of range (1900-2200)",
    ]);
    expect(r.summary).toMatchObject({ new: 1, errors: 2 });
  });

  it("a file's Lines is its physical line count, header and blank lines included, above every line it names", async () => {
    const r = await importCase('physical-lines.csv');
    expect(messages(r)).toEqual(["Line 4 | ERROR 1001 - State ID '9999999999' not found"]);
    expect(r.files[0].lines).toBe(6);
    expect(ws.db.prepare('SELECT lines FROM file_ledger').pluck().all()).toEqual([6]);
    expect(ws.db.prepare('SELECT application_name FROM eligibility').pluck().all()).toEqual(['Online\nform']);
  });

  it('a short line is 4006 for its first missing required field; missing optional fields are empty', async () => {
    const r = await importCase('short-lines.csv');
    expect(messages(r)).toEqual(['Line 3 | ERROR 4006 - Line has 4 fields; the mapping reads End Date from column 5']);
    expect(r.summary).toMatchObject({ new: 1, errors: 1 });
    expect(ws.db.prepare('SELECT application_name, reference_number FROM eligibility').raw().all()).toEqual([[null, null]]);
  });
});

describe('file formats', () => {
  it('UTF-8 with a BOM and CRLF', async () => {
    const r = await importCase('utf8-bom.csv');
    expect(r.summary).toMatchObject({ new: 1, errors: 0 });
    const app = ws.db.prepare('SELECT application_name FROM eligibility').pluck().get();
    expect(app).toBe('Inscripción en línea');
  });

  it('Windows-1252', async () => {
    const r = await importCase('windows-1252.csv');
    expect(r.summary).toMatchObject({ new: 1, errors: 0 });
    const app = ws.db.prepare('SELECT application_name FROM eligibility').pluck().get();
    expect(app).toBe('Café – “Online” €');
  });

  it('fixed width', async () => {
    const r = await importCase('fixed-width.txt');
    expect(r.summary).toMatchObject({ new: 2, errors: 0 });
    expect(records('0000000002')).toEqual([['2026-09-01', '2027-06-30', 'R', 'nonDirect', 'APP_R']]);
  });

  it('header-less, with a blank line counted in line numbers', async () => {
    ws.drop_('no-header.tsv');
    const r = await ws.run('noheader');
    expect(r.summary).toMatchObject({ new: 2, errors: 0 });
    expect(r.files[0].lines).toBe(3); // physical lines, the blank one included
    expect(records('0000000001')).toEqual([['2026-08-20', '2027-06-30', 'F', 'direct', 'SNAP']]);
  });
});

describe('file-level guards', () => {
  it('the wrong-year guard rejects the whole file and leaves it unrenamed', async () => {
    const name = ws.drop_('wrong-year.csv');
    const r = await ws.run('cases');
    expect(r.status).toBe('Unsuccessful');
    expect(r.runError?.code).toBe(5008);
    expect(r.runError?.text).toContain('looks like school year 25-26');
    expect(r.files[0]).toMatchObject({ name, status: 'rejected', renamedTo: null });
    expect(ws.dropped()).toEqual([name]);
    expect(ws.dump('eligibility')).toEqual([]);
    expect(r.summary.new).toBe(0);
  });

  it('a mass-change file is held until approved', async () => {
    ws.drop_('mass-change-seed.csv');
    await ws.run('guarded');
    const before = ws.dump('eligibility');
    const name = ws.drop_('mass-change.csv');
    const held = await ws.run('guarded');
    expect(held.status).toBe('Unsuccessful');
    expect(held.runError?.code).toBe(5009);
    // 25 active records of 26-27: the 26th ended before the run's date (11/21/2026 in FRAM_TZ).
    expect(held.runError?.text).toContain('would end or remove 6 of 25 active records of 26-27 (24%, limit 20%)');
    expect(held.files[0]).toMatchObject({ status: 'held', renamedTo: null });
    expect(ws.dump('eligibility')).toEqual(before);
    expect(ws.dropped()).toContain(name);

    const approved = await ws.run('guarded', { approveChanges: true });
    expect(approved.status).toBe('Successful');
    expect(approved.summary).toMatchObject({ new: 6, removed: 6 });
    expect(approved.files[0].renamedTo).toMatch(/^P_IC_Eligibility_\d{14}_mass-change\.csv$/);
    expect(ws.dropped()).not.toContain(name);
  });

  it('the mass-change guard counts distinct active records: ended then removed counts once, an ended record not at all', async () => {
    ws.drop_('mass-change-seed.csv');
    await ws.run('guarded');
    ws.drop_('mass-change-distinct.csv');
    const r = await ws.run('guarded');
    // 7 ends and removals of records held before the file, but 5 distinct active ones: 20%, not above the limit.
    expect(r.status).toBe('Successful');
    expect(r.runError).toBeNull();
    expect(r.summary).toMatchObject({ new: 7, ended: 1, removed: 7 });
    expect(r.files[0].status).toBe('imported');
  });

  it('a file that ends and then removes every active record is 100%: held at 20%, imported with maxChangeRatio 1', async () => {
    ws.drop_('mass-change-seed.csv');
    await ws.run('guarded');
    ws.drop_('mass-change-all.csv');
    const held = await ws.run('guarded');
    expect(held.runError?.text).toContain('would end or remove 25 of 25 active records of 26-27 (100%, limit 20%)');

    const other = await createWorkspace();
    try {
      other.drop_('mass-change-seed.csv');
      await other.run('cases');
      other.drop_('mass-change-all.csv');
      const r = await other.run('cases'); // maxChangeRatio: 1
      expect(r.status).toBe('Successful');
      expect(r.summary).toMatchObject({ new: 50, ended: 25, removed: 50 });
    } finally {
      other.close();
    }
  });

  it('a year with fewer than 20 active records is never held', async () => {
    ws.drop_('mass-change-small-seed.csv');
    await ws.run('guarded');
    ws.drop_('mass-change-small.csv');
    const r = await ws.run('guarded');
    expect(r.status).toBe('Successful');
    expect(r.summary).toMatchObject({ new: 19, removed: 19 });
  });
});
