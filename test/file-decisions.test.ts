// approve and dismiss (SPEC 7.4): a held file is approved by its SHA-256 and imports alone, once; a
// held, rejected or unreadable file can be set aside so later runs skip it and stay Successful.

import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace, type Workspace } from './helpers/workspace.js';
import { main } from '../src/cli/main.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(() => ws.close());

const HEADER = 'State ID,Last Name,First Name,Start Date,End Date,Eligibility,Certified Type,Application,Reference';
/** Students 20-45 of the case roster: each State ID matches one student. */
const id = (n: number) => String(19 + n).padStart(10, '0');

/** Writes a file into the drop folder. */
function drop(name: string, lines: string[]): string {
  writeFileSync(join(ws.drop, name), [HEADER, ...lines].join('\n') + '\n');
  return name;
}

/** 14 students with two records each: 28 active records of 26-27. */
async function seed(): Promise<void> {
  const lines: string[] = [];
  for (let n = 1; n <= 14; n++) {
    lines.push(`${id(n)},L,F,8/1/2026,12/31/2026,Free,APPF,Online,A-${n}`);
    lines.push(`${id(n)},L,F,1/1/2027,6/30/2027,Free,APPF,Online,B-${n}`);
  }
  drop('IC_Eligibility_seed.csv', lines);
  const r = await ws.run('guarded');
  expect(r.summary).toMatchObject({ new: 28, errors: 0 });
}

/** Paid for the whole year for students `from`..`to`: removes their two records each. */
function massChange(name: string, from: number, to: number, ref = 'C'): string {
  const lines: string[] = [];
  for (let n = from; n <= to; n++) lines.push(`${id(n)},L,F,8/1/2026,6/30/2027,Paid,APPS,Online,${ref}-${n}`);
  return drop(name, lines);
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...argv, '--data-dir', join(ws.dir, 'data'), '--config-dir', join(ws.dir, 'config')], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env: { ...process.env, USER: 'director' },
  });
  return { code, out, err };
}

const decisions = () =>
  ws.db.prepare('SELECT import, decision, file_name, decided_by, used_by_run FROM file_decisions ORDER BY id').all();

describe('approve', () => {
  it('imports the held file it names alone, once; a changed file needs a new approval', async () => {
    await seed();
    const before = ws.dump('eligibility');
    const big = massChange('IC_Eligibility_big.csv', 1, 10);
    const held = await ws.run('guarded');
    expect(held.status).toBe('Unsuccessful');
    expect(held.runError?.code).toBe(5009);
    expect(held.runError?.text).toContain('would end or remove 20 of 28 active records');
    expect(held.files[0]).toMatchObject({ name: big, status: 'held', renamedTo: null });
    expect(ws.dump('eligibility')).toEqual(before);
    const sha = held.files[0].sha256;
    // Its report shows what it would have done, exactly as a test run of it does; the store holds none of it.
    const test = await ws.run('guarded', { test: true });
    expect(held.summary).toEqual({ new: 10, ended: 0, removed: 20, existing: 0, errors: 0, warnings: 20 });
    expect(held.summary).toEqual(test.summary);
    expect(held.updated).toHaveLength(30);
    expect(held.updated).toEqual(test.updated);
    expect(held.messages).toEqual(test.messages);
    expect(held.messages.filter((m) => m.code === 3102)).toHaveLength(20);
    expect(ws.dump('change_log').filter((r) => (r as { run_id: number }).run_id === held.runId)).toEqual([]);

    expect((await cli('approve', 'guarded', sha.slice(0, 5))).code).toBe(2);
    const wrong = await cli('approve', 'guarded', sha.startsWith('000000') ? 'ffffff' : '000000');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('no held file of this import has a SHA-256 starting with');
    expect(wrong.err).toContain(sha.slice(0, 12));
    expect(decisions()).toEqual([]);

    const ok = await cli('approve', 'GUARDED', sha.slice(0, 8).toUpperCase());
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`${big} (${sha.slice(0, 12)}) approved`);
    expect(decisions()).toEqual([
      { import: 'guarded', decision: 'approved', file_name: big, decided_by: 'director', used_by_run: null },
    ]);
    expect((await cli('approve', 'guarded', sha.slice(0, 8))).code).toBe(2);

    // The file changes after its approval: a new file, held again; the approval stays unused.
    massChange('IC_Eligibility_big.csv', 1, 10, 'D');
    const changed = await ws.run('guarded');
    expect(changed.files[0]).toMatchObject({ name: big, status: 'held' });
    expect(changed.runError?.code).toBe(5009);
    expect(ws.dump('eligibility')).toEqual(before);
    expect(decisions()).toHaveLength(1);
    const sha2 = changed.files[0].sha256;
    expect(sha2).not.toBe(sha);

    expect((await cli('approve', 'guarded', sha2.slice(0, 8))).code).toBe(0);
    const approved = await ws.run('guarded');
    expect(approved.status).toBe('Successful');
    expect(approved.summary).toMatchObject({ new: 10, removed: 20 });
    expect(approved.files[0]).toMatchObject({ name: big, status: 'imported' });
    expect(approved.files[0].renamedTo).toMatch(/^P_IC_Eligibility_\d{14}_big\.csv$/);
    const rows = decisions() as { file_name: string; used_by_run: number | null }[];
    expect(rows.map((r) => r.used_by_run)).toEqual([null, approved.runId]);
  });

  it('approves only the file it names when two are held, and --approve-changes refuses to choose', async () => {
    await seed();
    const a = massChange('IC_Eligibility_a.csv', 1, 7);
    const b = massChange('IC_Eligibility_b.csv', 8, 14);
    const held = await ws.run('guarded');
    expect(held.files.map((f) => [f.name, f.status])).toEqual([
      [a, 'held'],
      [b, 'held'],
    ]);

    const ambiguous = await ws.run('guarded', { approveChanges: true });
    expect(ambiguous.files.map((f) => f.status)).toEqual(['held', 'held']);
    expect(decisions()).toEqual([]);

    expect((await cli('approve', 'guarded', held.files[1].sha256.slice(0, 10))).code).toBe(0);
    const r = await ws.run('guarded');
    expect(r.files.map((f) => [f.name, f.status])).toEqual([
      [a, 'held'],
      [b, 'imported'],
    ]);
    expect(readdirSync(ws.drop)).toContain(a);
    expect(readdirSync(ws.drop)).not.toContain(b);
  });
});

describe('dismiss', () => {
  it('sets a rejected file aside: later runs skip it, stay Successful and leave it in the folder', async () => {
    const name = ws.drop_('wrong-year.csv');
    const rejected = await ws.run('cases');
    expect(rejected.runError?.code).toBe(5008);
    const sha = rejected.files[0].sha256;

    const d = await cli('dismiss', 'cases', sha.slice(0, 6), '--by', 'it-admin');
    expect(d.code).toBe(0);
    expect(decisions()).toEqual([
      { import: 'cases', decision: 'dismissed', file_name: name, decided_by: 'it-admin', used_by_run: null },
    ]);
    const later = await ws.run('cases');
    expect(later.status).toBe('Successful');
    expect(later.runError).toBeNull();
    expect(later.files).toMatchObject([{ name, status: 'dismissed', renamedTo: null }]);
    expect(ws.dropped()).toEqual([name]);
    expect(ws.dump('eligibility')).toEqual([]);
    expect((await cli('dismiss', 'cases', sha.slice(0, 6))).code).toBe(2);
  });

  it('sets aside a file that was never downloaded (an unusable name) by its listing key', async () => {
    const bad = 'IC_Eligibility\nRun: 1.csv';
    writeFileSync(join(ws.drop, bad), `${HEADER}\n`);
    const refused = await ws.run('cases');
    expect(refused.status).toBe('Unsuccessful');
    expect(refused.files).toMatchObject([{ name: bad, status: 'rejected' }]);
    expect(refused.runError?.code).toBe(5016);
    const key = ws.db.prepare('SELECT listing_key FROM file_ledger WHERE run_id = ?').pluck().get(refused.runId) as string;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect((await cli('dismiss', 'cases', key.slice(0, 12))).code).toBe(0);
    const later = await ws.run('cases');
    expect(later.status).toBe('Successful');
    expect(later.files).toMatchObject([{ name: bad, status: 'dismissed' }]);
  });
});
