// `approve <import> <sha256-prefix>` and `dismiss <import> <sha256-prefix>` (SPEC 7.4): a person's
// decision about a file a run held, rejected or could not read. Recorded with who made it.

import { createFileDecisions, type Undecided } from '../store/file-decisions.js';
import { configOf, settingsOf, storeOf, UsageError, type Io } from './context.js';
import type { Command, Values } from './command.js';
import type { GlobalFlags } from './context.js';

function decide(decision: 'approved' | 'dismissed') {
  return async (args: string[], values: Values, flags: GlobalFlags, io: Io): Promise<number> => {
    if (args.length !== 2) throw new UsageError('expected an import name and the first digits of a file\'s SHA-256');
    const settings = settingsOf(flags, io);
    const config = configOf(settings, args[0]);
    const imp = [...config.imports.values()].find((i) => i.name.toLowerCase() === args[0].toLowerCase());
    if (!imp) throw new UsageError(`no import named '${args[0]}'; known: ${[...config.imports.keys()].join(', ') || 'none'}`);
    const store = storeOf(settings, flags, io, 'write');
    try {
      const decisions = createFileDecisions(store.db);
      const match = decisions.match(imp.name, args[1], decision);
      if (!match.ok) throw new UsageError(match.reason, match.candidates.map(describe));
      const by = (values.by as string | undefined) ?? io.env.USER ?? null;
      await store.write(() => decisions.record(imp.name, match.file, decision, by, new Date().toISOString()));
      const what = decision === 'approved'
        ? 'approved: the next run imports it, in its place in file order'
        : 'dismissed: later runs skip it while it stays in the folder';
      io.out(flags.json ? `${JSON.stringify({ import: imp.name, decision, file: match.file.name, key: match.file.key, by })}\n`
        : `${match.file.name} (${match.file.key.slice(0, 12)}) ${what}\n`);
      return 0;
    } finally {
      store.close();
    }
  };
}

function describe(f: Undecided): string {
  return `${f.key.slice(0, 12)}  ${f.state}${f.errorCode ? ` ${f.errorCode}` : ''}  ${JSON.stringify(f.name)}  (run ${f.runId})`;
}

export const approve: Command = {
  name: 'approve',
  usage: 'approve <import> <sha256-prefix>',
  summary: 'Approves a file held by the mass-change guard: the next run imports that file alone, once.',
  options: { by: { type: 'string' } },
  run: decide('approved'),
};

export const dismiss: Command = {
  name: 'dismiss',
  usage: 'dismiss <import> <sha256-prefix>',
  summary: 'Sets aside a held, rejected or unreadable file so later runs skip it (and stay Successful).',
  options: { by: { type: 'string' } },
  run: decide('dismissed'),
};
