/**
 * The recovery benchmark's slow agent, run inside `warden serve`: it prints `seen <taskId>` on
 * stdout for every call, so the benchmark knows when a task is running again, and never answers.
 */
const never = new Promise(() => {});
export default function slow(req) {
  process.stdout.write(`seen ${req.taskId}\n`);
  return never;
}
