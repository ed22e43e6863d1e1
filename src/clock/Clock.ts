/**
 * The one source of time for the whole engine. Everything that waits, measures or
 * schedules takes a `Clock`, so tests can drive time by hand (see {@link SimulatedClock}).
 */

/** An opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/** A source of time and timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds of this clock's time. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real wall clock. Timers are `unref`'d so they never keep a process alive on their own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return t as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  },
};

/**
 * A clock on which time runs `rate` times faster than the wall clock, starting at the real now.
 * Used by end-to-end tests and drills of a real `warden serve` process (`WARDEN_CLOCK_RATE`),
 * the way Temporal's test server skips time, so no test waits out a real backoff.
 */
export function acceleratedClock(rate: number): Clock {
  if (!(rate > 0)) throw new RangeError(`clock rate must be > 0, got ${rate}`);
  if (rate === 1) return systemClock;
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) * rate,
    setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms / rate),
    clearTimeout: (h) => systemClock.clearTimeout(h),
  };
}
