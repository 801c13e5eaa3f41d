import { actorOf, withServices, UsageError } from './context.js';
import type { Command } from './command.js';

export const submit: Command = {
  name: 'submit',
  usage: 'submit <import> --at <ISO datetime> [--high-priority] [--keep] [--test]',
  summary: "Queues a one-off run in the batch queue (IC's Submit to Batch); the daemon's worker takes it when due.",
  options: {
    at: { type: 'string' },
    'high-priority': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    test: { type: 'boolean', default: false },
    by: { type: 'string' },
  },
  async run(args, values, flags, io) {
    if (args.length !== 1) throw new UsageError('expected exactly one import name (quote names with spaces)');
    if (values.at === undefined) throw new UsageError('--at is required');
    // The queue is the daemon's: a store that does not exist (a mistyped --data-dir) is no daemon's.
    const { id, ...entry } = await withServices(flags, io, { store: 'write' }, (s) =>
      s.queue.submit({
        importName: args[0],
        at: values.at as string,
        highPriority: values['high-priority'] as boolean,
        keep: values.keep as boolean,
        test: values.test as boolean,
        by: actorOf(values, io),
      }),
    );
    if (flags.json) io.out(`${JSON.stringify({ id, ...entry })}\n`);
    else {
      io.out(
        `queued batch entry ${id}: ${entry.test ? 'test of ' : ''}'${entry.import}' at ${entry.runAt}` +
          `${entry.highPriority ? ', high priority' : ''}${entry.keep ? ', kept past retention' : ''}\n`,
      );
    }
    return 0;
  },
};
