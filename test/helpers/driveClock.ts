import type { SimulatedClock } from '../../src/clock/index.js';

/** Lets pending promise callbacks and I/O callbacks run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Drives a simulated clock until `done()` holds: lets real work settle, and only when nothing
 * moves does it jump the clock to the next timer. No real time is waited for any backoff.
 */
export async function driveUntil(clock: SimulatedClock, done: () => boolean | Promise<boolean>, maxSteps = 10_000): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    await flush();
    if (await done()) return;
    await flush();
    if (await done()) return;
    if (!clock.next()) await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error('driveUntil: gave up');
}
