import { revertRun, RevertRefused } from '../store/revert.js';
import { settingsOf, storeOf, UsageError } from './context.js';
import type { Command } from './command.js';

export const revert: Command = {
  name: 'revert',
  usage: 'revert <run-id>',
  summary: 'Undoes what one real run changed in the eligibility store, if nothing later touched those records.',
  options: {},
  async run(args, _values, flags, io) {
    const runId = Number(args[0]);
    if (args.length !== 1 || !Number.isInteger(runId)) throw new UsageError('expected one run id');
    const store = storeOf(settingsOf(flags, io), flags, io, 'write');
    try {
      const r = await store.write(() => revertRun(store.db, runId, new Date().toISOString()));
      io.out(flags.json ? `${JSON.stringify({ runId, ...r })}\n`
        : `run ${runId} reverted: ${r.deleted} inserted record(s) deleted, ${r.restored} restored, ${r.reinserted} re-inserted\n`);
      return 0;
    } catch (e) {
      if (e instanceof RevertRefused) {
        io.err(`fram-import revert: ${e.message}\n`);
        return 1;
      }
      throw e;
    } finally {
      store.close();
    }
  },
};
