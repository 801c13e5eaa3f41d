// `npm run demo`: a fresh data dir, the demo roster, the demo IC_Eligibility file dropped into the
// embedded default import (protocol `local`), one real run, and its report.

import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './cli/main.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const base = resolve(process.env.FRAM_DEMO_DIR ?? join(root, '.demo-data'));
const dataDir = join(base, 'data');
const configDir = join(base, 'config');

const io = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t), env: process.env };
const cli = (...args: string[]) => main([...args, '--data-dir', dataDir, '--config-dir', configDir], io);

async function demo(): Promise<number> {
  rmSync(base, { recursive: true, force: true });
  cpSync(join(root, 'config'), configDir, { recursive: true });
  mkdirSync(join(configDir, 'drop'), { recursive: true });
  cpSync(join(root, 'fixtures/demo/IC_Eligibility_demo.csv'), join(configDir, 'drop/IC_Eligibility_demo.csv'));

  process.stdout.write(`Demo data dir: ${dataDir}\nDemo config dir: ${configDir}\n\n$ fram-import config check\n`);
  if (await cli('config', 'check')) return 2;
  process.stdout.write('\n$ fram-import students load fixtures/demo/roster.csv\n');
  if (await cli('students', 'load', join(root, 'fixtures/demo/roster.csv'))) return 2;
  process.stdout.write("\n$ fram-import run 'Demo drop folder'\n");
  const code = await cli('run', 'Demo drop folder', '--by', 'demo');
  process.stdout.write(
    `\nThe file was renamed in ${join(configDir, 'drop')}. Next:\n` +
      `  npx fram-import logs --data-dir ${dataDir}\n` +
      `  npx fram-import report 1 --format html --data-dir ${dataDir} > report.html\n` +
      `  npx fram-import student <state-id> --data-dir ${dataDir}\n`,
  );
  return code;
}

demo().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`demo failed: ${(e as Error).stack}\n`);
    process.exitCode = 1;
  },
);
