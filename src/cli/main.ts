// fram-import's command line (SPEC 3). Exit 0 success, 1 Unsuccessful run, 2 bad usage or invalid config.

import { parseArgs } from 'node:util';
import { UsageError, type GlobalFlags, type Io } from './context.js';
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
  serve, configCheck, studentsLoad, testConnectionCommand, run, submit, logsClear, logs, report, student, revert, eligibilitySummary, dbBackup,
  approve, dismiss,
];

const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  'config-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    'Usage: fram-import <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --data-dir (FRAM_DATA_DIR), --config-dir (FRAM_CONFIG_DIR), --json where it prints results, and --help.',
  ].join('\n') + '\n';
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
  try {
    const { values, positionals } = parseArgs({
      args: argv, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true,
    });
    if (values.help) {
      io.out(`Usage: fram-import ${command.usage}\n\n${command.summary}\n`);
      return 0;
    }
    const flags: GlobalFlags = {
      dataDir: values['data-dir'] as string | undefined,
      configDir: values['config-dir'] as string | undefined,
      json: values.json as boolean,
    };
    const args = positionals.slice(command.name.split(' ').length);
    return await command.run(args, values, flags, io);
  } catch (e) {
    if (e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`fram-import ${command.name}: ${(e as Error).message}\n`);
      for (const d of (e as UsageError).details ?? []) io.err(`  ${d}\n`);
      return 2;
    }
    throw e;
  }
}

