import { runImport } from '../import/run-import.js';
import { readReport } from '../store/report-source.js';
import { renderReport } from '../report/index.js';
import { configOf, loggerOf, runContextOf, settingsOf, stopSignal, storeOf, UsageError } from './context.js';
import { heldFiles } from '../import/run-import.js';
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
    const stop = stopSignal();
    try {
      if (values['approve-changes'] && !values.test) {
        const held = heldFiles(db, args[0]);
        if (held.length !== 1) {
          throw new UsageError(held.length === 0 ? 'no file of this import is held for approval'
            : `${held.length} files are held: approve one by its SHA-256 (approve <import> <sha256-prefix>)`,
          held.map((f) => `${f.key.slice(0, 12)}  ${JSON.stringify(f.name)}  (run ${f.runId})`));
        }
      }
      const result = await runImport(runContextOf(settings, config, db, loggerOf(io), io.env, flags, stop.signal), {
        importName: args[0],
        test: values.test as boolean,
        approveChanges: values['approve-changes'] as boolean,
        trigger: { kind: 'manual', by: (values.by as string | undefined) ?? io.env.USER ?? null },
      });
      renderReport(flags.json ? 'json' : 'text', readReport(db, result.runId)!, io.out);
      return result.status === 'Successful' ? 0 : 1;
    } finally {
      stop.dispose();
      close();
    }
  },
};
