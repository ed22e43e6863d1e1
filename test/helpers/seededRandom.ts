/**
 * A seeded random source for the tests that draw random numbers (when to kill a process, which
 * worker to kill, how long an agent takes). The seed comes from WARDEN_TEST_SEED, or is drawn
 * fresh; either way it is printed, so a failing run can be replayed with
 * `WARDEN_TEST_SEED=<seed> npx vitest run <file>`. A replay repeats every random choice the test
 * makes; what the operating system schedules around them can still differ.
 */
export interface SeededRandom {
  readonly seed: number;
  /** A number in [0, 1), as `Math.random()`. */
  next(): number;
  /** A whole number in [0, n). */
  below(n: number): number;
}

/** The seed of WARDEN_TEST_SEED, or a fresh one when it is unset. */
function seedFromEnv(): number {
  const raw = process.env.WARDEN_TEST_SEED;
  if (raw === undefined || raw === '') return Math.floor(Math.random() * 2 ** 32);
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw new Error(`WARDEN_TEST_SEED must be a whole number below 2^32; got "${raw}"`);
  return seed;
}

/** A random source for the test named `label`; prints its seed. */
export function seededRandom(label: string): SeededRandom {
  const seed = seedFromEnv();
  console.info(`${label}: WARDEN_TEST_SEED=${seed}`);
  // mulberry32: small, fast and good enough to spread timings; not for anything secret.
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return { seed, next, below: (n) => Math.floor(next() * n) };
}
