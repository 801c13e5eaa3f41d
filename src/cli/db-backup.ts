import { withServices, UsageError } from './context.js';
import type { Command } from './command.js';

export const dbBackup: Command = {
  name: 'db backup',
  usage: 'db backup <path>',
  summary: 'Writes an online backup of the SQLite store to <path> (safe while the daemon runs).',
  options: {},
  async run(args, _values, flags, io) {
    if (args.length !== 1) throw new UsageError('expected one target path');
    const { path, pages } = await withServices(flags, io, { store: 'read' }, (s) => s.backup.write(args[0]));
    io.out(flags.json ? `${JSON.stringify({ path, pages })}\n` : `backup written to ${path} (${pages} pages)\n`);
    return 0;
  },
};
