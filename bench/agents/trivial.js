/**
 * The benchmark's trivial agent: answers at once. Warden calls it through a `module` adapter, the
 * bare-XState baseline calls the same function directly.
 * @param {{ taskId: string }} req
 */
export default async function trivial(req) {
  return { ok: true, taskId: req.taskId };
}
