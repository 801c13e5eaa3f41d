import { runImport } from '../import/run-import.js';
import { readReport } from '../store/report-source.js';
import { renderReport } from '../report/index.js';
import { configOf, loggerOf, runContextOf, settingsOf, storeOf, UsageError } from './context.js';
import type { Command } from './command.js';

export const run: Command = {
  name: 'run',
  usage: 'run <import> [--test] [--approve-changes] [--json]',
  summary: 'Runs one import now and prints its Eligibility Import Report (--test: a dry run; nothing is written or renamed).',
  options: {
    test: { type: 'boolean', default: false },
    'approve-changes': { type: 'boolean', default: false },
    by: { type: 'string' },
  },
  async run(args, values, flags, io) {
    if (args.length !== 1) throw new UsageError('expected exactly one import name (quote names with spaces)');
    const settings = settingsOf(flags, io);
    const config = configOf(settings, args[0]);
    if (!config.imports.has(args[0])) {
      throw new UsageError(`no import named '${args[0]}'; known: ${[...config.imports.keys()].join(', ') || 'none'}`);
    }
    // The first command on a new data dir may be a run, so it may create the store.
    const { db, close } = storeOf(settings, flags, io, 'create');
    try {
      const result = await runImport(runContextOf(settings, config, db, loggerOf(io), io.env, flags), {
        importName: args[0],
        test: values.test as boolean,
        approveChanges: values['approve-changes'] as boolean,
        trigger: { kind: 'manual', by: (values.by as string | undefined) ?? io.env.USER ?? null },
      });
      renderReport(flags.json ? 'json' : 'text', readReport(db, result.runId)!, io.out);
      return result.status === 'Successful' ? 0 : 1;
    } finally {
      close();
    }
  },
};
