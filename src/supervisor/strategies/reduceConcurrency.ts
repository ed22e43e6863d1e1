import type { RecoveryStrategy } from './Strategy.js';

/**
 * Halves the agent's bulkhead (never below 1) to take load off it; the limit it had is restored
 * once the agent is healthy again.
 */
export const reduceConcurrency: RecoveryStrategy = async (_step, ctx) => {
  const bulkhead = ctx.slot?.bulkhead;
  if (!bulkhead) return { ok: false, detail: `${ctx.component.name} is not an agent` };
  const before = bulkhead.limit;
  const after = Math.max(1, Math.floor(before / 2));
  bulkhead.setLimit(after);
  return { ok: true, detail: `concurrency ${before} → ${after}`, undo: () => bulkhead.setLimit(before) };
};
