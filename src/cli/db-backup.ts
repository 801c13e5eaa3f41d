import { settingsOf, storeOf, UsageError } from './context.js';
import type { Command } from './command.js';

export const dbBackup: Command = {
  name: 'db backup',
  usage: 'db backup <path>',
  summary: 'Writes an online backup of the SQLite store to <path> (safe while the daemon runs).',
  options: {},
  async run(args, _values, flags, io) {
    if (args.length !== 1) throw new UsageError('expected one target path');
    const { db, close } = storeOf(settingsOf(flags, io), flags, io, 'read');
    try {
      const { totalPages } = await db.backup(args[0]);
      io.out(flags.json ? `${JSON.stringify({ path: args[0], pages: totalPages })}\n` : `backup written to ${args[0]} (${totalPages} pages)\n`);
      return 0;
    } finally {
      close();
    }
  },
};
