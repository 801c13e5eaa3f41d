// The roster (SPEC 5) and one student's story: "why is this child Paid?"

import { readRoster, type RosterField, type RosterResult } from '../import/roster.js';
import { upsertStudents, type LoadCounts, type Student } from '../store/students.js';
import { studentStories, type StudentStory } from '../store/history.js';
import type { Kit } from './deps.js';
import { Refusal } from './refusal.js';

export interface RosterLoad extends LoadCounts {
  rejected: number;
  rejectedLines: RosterResult['rejected'];
}

export function createStudents(kit: Kit) {
  /** Upserts by student number in one transaction; with `replace`, students not given are marked inactive. */
  const upsert = (students: Iterable<Student>, replace: boolean): Promise<LoadCounts> =>
    kit.write('students:load', () => upsertStudents(kit.db(), students, replace));

  return {
    upsert,

    /** Loads a SIS export; `headers` names the columns that are not headed as the fields are. */
    async load(file: string, options: { headers?: Partial<Record<RosterField, string>>; replace: boolean }): Promise<RosterLoad> {
      let roster: RosterResult;
      try {
        roster = await readRoster(file, options.headers ?? {});
      } catch (e) {
        throw new Refusal(`cannot read ${file}: ${(e as Error).message}`);
      }
      const counts = await upsert(roster.students, options.replace);
      return { ...counts, rejected: roster.rejected.length, rejectedLines: roster.rejected };
    },

    /** Every student with this State ID, with their records and each change's run or action. */
    stories: (stateId: string): StudentStory[] => studentStories(kit.db(), stateId),
  };
}
