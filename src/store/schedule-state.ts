// Per import, the last scheduled time the daemon handled: the watermark of the start-up catch-up.

import type { Db } from './db.js';
import type { StoreWait } from './wait.js';

/** With `wait`, a watermark that finds the store busy is written once it is free (never thrown at the caller). */
export function createScheduleState(db: Db, wait?: StoreWait) {
  const mark = db.prepare(`INSERT INTO schedule_state (import, handled_at) VALUES (?, ?)
    ON CONFLICT (import) DO UPDATE SET handled_at = max(handled_at, excluded.handled_at)`);
  return {
    handledAt(importName: string): Date | null {
      const row = db.prepare('SELECT handled_at FROM schedule_state WHERE import = ?').get(importName) as
        { handled_at: string } | undefined;
      return row ? new Date(row.handled_at) : null;
    },
    /** Moves the watermark forward (never back). */
    markHandled(importName: string, at: Date): void {
      const write = () => {
        mark.run(importName, at.toISOString());
      };
      if (wait) wait.background('schedule:handled', write);
      else write();
    },
  };
}

export type ScheduleState = ReturnType<typeof createScheduleState>;
