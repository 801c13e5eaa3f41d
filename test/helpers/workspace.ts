// A throw-away fram-import installation for end-to-end tests: the case config from
// fixtures/cases/config, a drop folder, a real SQLite store and the case roster loaded.

import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, loadSettings, type Config } from '../../src/config.js';
import { openDb, type Db } from '../../src/store/db.js';
import type { RunRequest } from '../../src/import/run-import.js';
import { renderJson } from '../../src/report/json.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { connectorsFor, openServices, type ProcessServices } from '../../src/services/open.js';
import type { Transport } from '../../src/transports/transport.js';

export const CASES = resolve(import.meta.dirname, '../../fixtures/cases');

export interface JsonReport {
  runId: number;
  mode: string;
  status: string;
  summary: Record<string, number>;
  files: { name: string; status: string; renamedTo: string | null; lines: number; importedByRun?: number; sha256: string }[];
  messages: { file: string; line: number; severity: string; code: number; text: string }[];
  updated: {
    stateId: string;
    name: string;
    startDate: string;
    endDate: string;
    eligibility: string;
    source: string;
    certifiedType: string | null;
    status: string;
  }[];
  runError: { code: number; text: string } | null;
  [key: string]: unknown;
}

export interface Workspace {
  dir: string;
  drop: string;
  db: Db;
  config: Config;
  /** The services over this workspace's store and config (a test may change `config.imports`). */
  services: ProcessServices;
  /** Copies a fixture into the drop folder as `IC_Eligibility_<name>`. */
  drop_(fixture: string, as?: string): string;
  run(importName: string, req?: Omit<RunRequest, 'importName'>, wrap?: (t: Transport) => Transport): Promise<JsonReport>;
  report(runId: number): JsonReport;
  dropped(): string[];
  /** Rows of a table in id order, for byte-for-byte comparisons. */
  dump(table: string): unknown[];
  close(): void;
}

/** `log`: where the services log (a test that reads the log lines); silent by default. */
export async function createWorkspace(opts: { log?: Logger } = {}): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), 'fram-case-'));
  const configDir = join(dir, 'config');
  cpSync(join(CASES, 'config'), configDir, { recursive: true });
  const drop = join(configDir, 'drop');
  mkdirSync(drop);
  const { config, problems } = loadConfig(configDir);
  if (!config) throw new Error(`case config invalid:\n${problems.join('\n')}`);
  const dataDir = join(dir, 'data');
  const db = openDb(join(dataDir, 'fram-import.db'));
  const connectors = connectorsFor(process.env, dataDir);
  /** The transport wrapper of the run in progress (a test's fault injection), if any. */
  let wrap: ((t: Transport) => Transport) | undefined;
  // Each reading of the clock is a second later: runs and their rows get distinct, ordered times.
  let clock = Date.parse('2026-11-22T01:00:00Z');
  const services = openServices({
    settings: loadSettings({ FRAM_TZ: 'America/Chicago' }, { dataDir, configDir }),
    env: process.env,
    log: opts.log ?? silentLogger,
    db,
    config: () => ({ config, problems, disabled: new Map() }),
    clock: { now: () => new Date((clock += 1000)), sleep: async () => {} },
    connect: (purpose) => {
      const connect = connectors(purpose);
      return async (imp, per) => (wrap ? wrap(await connect(imp, per)) : connect(imp, per));
    },
  });
  await services.students.load(join(CASES, 'roster.csv'), { replace: false });

  const ws: Workspace = {
    dir,
    drop,
    db,
    config,
    services,
    drop_(fixture, as) {
      const name = as ?? `IC_Eligibility_${fixture}`;
      cpSync(join(CASES, fixture), join(drop, name));
      return name;
    },
    async run(importName, req = {}, wrapTransport) {
      wrap = wrapTransport;
      try {
        const { runId } = await services.runs.execute({ importName, ...req });
        return ws.report(runId);
      } finally {
        wrap = undefined;
      }
    },
    report(runId) {
      let out = '';
      renderJson(services.logs.report(runId), (chunk) => {
        out += chunk;
      });
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
