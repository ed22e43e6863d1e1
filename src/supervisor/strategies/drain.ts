import type { RecoveryStrategy } from './Strategy.js';

/**
 * Takes the agent out of routing (`slot.drained`): new tasks go to the next agent of their
 * fallback chain, without spending an attempt. It goes back into routing once it passes its
 * checks again.
 */
export const drain: RecoveryStrategy = async (_step, ctx) => {
  const slot = ctx.slot;
  if (!slot) return { ok: false, detail: `${ctx.component.name} is not an agent` };
  if (slot.drained) return { ok: true, detail: 'already drained' };
  slot.drained = true;
  return {
    ok: true,
    detail: 'drained: traffic goes to the fallback chain',
    undo: () => {
      slot.drained = false;
    },
  };
};
