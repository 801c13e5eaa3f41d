import { eligibilitySummary as summarize } from '../store/history.js';
import { schoolYearBounds, schoolYearLabel, schoolYearOf } from '../domain/dates.js';
import { settingsOf, storeOf, UsageError } from './context.js';
import type { Command } from './command.js';

export const eligibilitySummary: Command = {
  name: 'eligibility summary',
  usage: 'eligibility summary [--school-year Y] [--as-of YYYY-MM-DD]',
  summary: 'Counts of Free / Reduced / Paid (no record = Paid) by school, to compare with the POS.',
  options: { 'school-year': { type: 'string' }, 'as-of': { type: 'string' } },
  async run(args, values, flags, io) {
    if (args.length) throw new UsageError(`unexpected '${args[0]}'`);
    const today = new Date().toISOString().slice(0, 10);
    const year = values['school-year'] ? Number(values['school-year']) : schoolYearOf(today);
    if (!Number.isInteger(year) || year < 2000 || year > 2200) throw new UsageError('--school-year is an end year such as 2027');
    const { from, to } = schoolYearBounds(year);
    const asOf = (values['as-of'] as string | undefined) ?? (today < from ? from : today > to ? to : today);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new UsageError('--as-of must be YYYY-MM-DD');
    const { db, close } = storeOf(settingsOf(flags, io), flags, io, 'read');
    try {
      const rows = summarize(db, year, asOf);
      if (flags.json) {
        io.out(`${JSON.stringify({ schoolYear: year, asOf, schools: rows }, null, 2)}\n`);
        return 0;
      }
      io.out(`School year ${schoolYearLabel(year)}, as of ${asOf} (active students; no record = Paid)\n`);
      io.out(`${'School'.padEnd(28)}${'Free'.padStart(8)}${'Reduced'.padStart(9)}${'Paid'.padStart(8)}${'Total'.padStart(8)}\n`);
      for (const r of rows) {
        io.out(`${r.school.padEnd(28)}${String(r.free).padStart(8)}${String(r.reduced).padStart(9)}${String(r.paid).padStart(8)}${String(r.total).padStart(8)}\n`);
      }
      return 0;
    } finally {
      close();
    }
  },
};
