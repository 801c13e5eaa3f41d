// One real import (trigger manual, not a test) of one configured import, for the bench:
//   node dist/bench/import-once.js --data-dir D --config-dir C --import NAME
// Prints one JSON line: { seconds, status, new, existing, ended, removed, errors, warnings, lines, maxRssMb, ruMaxRssMb }.
// `seconds` covers runImport only (not loading the config or opening the store); maxRssMb is this
// process's peak RSS, read at the very end.
//
// Peak RSS is VmHWM from /proc/self/status where there is one (Linux). process.resourceUsage().maxRSS is
// getrusage's ru_maxrss, which on Linux survives exec: a child that node forks from a parent holding
// 400 MB reports >= 400 MB however little it uses itself. It is the fallback, and is printed as ruMaxRssMb.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, loadSettings } from '../config.js';
import { createLogger } from '../log.js';
import { openServices } from '../services/open.js';

/** This process's own peak RSS in MB (VmHWM), or null where /proc is not there. */
function vmHwmMb(): number | null {
  try {
    const kb = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return kb ? Number(kb[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function once(): Promise<number> {
  const { values } = parseArgs({
    options: { 'data-dir': { type: 'string' }, 'config-dir': { type: 'string' }, import: { type: 'string' } },
    strict: true,
  });
  if (!values['data-dir'] || !values['config-dir'] || !values.import) {
    process.stderr.write('usage: import-once --data-dir D --config-dir C --import NAME\n');
    return 2;
  }
  const settings = loadSettings(process.env, { dataDir: values['data-dir'], configDir: values['config-dir'] });
  const loaded = loadConfig(settings.configDir);
  if (!loaded.config) {
    process.stderr.write(`the config has problems:\n  ${loaded.problems.join('\n  ')}\n`);
    return 2;
  }
  // 'warn': a failed file still says why on stderr; the per-run info lines stay out of the timing.
  const services = openServices({ settings, env: process.env, log: createLogger('warn', 2), config: () => loaded });
  // Opened (and migrated) before the clock starts.
  const unusable = services.daemon.storeProblems();
  if (unusable.length) {
    process.stderr.write(`the store cannot be used: ${unusable.join('; ')}\n`);
    return 2;
  }
  const t0 = process.hrtime.bigint();
  const result = await services.runs.run({ importName: values.import, trigger: { kind: 'manual', by: 'bench' } });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const { summary, files } = services.logs.report(result.runId).header;
  const run = { ...summary, lines: files.reduce((n, f) => n + f.lines, 0) };
  services.close();
  const ruMaxRssMb = process.resourceUsage().maxRSS / 1024;
  const maxRssMb = vmHwmMb() ?? ruMaxRssMb;
  process.stdout.write(`${JSON.stringify({ seconds, status: result.status, ...run, maxRssMb, ruMaxRssMb })}\n`);
  return result.status === 'Successful' ? 0 : 1;
}

once().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`import-once failed: ${(e as Error).stack}\n`);
    process.exitCode = 2;
  },
);
