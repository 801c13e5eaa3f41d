// The bench's working dir: wiped and rebuilt each time, with its own config dir, drop folder and store.

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, parse, resolve } from 'node:path';
import { loadSettings } from '../config.js';
import { silentLogger } from '../log.js';
import { openServices } from '../services/open.js';
import type { LoadCounts } from '../store/students.js';
import { students } from './generate.js';

/**
 * Left in every bench dir, so a later run only ever wipes a folder the bench made. It holds the pid of
 * the bench using the dir: a second bench on the same dir would wipe the first one's store mid-import.
 */
const MARKER = '.fram-bench';

/** The pid in the dir's marker, when that process is still running (and is not this one). */
function runningBench(markerPath: string): number | null {
  const pid = Number(/pid (\d+)/.exec(readFileSync(markerPath, 'utf8'))?.[1]);
  if (!pid || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

export const IMPORT_NAME = 'bench';

/** The bench will not run as asked (a folder it must not wipe): a message, not a stack. */
export class Refused extends Error {}

export interface BenchPaths {
  dir: string;
  configDir: string;
  dataDir: string;
  dropDir: string;
  /** Generated files live here; drop/ gets copies (an import renames what it took). */
  filesDir: string;
}

export function benchPaths(dir: string): BenchPaths {
  const d = resolve(dir);
  return {
    dir: d,
    configDir: join(d, 'config'),
    dataDir: join(d, 'data'),
    dropDir: join(d, 'config', 'drop'),
    filesDir: join(d, 'files'),
  };
}

/** Wipes and recreates the bench dir; refuses a non-empty folder the bench did not make. */
export function prepareDir(p: BenchPaths, repoRoot: string): void {
  if (p.dir === parse(p.dir).root || resolve(repoRoot).startsWith(p.dir)) {
    throw new Refused(`refusing to wipe ${p.dir}: it is / or holds the repository`);
  }
  if (existsSync(p.dir) && readdirSync(p.dir).length > 0 && !existsSync(join(p.dir, MARKER))) {
    throw new Refused(`refusing to wipe ${p.dir}: it is not empty and was not made by the bench (no ${MARKER})`);
  }
  const other = existsSync(join(p.dir, MARKER)) ? runningBench(join(p.dir, MARKER)) : null;
  if (other !== null) throw new Refused(`another bench (pid ${other}) is using ${p.dir}; wait for it, or give --dir`);
  rmSync(p.dir, { recursive: true, force: true });
  for (const d of [p.dir, p.dataDir, p.dropDir, p.filesDir, join(p.configDir, 'mappings'), join(p.configDir, 'imports')]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(join(p.dir, MARKER), `Made by \`npm run bench\`; wiped by its next run. In use by pid ${process.pid}.\n`);
}

const IMPORT_YAML = `# Written by npm run bench.
name: ${IMPORT_NAME}
active: true
mapping: POS 26-27
protocol: local
directory: drop
filePrefix: IC_Eligibility
stableSeconds: 0
includeUpdatedRecords: true
# 1: the mass-change guard never holds the bench's file.
maxChangeRatio: 1
`;

/** The repo's certified types and demo mapping, and the bench import. */
export function writeConfig(p: BenchPaths, repoRoot: string): void {
  copyFileSync(join(repoRoot, 'config', 'certified-types.yaml'), join(p.configDir, 'certified-types.yaml'));
  copyFileSync(join(repoRoot, 'config', 'mappings', 'pos-26-27.yaml'), join(p.configDir, 'mappings', 'pos-26-27.yaml'));
  writeFileSync(join(p.configDir, 'imports', `${IMPORT_NAME}.yaml`), IMPORT_YAML);
}

/** Upserts the N generated students into the bench store (the same students the roster CSV lists). */
export async function loadRoster(p: BenchPaths, n: number): Promise<LoadCounts> {
  const services = openServices({
    settings: loadSettings({}, { dataDir: p.dataDir, configDir: p.configDir }),
    env: {},
    log: silentLogger,
  });
  try {
    return await services.students.upsert(students(n), false);
  } finally {
    services.close();
  }
}
