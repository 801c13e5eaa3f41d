import { readRoster, ROSTER_FIELDS, type RosterField } from '../import/roster.js';
import { upsertStudents } from '../store/students.js';
import { settingsOf, storeOf, UsageError } from './context.js';
import type { Command } from './command.js';

export const studentsLoad: Command = {
  name: 'students load',
  usage: 'students load <file.csv> [--replace] [--column field=Header ...]',
  summary: 'Loads or updates the roster from a SIS export, upserting by student number; --replace marks missing students inactive.',
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
    const settings = settingsOf(flags, io);
    let roster;
    try {
      roster = await readRoster(args[0], headers);
    } catch (e) {
      throw new UsageError(`cannot read ${args[0]}: ${(e as Error).message}`);
    }
    const store = storeOf(settings, flags, io, 'create');
    try {
      const counts = await store.write(() => upsertStudents(store.db, roster.students, values.replace as boolean));
      const result = { ...counts, rejected: roster.rejected.length, rejectedLines: roster.rejected };
      if (flags.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
      else {
        io.out(`inserted ${counts.inserted}, updated ${counts.updated}, unchanged ${counts.unchanged}, `
          + `rejected ${roster.rejected.length}${values.replace ? `, marked inactive ${counts.deactivated}` : ''}\n`);
        for (const r of roster.rejected) io.err(`  line ${r.line}: ${r.reason}\n`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
