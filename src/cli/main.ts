// fram-import's command line (SPEC 3). Exit 0 success, 1 Unsuccessful run, 2 bad usage or invalid config.

import { parseArgs } from 'node:util';
import { DEFAULT_WAIT_SECONDS, settingsOf, UsageError, type GlobalFlags, type Io } from './context.js';
import { FramError, errorCode, isBusy, localFailure } from '../errors.js';
import { dbPath } from '../store/db.js';
import type { Command } from './command.js';
import { configCheck } from './config-check.js';
import { studentsLoad } from './students-load.js';
import { run } from './run.js';
import { logs, logsClear } from './logs.js';
import { report } from './report.js';
import { student } from './student.js';
import { revert } from './revert.js';
import { eligibilitySummary } from './eligibility-summary.js';
import { dbBackup } from './db-backup.js';
import { serve } from './serve.js';
import { submit } from './submit.js';
import { testConnectionCommand } from './test-connection.js';
import { approve, dismiss } from './decide.js';

const COMMANDS: Command[] = [
  serve,
  configCheck,
  studentsLoad,
  testConnectionCommand,
  run,
  submit,
  logsClear,
  logs,
  report,
  student,
  revert,
  eligibilitySummary,
  dbBackup,
  approve,
  dismiss,
];

const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  'config-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  wait: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const GLOBAL_HELP = [
  'Every command takes --data-dir (FRAM_DATA_DIR), --config-dir (FRAM_CONFIG_DIR), --json where it prints results, and --help.',
  `--wait SECONDS: how long a command that writes (run, students load, submit, revert, logs clear, approve, dismiss) waits`,
  `for a store busy with another writer before it fails with ERROR 5018 (default ${DEFAULT_WAIT_SECONDS}). Commands other than`,
  'run and students load need an existing store: a --data-dir without one is refused (exit 2), never created.',
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return (
    [
      'Usage: fram-import <command> [options]',
      '',
      'Commands:',
      ...COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
      '',
      ...GLOBAL_HELP,
    ].join('\n') + '\n'
  );
}

/** Two-word commands (`logs clear`) win over their first word (`logs`). */
function find(argv: string[]): Command | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const two = words.slice(0, 2).join(' ');
  return COMMANDS.find((c) => c.name === two) ?? COMMANDS.find((c) => c.name === words[0]);
}

export async function main(argv: string[], io: Io): Promise<number> {
  const command = find(argv);
  if (!command) {
    if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
      io.out(usage());
      return argv.length === 0 ? 2 : 0;
    }
    io.err(`fram-import: unknown command '${argv.join(' ')}'\n\n${usage()}`);
    return 2;
  }
  let flags: GlobalFlags | null = null;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.out(`Usage: fram-import ${command.usage}\n\n${command.summary}\n\n${GLOBAL_HELP.join('\n')}\n`);
      return 0;
    }
    flags = {
      dataDir: values['data-dir'] as string | undefined,
      configDir: values['config-dir'] as string | undefined,
      json: values.json as boolean,
      waitSeconds: waitSeconds(values.wait as string | undefined),
    };
    const args = positionals.slice(command.name.split(' ').length);
    return await command.run(args, values, flags, io);
  } catch (e) {
    if (e instanceof UsageError || errorCode(e)?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`fram-import ${command.name}: ${(e as Error).message}\n`);
      for (const d of (e as UsageError).details ?? []) io.err(`  ${d}\n`);
      return 2;
    }
    const failure = storeFailure(e, flags, io);
    if (!failure) throw e;
    io.err(`fram-import ${command.name}: ERROR ${failure.code} - ${failure.message}\n  Hint: ${failure.hint}\n`);
    return 1;
  }
}

function waitSeconds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_WAIT_SECONDS;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--wait must be a number of seconds, 0 or more (got '${text}')`);
  return n;
}

/**
 * A command's failure as a coded error (exit 1): ours as they are, and a store error by what it is,
 * never SQLite's own text (`database is locked` becomes 5018 after the --wait it waited).
 */
function storeFailure(e: unknown, flags: GlobalFlags | null, io: Io): FramError | null {
  if (e instanceof FramError) return e;
  const code = errorCode(e);
  if (!code?.startsWith('SQLITE_')) return null;
  const seconds = flags?.waitSeconds ?? DEFAULT_WAIT_SECONDS;
  if (isBusy(e)) return new FramError(5018, { seconds }, { cause: e });
  let path = 'the store';
  try {
    if (flags) path = dbPath(settingsOf(flags, io).dataDir);
  } catch {
    // settings that do not load were refused before any store was opened
  }
  return localFailure(e, path, 'using the store', seconds);
}
