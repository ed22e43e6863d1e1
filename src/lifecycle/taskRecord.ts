/**
 * The task row as the interpreter keeps it, and the small pure helpers over it: the status of
 * a machine state, the public shape of a row, and how attempts and failures are recorded.
 * @module
 */
import type { ErrorInfo } from '../errors/index.js';
import type { TaskRecord } from '../store/Store.js';
import type { FailureInfo } from './taskMachine.js';
import type { AttemptRecord, Task, TaskStatus } from './types.js';

/** A task row held by the interpreter: always versioned by the seq of its last transition. */
export type LiveRecord = TaskRecord & { seq: number };

/** The status users see for each state of the task machine. */
export const STATUS_OF: Readonly<Record<string, TaskStatus>> = {
  queued: 'queued',
  routing: 'running',
  attempting: 'running',
  validating: 'running',
  degrading: 'running',
  waiting: 'waiting',
  completed: 'completed',
  degraded: 'degraded',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** Puts `a` into `list` in place of the same call (agent, attempt, start), or appends it. */
export function upsertAttempt(list: AttemptRecord[], a: AttemptRecord): void {
  const i = list.findIndex((x) => x.agent === a.agent && x.attempt === a.attempt && x.startedAt === a.startedAt);
  if (i >= 0) list[i] = a;
  else list.push(a);
}

/** A copy of `list` with `a` upserted; `list` is left as it was. */
export function withAttempt(list: readonly AttemptRecord[], a: AttemptRecord): AttemptRecord[] {
  const copy = list.slice();
  upsertAttempt(copy, a);
  return copy;
}

/** The classified error of a failure, without where it happened. */
export function stripFailure(f: FailureInfo): ErrorInfo {
  const { agent: _a, attempt: _n, ...info } = f;
  return info;
}

/** The public shape of a stored task. */
export function toTask(rec: TaskRecord): Task {
  const { snapshot: _s, inputHash: _h, seq: _q, ...task } = rec as TaskRecord & { seq?: number };
  return structuredClone(task);
}
