import { withServices, UsageError } from './context.js';
import type { Command } from './command.js';

export const logs: Command = {
  name: 'logs',
  usage: 'logs [--import NAME] [--status S] [--limit K]',
  summary: 'The Scheduled Import Logs: one row per run, newest first.',
  options: { import: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string', default: '50' } },
  async run(args, values, flags, io) {
    if (args.length) throw new UsageError(`unexpected '${args[0]}'`);
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
    const rows = await withServices(flags, io, { store: 'read' }, async (s) =>
      s.logs.list({
        import: values.import as string | undefined,
        status: values.status as string | undefined,
        limit,
      }),
    );
    if (flags.json) {
      io.out(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    io.out(
      `${'Run'.padEnd(6)}${'Import'.padEnd(24)}${'Mode'.padEnd(6)}${'Status'.padEnd(14)}${'Started'.padEnd(26)}New/Ended/Removed/Existing  E/W  Error\n`,
    );
    for (const r of rows) {
      const counts = `${r.new}/${r.ended}/${r.removed}/${r.existing}`;
      io.out(
        `${String(r.id).padEnd(6)}${r.import.padEnd(24)}${r.mode.padEnd(6)}${r.status.padEnd(14)}${r.startedAt.padEnd(26)}` +
          `${counts.padEnd(28)}${`${r.errors}/${r.warnings}`.padEnd(5)}${r.error ?? ''}${r.reverted ? ' (reverted)' : ''}\n`,
      );
    }
    if (!rows.length) io.out('(no runs)\n');
    return 0;
  },
};

export const logsClear: Command = {
  name: 'logs clear',
  usage: 'logs clear [--import NAME | --all]',
  summary: "IC's Clear Log / Clear All Logs. Runs marked keep survive --import; eligibility history is never cleared.",
  options: { import: { type: 'string' }, all: { type: 'boolean', default: false } },
  async run(args, values, flags, io) {
    const name = values.import as string | undefined;
    if (args.length || (name === undefined) === !values.all) throw new UsageError('give exactly one of --import NAME or --all');
    const n = await withServices(flags, io, { store: 'write' }, (s) => s.logs.clear(values.all ? 'all' : { import: name! }));
    io.out(flags.json ? `${JSON.stringify({ cleared: n })}\n` : `${n} run(s) cleared\n`);
    return 0;
  },
};
