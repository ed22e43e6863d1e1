import type { SimulatedClock } from '../../src/clock/index.js';

/** Lets pending promise callbacks and I/O callbacks run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** Anything that can say when it has nothing left to do until time passes (an Engine). */
export interface Settles {
  settled(): Promise<void>;
}

/**
 * Drives a simulated clock until `done()` holds: lets the engines settle (every step committed,
 * durable stores included), and only then jumps the clock to the next timer. No real time is
 * waited for any backoff, breaker or deadline.
 */
export async function driveUntil(
  clock: SimulatedClock,
  done: () => boolean | Promise<boolean>,
  engines: readonly Settles[] = [],
  maxSteps = 10_000,
): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    await settle(engines);
    if (await done()) return;
    await settle(engines);
    if (await done()) return;
    if (!clock.next()) await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error('driveUntil: gave up');
}

/** Waits until every engine has settled. */
export async function settle(engines: readonly Settles[]): Promise<void> {
  await flush();
  for (const e of engines) await e.settled();
  await flush();
}
