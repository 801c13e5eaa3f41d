// Arms one timer per scheduled import (next-run.ts says when, timer.ts waits) and re-arms after
// each fire. Inactive imports are not armed: `active: false` stops scheduled runs.

import type { Logger } from '../log.js';
import { nextRun, type Schedule } from './next-run.js';
import { createTimer, type Timer, type TimerClock } from './timer.js';

/** What the scheduler reads of an import. */
export interface ScheduledImport {
  name: string;
  active: boolean;
  paused: boolean;
  schedule?: Schedule;
}

export interface ScheduleDeps<H> {
  tz: string;
  clock: TimerClock<H>;
  /** A scheduled time has come for an import. */
  fire(importName: string, slot: Date): void;
  log: Logger;
}

export interface Schedules {
  /** Replaces every armed schedule with those of `imports`. */
  arm(imports: Iterable<ScheduledImport>): void;
  cancelAll(): void;
  /** The next fire time per armed import. */
  next(): Map<string, Date>;
}

export function createSchedules<H>(deps: ScheduleDeps<H>): Schedules {
  const timers = new Map<string, Timer>();

  function armOne(imp: ScheduledImport & { schedule: Schedule }, after: Date): void {
    const timer = timers.get(imp.name) ?? createTimer(deps.clock);
    timers.set(imp.name, timer);
    const at = nextRun(imp.schedule, after, deps.tz);
    timer.arm(at, (slot) => {
      armOne(imp, slot);
      deps.fire(imp.name, slot);
    });
    deps.log.info({ import: imp.name, next: at.toISOString(), ...(imp.paused ? { paused: true } : {}) }, 'schedule:armed');
  }

  const cancelAll = () => {
    for (const t of timers.values()) t.cancel();
    timers.clear();
  };

  return {
    arm(imports) {
      cancelAll();
      const now = new Date(deps.clock.now());
      for (const imp of imports) {
        if (!imp.schedule) continue;
        if (!imp.active) {
          deps.log.info({ import: imp.name }, 'schedule:inactive');
          continue;
        }
        armOne({ ...imp, schedule: imp.schedule }, now);
      }
    },
    cancelAll,
    next() {
      const out = new Map<string, Date>();
      for (const [name, t] of timers) {
        const at = t.armedFor();
        if (at) out.set(name, at);
      }
      return out;
    },
  };
}
