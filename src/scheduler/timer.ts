// The one part of the scheduler that touches a clock: fire a callback at a wall-clock instant.
// next-run.ts says when; this only waits. The clock is injected so tests can drive it.
//
// setTimeout counts elapsed (monotonic) time and overflows above 2^31-1 ms (it then fires after
// 1 ms), while fire times are wall-clock instants. So the wait is cut into steps of at most
// `maxStepMs`, and each step re-reads `now()`: a timer never fires before its instant even when
// the wall clock is set back, and fires at most one step late when it jumps forward (NTP, a
// resumed VM).

export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface TimerClock<H = unknown> {
  now(): number;
  setTimeout(fn: () => void, ms: number): H;
  clearTimeout(handle: H): void;
}

export interface Timer {
  /** Calls `fn(at)` once, when `now() >= at`. Replaces whatever was armed before. */
  arm(at: Date, fn: (at: Date) => void): void;
  /** Disarms; a no-op when nothing is armed. */
  cancel(): void;
  /** The instant armed, or null. */
  armedFor(): Date | null;
}

export interface TimerOptions {
  /** The longest single wait before `now()` is read again; default one minute. */
  maxStepMs?: number;
}

export const systemClock: TimerClock<ReturnType<typeof setTimeout>> = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};

export function createTimer<H>(clock: TimerClock<H>, options: TimerOptions = {}): Timer {
  const maxStep = Math.min(Math.max(options.maxStepMs ?? 60_000, 1), MAX_TIMEOUT_MS);
  let handle: { h: H } | null = null;
  let target: { at: Date; fn: (at: Date) => void } | null = null;

  const wait = (armed: { at: Date; fn: (at: Date) => void }) => {
    const delay = Math.min(Math.max(armed.at.getTime() - clock.now(), 0), maxStep);
    handle = {
      h: clock.setTimeout(() => {
        handle = null;
        if (clock.now() < armed.at.getTime()) return wait(armed); // early: the clock moved back, or a step
        target = null;
        armed.fn(armed.at);
      }, delay),
    };
  };

  const cancel = () => {
    if (handle) clock.clearTimeout(handle.h);
    handle = null;
    target = null;
  };

  return {
    arm(at, fn) {
      if (!Number.isFinite(at.getTime())) throw new RangeError('timer: invalid date');
      cancel();
      target = { at, fn };
      wait(target);
    },
    cancel,
    armedFor: () => target?.at ?? null,
  };
}
