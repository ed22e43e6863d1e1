import type { Clock, TimerHandle } from './Clock.js';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to, for deterministic tests and simulations
 * (after XState's `SimulatedClock` and sinon's fake timers).
 *
 * @example
 * const clock = new SimulatedClock(0);
 * clock.setTimeout(() => console.log('fired'), 1000);
 * clock.advance(1000); // logs "fired"
 */
export class SimulatedClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Map<number, Timer>();

  /** @param start the initial time in ms. Defaults to 0. */
  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#seq;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), fn });
    return { id } as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id?: number } | undefined)?.id;
    if (id !== undefined) this.#timers.delete(id);
  }

  /** The number of timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }

  /** The time of the earliest pending timer, or undefined. */
  nextAt(): number | undefined {
    let min: number | undefined;
    for (const t of this.#timers.values()) if (min === undefined || t.at < min) min = t.at;
    return min;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in time order. */
  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  /** Moves time to `at` (never backwards), firing due timers in order. */
  advanceTo(at: number): void {
    for (;;) {
      const due = this.#earliestDue(at);
      if (!due) break;
      this.#timers.delete(due.id);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = Math.max(this.#now, at);
  }

  /** Jumps to the earliest pending timer and fires it (and any others due then). Returns false if none. */
  next(): boolean {
    const at = this.nextAt();
    if (at === undefined) return false;
    this.advanceTo(at);
    return true;
  }

  #earliestDue(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers.values()) {
      if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.id < best.id))) best = t;
    }
    return best;
  }
}
