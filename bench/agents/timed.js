/**
 * The trivial agent, timing itself: `spentUs` holds each call's own time in µs, so the
 * benchmark can take the agent's time out of a task's latency.
 */
export const spentUs = [];
export default async function timed(req) {
  const t0 = performance.now();
  const out = { ok: true, taskId: req.taskId };
  spentUs.push((performance.now() - t0) * 1000);
  return out;
}
