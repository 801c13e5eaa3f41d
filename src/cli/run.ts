import { renderReport } from '../report/index.js';
import { actorOf, withServices, UsageError } from './context.js';
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
    // The first command on a new data dir may be a run, so it may create the store.
    return withServices(flags, io, { store: 'create', stoppable: true }, async (s) => {
      const result = await s.runs.run({
        importName: args[0],
        test: values.test as boolean,
        approveChanges: values['approve-changes'] as boolean,
        trigger: { kind: 'manual', by: actorOf(values, io) },
      });
      renderReport(flags.json ? 'json' : 'text', s.logs.report(result.runId), io.out);
      return result.status === 'Successful' ? 0 : 1;
    });
  },
};
