import type { RecoveryStrategy } from './Strategy.js';

/**
 * Restarts the agent's managed process (SIGTERM, SIGKILL after its `stopTimeoutMs`) and succeeds
 * once it runs again. The restart counts towards the restart intensity; when a restart is already
 * pending (the process exited) it waits for that one instead of starting another.
 */
export const restartProcess: RecoveryStrategy = async (_step, ctx) => {
  const proc = ctx.process;
  if (!proc) return { ok: false, detail: `${ctx.component.name} has no managed process` };
  await proc.restart(`strategy ${ctx.index}: restart-process`);
  return { ok: true, detail: `process restarted (pid ${proc.pid})` };
};
