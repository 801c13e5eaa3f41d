// `npm run bench [-- --lines N] [--dir D] [--child-node-option OPT ...]` (`-- --transport`: the
// transport bench of test/bench/transport.ts instead): times a real import of an
// N-line eligibility file (first import, then the next day's snapshot with one line changed) against
// the floor of the sqlite3 CLI's bare .import of the same file. A measurement, not a test: exit 0
// whatever the verdicts, non-zero only when the bench itself cannot run or an import is Unsuccessful.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeEligibility, writeRoster } from './generate.js';
import { importInChild, MissingSqlite3, sqliteCount, sqliteImport, sqliteVersion, type ImportMeasurement } from './measure.js';
import { benchPaths, loadRoster, prepareDir, Refused, writeConfig } from './setup.js';
import { table, verdicts } from './table.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
/** The floor is short and noisy next to the imports: the median of a few runs. */
const FLOOR_RUNS = 3;
const say = (s: string) => process.stdout.write(`${s}\n`);

function options() {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string', default: '1000000' },
      dir: { type: 'string', default: join(repoRoot, '.bench') },
      'child-node-option': { type: 'string', multiple: true, default: [] },
    },
    strict: true,
  });
  const lines = Number(values.lines.replace(/[_,]/g, ''));
  if (!Number.isInteger(lines) || lines < 2) throw new Refused('--lines must be a whole number, 2 or more');
  return { lines, dir: values.dir, nodeOptions: values['child-node-option'] };
}

function timed<T>(what: string, f: () => T): T {
  const t0 = process.hrtime.bigint();
  const out = f();
  say(`  ${what} (${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s)`);
  return out;
}

function describe(label: string, m: ImportMeasurement): void {
  say(`  ${label}: ${m.status} in ${m.seconds.toFixed(2)} s; lines ${m.lines}: new ${m.new}, existing ${m.existing}, `
    + `ended ${m.ended}, removed ${m.removed}, errors ${m.errors}, warnings ${m.warnings}`);
  const ru = m.ruMaxRssMb > (m.maxRssMb ?? 0) + 1
    ? ` (VmHWM; getrusage's ru_maxrss says ${m.ruMaxRssMb.toFixed(0)} MB, as it also counts the bench's own memory copied at fork)`
    : '';
  say(`  peak RSS ${m.maxRssMb?.toFixed(0) ?? 'n/a'} MB${ru}`);
}

async function bench(): Promise<number> {
  const { lines: n, dir, nodeOptions } = options();
  const p = benchPaths(dir);
  const day1 = join(p.filesDir, 'IC_Eligibility_bench.csv');
  const day2 = join(p.filesDir, 'IC_Eligibility_bench_day2.csv');
  const child = join(here, 'import-once.js');

  say(`fram-import bench: ${n.toLocaleString('en-US')} lines in ${p.dir}\n`);
  say(`sqlite3 ${sqliteVersion()}\nSetup (not timed):`);
  prepareDir(p, repoRoot);
  writeConfig(p, repoRoot);
  timed(`roster CSV of ${n} students`, () => writeRoster(join(p.filesDir, 'roster.csv'), n));
  timed('eligibility file, day 1', () => writeEligibility(day1, n));
  timed('eligibility file, day 2 (last line ends 5/31/2027)', () => writeEligibility(day2, n, '5/31/2027'));
  const loaded = timed('roster loaded into the store', () => loadRoster(p, n));
  if (loaded.inserted !== n) throw new Error(`expected ${n} students inserted, got ${JSON.stringify(loaded)}`);

  say(`\nFloor: sqlite3 .import into a fresh database, ${FLOOR_RUNS} times; the median counts`);
  const floorDb = join(p.dir, 'floor.db');
  const floors = Array.from({ length: FLOOR_RUNS }, () => sqliteImport(day1, floorDb));
  const floor = [...floors].sort((a, b) => a.seconds - b.seconds)[FLOOR_RUNS >> 1];
  const floorRows = sqliteCount(floorDb);
  say(`  ${floors.map((f) => `${f.seconds.toFixed(2)} s`).join(', ')}; ${floorRows} rows`);

  say('\nImport 1 (first import): every line New');
  copyFileSync(day1, join(p.dropDir, 'IC_Eligibility_bench.csv'));
  const first = importInChild(child, p, nodeOptions);
  describe('import 1', first);

  say("\nImport 2 (next day's snapshot, one line changed): all but one line Existing");
  copyFileSync(day2, join(p.dropDir, 'IC_Eligibility_bench_day2.csv'));
  const next = importInChild(child, p, nodeOptions);
  describe('import 2', next);
  const expected = first.new === n && next.existing === n - 1 && next.new === 1 && next.removed === 1
    && first.errors === 0 && next.errors === 0;
  say(`  expected: import 1 new ${n}; import 2 existing ${n - 1}, new 1, removed 1 (the changed line): ${expected ? 'yes' : 'NO'}`);

  say(`\n${table([
    { label: 'sqlite3 .import', lines: floorRows, ...floor },
    { label: 'import 1 (first)', lines: first.lines, seconds: first.seconds, maxRssMb: first.maxRssMb },
    { label: 'import 2 (next day)', lines: next.lines, seconds: next.seconds, maxRssMb: next.maxRssMb },
  ], floor.seconds)}\n`);
  say('Targets (from the issue):');
  for (const v of verdicts(floor, first, next)) say(`  ${v}`);

  const failed = [first, next].filter((m) => m.status !== 'Successful').length;
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

(process.argv.includes('--transport') ? Promise.resolve().then(transportBench) : bench()).then((code) => { process.exitCode = code; }, (e: unknown) => {
  if (e instanceof MissingSqlite3 || e instanceof Refused) {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exitCode = e instanceof MissingSqlite3 ? 3 : 2;
  } else {
    process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
    process.exitCode = 2;
  }
});
