import { studentStories } from '../store/history.js';
import { usDate } from '../domain/dates.js';
import { ELIGIBILITY_LABELS, type EligibilityRecord } from '../domain/types.js';
import { settingsOf, storeOf, UsageError } from './context.js';
import type { Command } from './command.js';


function describe(r: EligibilityRecord): string {
  return `${usDate(r.startDate)} - ${usDate(r.endDate)}  ${ELIGIBILITY_LABELS[r.eligibility]} ${r.source === 'direct' ? 'Direct' : 'Non-Direct'}`
    + `${r.certifiedType ? ` (${r.certifiedType})` : ''}`;
}

export const student: Command = {
  name: 'student',
  usage: 'student <state-id>',
  summary: "One student's eligibility records and the history of every change: which run or action made it.",
  options: {},
  async run(args, _values, flags, io) {
    if (args.length !== 1) throw new UsageError('expected one State ID');
    const { db, close } = storeOf(settingsOf(flags, io), flags, io, 'read');
    try {
      const stories = studentStories(db, args[0]);
      if (flags.json) io.out(`${JSON.stringify(stories, null, 2)}\n`);
      else if (!stories.length) io.out(`no student with State ID '${args[0]}'\n`);
      for (const { student: s, records, history } of flags.json ? [] : stories) {
        io.out(`${s.name}  State ID ${s.stateId}  Student # ${s.studentNumber}  ${s.school} grade ${s.grade}${s.active ? '' : ' (inactive)'}\n`);
        io.out(`Records:\n${records.map((r) => `  ${describe(r)}\n`).join('') || '  (none: Paid)\n'}`);
        io.out(`History:\n${history.map((h) => `  ${h.at}  ${h.status.padEnd(7)}  by ${h.by}: `
          + `${h.before ? `${describe(h.before)}  ->  ` : ''}${describe(h.record)}\n`).join('') || '  (none)\n'}`);
      }
      return stories.length ? 0 : 1;
    } finally {
      close();
    }
  },
};
