// The timer adapter with a fake clock (vitest fake timers): it fires once, at its instant, never
// early, across setTimeout's 2^31-1 ms limit and wall-clock jumps.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTimer, MAX_TIMEOUT_MS, type TimerClock, type TimerOptions } from '../src/scheduler/timer.js';

const T0 = Date.parse('2026-09-01T12:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A timer on vitest's fake clock, recording every delay it asks setTimeout for. */
function fakeTimer(options?: TimerOptions) {
  const delays: number[] = [];
  const clock: TimerClock<ReturnType<typeof setTimeout>> = {
    now: () => Date.now(),
    setTimeout: (fn, ms) => {
      delays.push(ms);
      // Node would run an overflowing delay after 1 ms; fail loudly instead of spinning.
      if (ms > MAX_TIMEOUT_MS) throw new RangeError(`setTimeout delay ${ms} ms over the limit`);
      return setTimeout(fn, ms);
    },
    clearTimeout: (h) => clearTimeout(h),
  };
  const fired: number[] = [];
  const fn = vi.fn((at: Date) => {
    fired.push(Date.now());
    return at;
  });
  return { timer: createTimer(clock, options), delays, fired, fn };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createTimer', () => {
  it('fires once, at the time, with the instant it was armed for', () => {
    const { timer, fired, fn } = fakeTimer();
    const at = new Date(T0 + 90_000);
    timer.arm(at, fn);
    expect(timer.armedFor()).toEqual(at);
    vi.advanceTimersByTime(89_999);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith(at);
    expect(fired).toEqual([T0 + 90_000]);
    expect(timer.armedFor()).toBeNull();
    vi.advanceTimersByTime(10 * DAY);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('fires at once (on the next turn) for an instant already past', () => {
    const { timer, fn } = fakeTimer();
    timer.arm(new Date(T0 - HOUR), fn);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it.each([
    // 40 days of one-minute steps; or the longest wait setTimeout takes (about 24.9 days), then the rest.
    ['one-minute steps (default)', undefined, 40 * 24 * 60],
    ['the longest steps setTimeout takes', { maxStepMs: Number.POSITIVE_INFINITY }, 2],
  ])('waits 40 days (over the 2^31-1 ms limit) and fires then, not early: %s', (_label, options, steps) => {
    const { timer, delays, fired, fn } = fakeTimer(options);
    const at = T0 + 40 * DAY;
    expect(40 * DAY).toBeGreaterThan(MAX_TIMEOUT_MS);
    timer.arm(new Date(at), fn);
    vi.advanceTimersByTime(MAX_TIMEOUT_MS + 1); // where an overflowing setTimeout would long have fired
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(at - Date.now() - 1);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([at]);
    expect(delays).toHaveLength(steps);
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_TIMEOUT_MS);
  });

  it('cancel stops it', () => {
    const { timer, fn } = fakeTimer();
    timer.arm(new Date(T0 + HOUR), fn);
    vi.advanceTimersByTime(30 * MIN);
    timer.cancel();
    expect(timer.armedFor()).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(2 * DAY);
    expect(fn).not.toHaveBeenCalled();
    timer.cancel(); // a second cancel is harmless
  });

  it('arming again replaces the earlier instant', () => {
    const { timer, fired, fn } = fakeTimer();
    timer.arm(new Date(T0 + HOUR), fn);
    timer.arm(new Date(T0 + 2 * HOUR), fn);
    vi.advanceTimersByTime(3 * HOUR);
    expect(fired).toEqual([T0 + 2 * HOUR]);
  });

  it('can be armed again from inside its own callback (how a schedule re-arms)', () => {
    const { timer, fired } = fakeTimer();
    const rearm = (at: Date) => {
      fired.push(Date.now());
      if (fired.length < 3) timer.arm(new Date(at.getTime() + DAY), rearm);
    };
    timer.arm(new Date(T0 + HOUR), rearm);
    vi.advanceTimersByTime(5 * DAY);
    expect(fired).toEqual([T0 + HOUR, T0 + HOUR + DAY, T0 + HOUR + 2 * DAY]);
    expect(timer.armedFor()).toBeNull();
  });

  it.each([
    ['one-minute steps (default)', undefined],
    ['one long step', { maxStepMs: Number.POSITIVE_INFINITY }],
  ])('does not fire early when the wall clock jumps backwards: %s', (_label, options) => {
    const { timer, fired, fn } = fakeTimer(options);
    const at = T0 + HOUR;
    timer.arm(new Date(at), fn);
    vi.advanceTimersByTime(30 * MIN); // wall: T0 + 30 min
    // The wall clock is set back 90 minutes; pending setTimeouts keep their elapsed-time deadlines.
    vi.setSystemTime(T0 - HOUR);
    vi.advanceTimersByTime(2 * HOUR - 1); // elapsed 2.5 h since arming, wall 1 ms before `at`
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([at]);
  });

  it('when the wall clock jumps forward past the instant, fires within one step', () => {
    const { timer, fired, fn } = fakeTimer();
    timer.arm(new Date(T0 + 2 * HOUR), fn);
    vi.setSystemTime(T0 + 3 * HOUR); // e.g. a resumed VM: no elapsed time, the wall clock moved on
    vi.advanceTimersByTime(MIN);
    expect(fired).toEqual([T0 + 3 * HOUR + MIN]);
  });

  it('refuses an invalid date', () => {
    const { timer, fn } = fakeTimer();
    expect(() => timer.arm(new Date(Number.NaN), fn)).toThrow(RangeError);
  });
});
