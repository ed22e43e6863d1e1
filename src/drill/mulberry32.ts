/**
 * mulberry32, a small seeded PRNG (Tommy Ettinger's, public domain): 32 bits of state, a period
 * of 2^32, and the same sequence on every platform. Good enough for fault schedules and jitter;
 * not for anything secret.
 *
 * @example
 * const random = mulberry32(hashSeed(42, 'engine'));
 * random(); // 0.6011037519201636, every time
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 32-bit seed derived from `parts` (FNV-1a over their text, then one mulberry32 round to spread
 * the bits), so that every (seed, agent, call) gets its own independent stream.
 */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = `${part}\u0000`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return Math.floor(mulberry32(h)() * 4294967296) >>> 0;
}
