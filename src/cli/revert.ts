import { Refusal } from '../services/index.js';
import { withServices, UsageError } from './context.js';
import type { Command } from './command.js';

export const revert: Command = {
  name: 'revert',
  usage: 'revert <run-id>',
  summary: 'Undoes what one real run changed in the eligibility store, if nothing later touched those records.',
  options: {},
  async run(args, _values, flags, io) {
    const runId = Number(args[0]);
    if (args.length !== 1 || !Number.isInteger(runId)) throw new UsageError('expected one run id');
    return withServices(flags, io, { store: 'write' }, async (s) => {
      try {
        const r = await s.revert.run(runId);
        io.out(
          flags.json
            ? `${JSON.stringify({ runId, ...r })}\n`
            : `run ${runId} reverted: ${r.deleted} inserted record(s) deleted, ${r.restored} restored, ${r.reinserted} re-inserted\n`,
        );
        return 0;
      } catch (e) {
        // The run cannot be reverted (a test run, already reverted, changed again later): it ran, and said no.
        if (!(e instanceof Refusal)) throw e;
        io.err(`fram-import revert: ${e.message}\n`);
        return 1;
      }
    });
  },
};
