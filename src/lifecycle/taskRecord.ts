/**
 * The task row as the interpreter keeps it, and the small pure helpers over it: the status of
 * a machine state, the public shape of a row, and how attempts and failures are recorded.
 * @module
 */
import type { AnyActorRef } from 'xstate';
import { iso } from '../clock/iso.js';
import type { Workflow } from '../config/index.js';
import type { ErrorInfo } from '../errors/index.js';
import { hashJson } from './canonicalJson.js';
import type { TaskRecord } from '../store/Store.js';
import type { FailureInfo } from './taskMachine.js';
import type { AttemptRecord, Task, TaskStatus, Transition } from './types.js';

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
  const { snapshot: _s, inputHash: _h, seq: _q, spec: _p, ...task } = rec as TaskRecord & { seq?: number };
  return structuredClone(task);
}

/** Where a new task comes from: its id, input and deadline, and for a run's step, the run. */
export interface TaskOrigin {
  id: string;
  input: unknown;
  /** Engine time of the creation. */
  now: number;
  deadlineAt: number;
  idempotencyKey?: string;
  /** A run's step task: the run, the step, the forEach item, and what the step runs (`<workflow>#<step>`). */
  parentId?: string;
  step?: string;
  index?: number;
  spec?: string;
}

/** A new task: its first row and transition, and its started actor. */
export interface NewLiveTask {
  record: LiveRecord;
  actor: AnyActorRef;
  first: Transition;
}

/** The fields of a new row that every kind of task shares. */
export function originFields(wf: Workflow, o: TaskOrigin): Omit<LiveRecord, 'plan' | 'snapshot'> {
  return {
    id: o.id,
    workflow: wf.name,
    status: 'queued',
    state: 'queued',
    input: o.input,
    attempts: [],
    escalationIds: [],
    deadlineAt: iso(o.deadlineAt),
    ...(o.idempotencyKey !== undefined ? { idempotencyKey: o.idempotencyKey } : {}),
    ...(o.parentId !== undefined ? { parentId: o.parentId } : {}),
    ...(o.step !== undefined ? { step: o.step } : {}),
    ...(o.index !== undefined ? { index: o.index } : {}),
    ...(o.spec !== undefined ? { spec: o.spec } : {}),
    createdAt: iso(o.now),
    updatedAt: iso(o.now),
    inputHash: hashJson({ workflow: wf.name, input: o.input }),
    seq: 1,
  };
}

/** The first transition of every task. */
export const firstTransition = (now: number): Transition => ({ seq: 1, at: iso(now), from: null, to: 'queued', event: 'SUBMIT' });
