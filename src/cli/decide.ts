// `approve <import> <sha256-prefix>` and `dismiss <import> <sha256-prefix>` (SPEC 7.4): a person's
// decision about a file a run held, rejected or could not read. Recorded with who made it.

import type { Decision } from '../services/files.js';
import { actorOf, withServices, UsageError, type GlobalFlags, type Io } from './context.js';
import type { Command, Values } from './command.js';

const DONE: Record<Decision, string> = {
  approved: 'approved: the next run imports it, in its place in file order',
  dismissed: 'dismissed: later runs skip it while it stays in the folder',
};

function decide(decision: Decision) {
  return async (args: string[], values: Values, flags: GlobalFlags, io: Io): Promise<number> => {
    if (args.length !== 2) throw new UsageError("expected an import name and the first digits of a file's SHA-256");
    const d = await withServices(flags, io, { store: 'write' }, (s) =>
      s.files.decide(args[0], args[1], decision, actorOf(values, io)),
    );
    io.out(
      flags.json
        ? `${JSON.stringify({ import: d.import, decision, file: d.file.name, key: d.file.key, by: d.by })}\n`
        : `${d.file.name} (${d.file.key.slice(0, 12)}) ${DONE[decision]}\n`,
    );
    return 0;
  };
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
