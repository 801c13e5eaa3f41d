import { ROSTER_FIELDS, type RosterField } from '../import/roster.js';
import { withServices, UsageError } from './context.js';
import type { Command } from './command.js';

export const studentsLoad: Command = {
  name: 'students load',
  usage: 'students load <file.csv> [--replace] [--column field=Header ...]',
  summary:
    'Loads or updates the roster from a SIS export, upserting by student number; --replace marks missing students inactive.',
  options: { replace: { type: 'boolean', default: false }, column: { type: 'string', multiple: true } },
  async run(args, values, flags, io) {
    if (args.length !== 1) throw new UsageError('expected one roster CSV file');
    const headers: Partial<Record<RosterField, string>> = {};
    for (const c of (values.column as string[] | undefined) ?? []) {
      const [field, header] = [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)];
      if (!ROSTER_FIELDS.includes(field as RosterField) || !header) {
        throw new UsageError(`--column takes field=Header with field one of ${ROSTER_FIELDS.join(', ')}`);
      }
      headers[field as RosterField] = header;
    }
    const replace = values.replace as boolean;
    const result = await withServices(flags, io, { store: 'create' }, (s) => s.students.load(args[0], { headers, replace }));
    if (flags.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
    else {
      io.out(
        `inserted ${result.inserted}, updated ${result.updated}, unchanged ${result.unchanged}, ` +
          `rejected ${result.rejected}${replace ? `, marked inactive ${result.deactivated}` : ''}\n`,
      );
      for (const r of result.rejectedLines) io.err(`  line ${r.line}: ${r.reason}\n`);
    }
    return 0;
  },
};
