import type { RecoveryStrategy } from './Strategy.js';

/** Closes the agent's circuit breaker, so the next calls reach it again. */
export const resetCircuit: RecoveryStrategy = async (_step, ctx) => {
  if (!ctx.slot) return { ok: false, detail: `${ctx.component.name} has no circuit breaker` };
  const before = ctx.slot.breaker.state;
  ctx.slot.breaker.reset();
  return { ok: true, detail: `circuit ${before} → closed` };
};
