import { schoolYearLabel } from '../domain/dates.js';
import { withServices, UsageError } from './context.js';
import type { Command } from './command.js';

export const eligibilitySummary: Command = {
  name: 'eligibility summary',
  usage: 'eligibility summary [--school-year Y] [--as-of YYYY-MM-DD]',
  summary: 'Counts of Free / Reduced / Paid (no record = Paid) by school, to compare with the POS.',
  options: { 'school-year': { type: 'string' }, 'as-of': { type: 'string' } },
  async run(args, values, flags, io) {
    if (args.length) throw new UsageError(`unexpected '${args[0]}'`);
    const { schoolYear, asOf, schools } = await withServices(flags, io, { store: 'read' }, async (s) =>
      s.eligibility.summary({
        schoolYear: values['school-year'] as string | undefined,
        asOf: values['as-of'] as string | undefined,
      }),
    );
    if (flags.json) {
      io.out(`${JSON.stringify({ schoolYear, asOf, schools }, null, 2)}\n`);
      return 0;
    }
    io.out(`School year ${schoolYearLabel(schoolYear)}, as of ${asOf} (active students; no record = Paid)\n`);
    io.out(`${'School'.padEnd(28)}${'Free'.padStart(8)}${'Reduced'.padStart(9)}${'Paid'.padStart(8)}${'Total'.padStart(8)}\n`);
    for (const r of schools) {
      io.out(
        `${r.school.padEnd(28)}${String(r.free).padStart(8)}${String(r.reduced).padStart(9)}${String(r.paid).padStart(8)}${String(r.total).padStart(8)}\n`,
      );
    }
    return 0;
  },
};
