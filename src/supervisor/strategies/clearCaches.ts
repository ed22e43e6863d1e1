import type { RecoveryStrategy } from './Strategy.js';

/**
 * Runs the cache clearers registered with `supervisor.addCacheClearer`, then asks V8 for a full
 * garbage collection when Node runs with `--expose-gc` (otherwise V8 decides, and says so).
 */
export const clearCaches: RecoveryStrategy = async (_step, ctx) => {
  let cleared = 0;
  for (const clear of ctx.cacheClearers) {
    await clear();
    cleared++;
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return { ok: true, detail: `${cleared} cache(s) cleared; ${gc ? 'garbage collected' : 'no gc hint (run node with --expose-gc)'}` };
};
