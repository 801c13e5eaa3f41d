// `npm run bench [-- --lines N] [--rounds R] [--dir D] [--child-node-option OPT ...]` (`-- --transport`:
// the transport bench of test/bench/transport.ts instead): times a real import of an N-line
// eligibility file (first import, then the next day's snapshot with one line changed) against the
// floor of the sqlite3 CLI's bare .import of the same file. A measurement, not a test: exit 0
// whatever the verdicts, non-zero only when the bench itself cannot run or an import is Unsuccessful.
//
// This machine's speed drifts by a fifth or more from minute to minute, so one round proves little.
// Each round restores the store as it was after the roster load and times: the floor, import 1, the
// floor again, import 2. Every figure is printed; the verdicts use the medians.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeEligibility, writeRoster } from './generate.js';
import {
  importInChild,
  median,
  MissingSqlite3,
  sqliteCount,
  sqliteImport,
  sqliteVersion,
  type ImportMeasurement,
  type Measurement,
} from './measure.js';
import { dbPath } from '../store/db.js';
import { benchPaths, loadRoster, prepareDir, Refused, writeConfig } from './setup.js';
import { table, verdicts } from './table.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const say = (s: string) => process.stdout.write(`${s}\n`);

function options() {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string', default: '1000000' },
      rounds: { type: 'string', default: '3' },
      dir: { type: 'string', default: join(repoRoot, '.bench') },
      'child-node-option': { type: 'string', multiple: true, default: [] },
    },
    strict: true,
  });
  const lines = Number(values.lines.replace(/[_,]/g, ''));
  if (!Number.isInteger(lines) || lines < 2) throw new Refused('--lines must be a whole number, 2 or more');
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Refused('--rounds must be a whole number, 1 or more');
  return { lines, rounds, dir: values.dir, nodeOptions: values['child-node-option'] };
}

async function timed<T>(what: string, f: () => T | Promise<T>): Promise<T> {
  const t0 = process.hrtime.bigint();
  const out = await f();
  say(`  ${what} (${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s)`);
  return out;
}

function describe(label: string, m: ImportMeasurement): void {
  say(
    `  ${label}: ${m.status} in ${m.seconds.toFixed(2)} s; lines ${m.lines}: new ${m.new}, existing ${m.existing}, ` +
      `ended ${m.ended}, removed ${m.removed}, errors ${m.errors}, warnings ${m.warnings}`,
  );
  const ru =
    m.ruMaxRssMb > (m.maxRssMb ?? 0) + 1
      ? ` (VmHWM; getrusage's ru_maxrss says ${m.ruMaxRssMb.toFixed(0)} MB, as it also counts the bench's own memory copied at fork)`
      : '';
  say(`  peak RSS ${m.maxRssMb?.toFixed(0) ?? 'n/a'} MB${ru}`);
}

const seconds = (ms: Measurement[]) => ms.map((m) => `${m.seconds.toFixed(2)} s`).join(', ');
/** Median time; the highest peak RSS of any round. */
function summary(ms: Measurement[]): Measurement {
  const rss = ms.map((m) => m.maxRssMb);
  return { seconds: median(ms.map((m) => m.seconds)), maxRssMb: rss.includes(null) ? null : Math.max(...(rss as number[])) };
}

async function bench(): Promise<number> {
  const { lines: n, rounds, dir, nodeOptions } = options();
  const p = benchPaths(dir);
  const day1 = join(p.filesDir, 'IC_Eligibility_bench.csv');
  const day2 = join(p.filesDir, 'IC_Eligibility_bench_day2.csv');
  const child = join(here, 'import-once.js');
  const store = dbPath(p.dataDir);
  const rosterOnly = join(p.dir, 'roster-only.db');

  say(`fram-import bench: ${n.toLocaleString('en-US')} lines in ${p.dir}, ${rounds} round(s)\n`);
  say(`sqlite3 ${sqliteVersion()}\nSetup (not timed):`);
  prepareDir(p, repoRoot);
  writeConfig(p, repoRoot);
  await timed(`roster CSV of ${n} students`, () => writeRoster(join(p.filesDir, 'roster.csv'), n));
  await timed('eligibility file, day 1', () => writeEligibility(day1, n));
  await timed('eligibility file, day 2 (last line ends 5/31/2027)', () => writeEligibility(day2, n, '5/31/2027'));
  const loaded = await timed('roster loaded into the store', () => loadRoster(p, n));
  if (loaded.inserted !== n) throw new Error(`expected ${n} students inserted, got ${JSON.stringify(loaded)}`);
  copyFileSync(store, rosterOnly); // closed, so checkpointed: the file is the whole store

  const floorDb = join(p.dir, 'floor.db');
  const floors: Measurement[] = [];
  const firsts: ImportMeasurement[] = [];
  const nexts: ImportMeasurement[] = [];
  let expected = true;
  for (let round = 1; round <= rounds; round++) {
    say(`\nRound ${round} of ${rounds}: the store as after the roster load`);
    for (const f of [`${store}-wal`, `${store}-shm`]) rmSync(f, { force: true });
    copyFileSync(rosterOnly, store);

    floors.push(sqliteImport(day1, floorDb));
    say(`  floor: sqlite3 .import into a fresh database: ${floors.at(-1)!.seconds.toFixed(2)} s, ${sqliteCount(floorDb)} rows`);
    copyFileSync(day1, join(p.dropDir, 'IC_Eligibility_bench.csv'));
    const first = importInChild(child, p, nodeOptions);
    describe('import 1 (first import, every line New)', first);
    firsts.push(first);

    floors.push(sqliteImport(day1, floorDb));
    say(`  floor: ${floors.at(-1)!.seconds.toFixed(2)} s`);
    copyFileSync(day2, join(p.dropDir, 'IC_Eligibility_bench_day2.csv'));
    const next = importInChild(child, p, nodeOptions);
    describe("import 2 (next day's snapshot, one line changed)", next);
    nexts.push(next);
    const ok =
      first.new === n &&
      next.existing === n - 1 &&
      next.new === 1 &&
      next.removed === 1 &&
      first.errors === 0 &&
      next.errors === 0;
    say(`  expected: import 1 new ${n}; import 2 existing ${n - 1}, new 1, removed 1 (the changed line): ${ok ? 'yes' : 'NO'}`);
    expected &&= ok;
  }

  const floor = summary(floors);
  const first = summary(firsts);
  const next = summary(nexts);
  say(`\nAll rounds: floor ${seconds(floors)}; import 1 ${seconds(firsts)}; import 2 ${seconds(nexts)}`);
  say(`Medians (peak RSS: the highest of any round)${expected ? '' : '; some round did NOT import as expected'}:`);
  say(
    `\n${table(
      [
        { label: 'sqlite3 .import', lines: n, ...floor },
        { label: 'import 1 (first)', lines: firsts[0].lines, ...first },
        { label: 'import 2 (next day)', lines: nexts[0].lines, ...next },
      ],
      floor.seconds,
    )}\n`,
  );
  say('Targets (from the issue):');
  for (const v of verdicts(floor, first, next)) say(`  ${v}`);

  const failed = [...firsts, ...nexts].filter((m) => m.status !== 'Successful').length;
  if (failed) say(`\n${failed} import(s) were not Successful: see the messages above.`);
  return failed ? 1 : 0;
}

/**
 * `--transport` runs the transport bench, which starts the test servers: it lives beside them in
 * test/ and is compiled to .bench-build by `npm run bench`.
 */
function transportBench(): number {
  const script = join(repoRoot, '.bench-build', 'test', 'bench', 'transport.js');
  if (!existsSync(script)) throw new Refused(`${script} is missing: run it as npm run bench -- --transport`);
  return spawnSync(process.execPath, [script], { stdio: 'inherit' }).status ?? 2;
}

(process.argv.includes('--transport') ? Promise.resolve().then(transportBench) : bench()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof MissingSqlite3 || e instanceof Refused) {
      process.stderr.write(`bench: ${e.message}\n`);
      process.exitCode = e instanceof MissingSqlite3 ? 3 : 2;
    } else {
      process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
      process.exitCode = 2;
    }
  },
);
