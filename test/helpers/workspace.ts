// A throw-away fram-import installation for end-to-end tests: the case config from
// fixtures/cases/config, a drop folder, a real SQLite store and the case roster loaded.

import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { openDb, type Db } from '../../src/store/db.js';
import { upsertStudents } from '../../src/store/students.js';
import { readRoster } from '../../src/import/roster.js';
import { runImport, type RunContext, type RunRequest } from '../../src/import/run-import.js';
import { readReport } from '../../src/store/report-source.js';
import { renderJson } from '../../src/report/json.js';
import { createConnect } from '../../src/transports/index.js';
import { silentLogger } from '../../src/log.js';
import type { Transport } from '../../src/transports/transport.js';

export const CASES = resolve(import.meta.dirname, '../../fixtures/cases');

export interface JsonReport {
  runId: number; mode: string; status: string; summary: Record<string, number>;
  files: { name: string; status: string; renamedTo: string | null; lines: number; importedByRun?: number; sha256: string }[];
  messages: { file: string; line: number; severity: string; code: number; text: string }[];
  updated: { stateId: string; name: string; startDate: string; endDate: string; eligibility: string; source: string;
    certifiedType: string | null; status: string }[];
  runError: { code: number; text: string } | null;
  [key: string]: unknown;
}

export interface Workspace {
  dir: string;
  drop: string;
  db: Db;
  config: Config;
  /** Copies a fixture into the drop folder as `IC_Eligibility_<name>`. */
  drop_(fixture: string, as?: string): string;
  run(importName: string, req?: Omit<RunRequest, 'importName'>, wrap?: (t: Transport) => Transport): Promise<JsonReport>;
  report(runId: number): JsonReport;
  dropped(): string[];
  /** Rows of a table in id order, for byte-for-byte comparisons. */
  dump(table: string): unknown[];
  close(): void;
}

export async function createWorkspace(): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), 'fram-case-'));
  const configDir = join(dir, 'config');
  cpSync(join(CASES, 'config'), configDir, { recursive: true });
  const drop = join(configDir, 'drop');
  mkdirSync(drop);
  const { config, problems } = loadConfig(configDir);
  if (!config) throw new Error(`case config invalid:\n${problems.join('\n')}`);
  const db = openDb(join(dir, 'data', 'fram-import.db'));
  const roster = await readRoster(join(CASES, 'roster.csv'));
  upsertStudents(db, roster.students, false);
  const connect = createConnect(process.env);
  let clock = Date.parse('2026-11-22T01:00:00Z');

  const ws: Workspace = {
    dir, drop, db, config,
    drop_(fixture, as) {
      const name = as ?? `IC_Eligibility_${fixture}`;
      cpSync(join(CASES, fixture), join(drop, name));
      return name;
    },
    async run(importName, req = {}, wrap) {
      const ctx: RunContext = {
        db, config, dataDir: join(dir, 'data'), tz: 'America/Chicago', log: silentLogger,
        connect: async (imp) => (wrap ? wrap(await connect(imp)) : connect(imp)),
        now: () => new Date((clock += 1000)), sleep: async () => {},
      };
      const { runId } = await runImport(ctx, { importName, ...req });
      return ws.report(runId);
    },
    report(runId) {
      let out = '';
      renderJson(readReport(db, runId)!, (chunk) => { out += chunk; });
      return JSON.parse(out) as JsonReport;
    },
    dropped: () => readdirSync(drop).sort(),
    dump: (table) => db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all(),
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return ws;
}
