import type { ErrorInfo, Severity } from '../errors/index.js';
import type { SkipInfo } from './taskMachine.js';

/** Where a task is, as users see it. */
export type TaskStatus = 'queued' | 'running' | 'waiting' | 'completed' | 'degraded' | 'failed' | 'cancelled';

/** Statuses a task never leaves. */
export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['completed', 'degraded', 'failed', 'cancelled']);

/** One call to one agent. */
export interface AttemptRecord {
  agent: string;
  attempt: number;
  startedAt: string;
  endedAt?: string;
  outcome: 'running' | 'ok' | 'error';
  error?: ErrorInfo;
}

/** A task as the API shows it (CONTRACT.md section 4). */
export interface Task {
  id: string;
  workflow: string;
  status: TaskStatus;
  /** The lifecycle machine's state value. */
  state: string;
  input: unknown;
  output?: unknown;
  answeredBy?: string;
  severity?: Severity;
  /** The error that ended a degraded or failed task. */
  error?: ErrorInfo;
  attempts: AttemptRecord[];
  escalationIds: string[];
  /** Agents the task may use, in order. */
  plan: string[];
  deadlineAt: string;
  idempotencyKey?: string;
  /** `run` for a multi-step workflow; absent for a single-step task. */
  kind?: 'run';
  /** The run this task is a step of. */
  parentId?: string;
  /** The step of `parentId` this task runs. */
  step?: string;
  /** The item index of a `forEach` step's task. */
  index?: number;
  /** A run's steps: their status, tasks, output and error. */
  steps?: Record<string, RunStepView>;
  createdAt: string;
  updatedAt: string;
}

/** One step of a run, as the API shows it. */
export interface RunStepView {
  status: string;
  taskIds: string[];
  output?: unknown;
  error?: ErrorInfo;
}

/** One recorded state change of a task. */
export interface Transition {
  seq: number;
  at: string;
  from: string | null;
  to: string;
  event: string;
  agent?: string;
  attempt?: number;
  error?: ErrorInfo;
  /** Extra facts: agents skipped by routing, the retry delay, the wake time. */
  detail?: {
    skipped?: readonly SkipInfo[];
    delayMs?: number;
    wakeAt?: string;
    reason?: string;
    /** A run's transition: the step it is about, and the item of a forEach step. */
    step?: string;
    index?: number;
    /** A resolved forEach step: how many items it has. */
    items?: number;
    /** A run's transition: how the step or its task ended. */
    status?: string;
  };
}

/** A transition as it is emitted and streamed: with its task. */
export interface TransitionEvent extends Transition {
  taskId: string;
  workflow: string;
  /** A store-wide, increasing id for resuming streams (`Last-Event-ID`). */
  eventId?: number;
}
