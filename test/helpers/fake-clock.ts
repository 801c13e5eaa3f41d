// A clock the test moves by hand (the daemon's TimerClock): timers fire as it passes them, in order.

import type { TimerClock } from '../../src/scheduler/timer.js';

export interface FakeClock {
  clock: TimerClock<number>;
  /** Moves the clock to `iso`, running every timer due by then at its own instant. */
  advanceTo(iso: string): void;
  /** Timers armed and not yet fired or cleared. */
  pending(): number;
  /** Resolves with the delay of the next timer armed after this call. */
  nextTimer(): Promise<number>;
}

export function fakeClock(start: string): FakeClock {
  let now = Date.parse(start);
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  const waiting: ((ms: number) => void)[] = [];
  const clock: TimerClock<number> = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: next });
      for (const w of waiting.splice(0)) w(ms);
      return next++;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  return {
    clock,
    advanceTo(iso) {
      const until = Date.parse(iso);
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.fn();
      }
      now = until;
    },
    pending: () => timers.length,
    nextTimer: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
      }),
  };
}
