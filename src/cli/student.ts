import { usDate } from '../domain/dates.js';
import { eligibilityLabel, sourceLabel } from '../report/format.js';
import type { EligibilityRecord } from '../domain/types.js';
import { withServices, UsageError } from './context.js';
import type { Command } from './command.js';

/** `08/03/2026 - 06/30/2027  Free Direct (SNAP)`, in the report's words. */
function describe(r: EligibilityRecord): string {
  return (
    `${usDate(r.startDate)} - ${usDate(r.endDate)}  ${eligibilityLabel(r.eligibility)} ${sourceLabel(r.source)}` +
    `${r.certifiedType ? ` (${r.certifiedType})` : ''}`
  );
}

export const student: Command = {
  name: 'student',
  usage: 'student <state-id>',
  summary: "One student's eligibility records and the history of every change: which run or action made it.",
  options: {},
  async run(args, _values, flags, io) {
    if (args.length !== 1) throw new UsageError('expected one State ID');
    const stories = await withServices(flags, io, { store: 'read' }, async (s) => s.students.stories(args[0]));
    if (flags.json) io.out(`${JSON.stringify(stories, null, 2)}\n`);
    else if (!stories.length) io.out(`no student with State ID '${args[0]}'\n`);
    for (const { student: s, records, history } of flags.json ? [] : stories) {
      io.out(
        `${s.name}  State ID ${s.stateId}  Student # ${s.studentNumber}  ${s.school} grade ${s.grade}${s.active ? '' : ' (inactive)'}\n`,
      );
      io.out(`Records:\n${records.map((r) => `  ${describe(r)}\n`).join('') || '  (none: Paid)\n'}`);
      io.out(
        `History:\n${
          history
            .map(
              (h) =>
                `  ${h.at}  ${h.status.padEnd(7)}  by ${h.by}: ` +
                `${h.before ? `${describe(h.before)}  ->  ` : ''}${describe(h.record)}\n`,
            )
            .join('') || '  (none)\n'
        }`,
      );
    }
    return stories.length ? 0 : 1;
  },
};
