/**
 * What one step of a run writes, computed from plain values: the run's transition (which step
 * it is about, how a step or a child ended), its next row (status, the steps view, the output of
 * a run that ended), and its timers. Pure, like the task lifecycle's `recordStep`.
 * @module
 */
import { iso } from '../clock/iso.js';
import type { TimerChange } from '../lifecycle/StepRecorder.js';
import type { LiveRecord } from '../lifecycle/taskRecord.js';
import type { RunStepView, Transition } from '../lifecycle/types.js';
import { FINAL_RUN_STATES, type RunContext, type RunEvent, RUN_STATUS_OF, type RunStateName } from './runMachine.js';

/** The facts of one step of a run. */
export interface RunStepFacts {
  record: LiveRecord;
  from: string;
  to: string;
  before: RunContext;
  context: RunContext;
  event: RunEvent;
  snapshot: unknown;
  detail?: Transition['detail'];
  now: number;
}

/** What a run's step commits. */
export interface RecordedRunStep {
  transition: Transition;
  record: LiveRecord;
  timers: TimerChange[];
  final: boolean;
}

/** The task id of a run's child: `<run>.<step>`, or `<run>.<step>.<index>` under forEach. */
export function childTaskId(runId: string, step: string, index: number, forEach: boolean): string {
  return forEach ? `${runId}.${step}.${index}` : `${runId}.${step}`;
}

/** The steps as the API shows them: status, tasks launched so far, and the error of a failed step. */
export function stepsView(runId: string, ctx: RunContext): Record<string, RunStepView> {
  const view: Record<string, RunStepView> = {};
  for (const [id, p] of Object.entries(ctx.progress)) {
    const forEach = ctx.steps[id]?.forEach ?? false;
    const taskIds = Array.from({ length: p.launched }, (_, i) => childTaskId(runId, id, i, forEach));
    view[id] = { status: p.status, taskIds, ...(p.error ? { error: p.error } : {}) };
  }
  return view;
}

/**
 * Whether an event changed nothing worth a row: the machine took it (its catch-all clears the
 * commands) but no state, step or command moved.
 */
export function isNoOp(f: Pick<RunStepFacts, 'from' | 'to' | 'before' | 'context' | 'event'>): boolean {
  return (
    f.event.type !== 'RECOVERED' &&
    f.from === f.to &&
    f.before.progress === f.context.progress &&
    f.context.launch.length === 0 &&
    f.context.abort.length === 0
  );
}

/** Records one step of a run. */
export function recordRunStep(f: RunStepFacts): RecordedRunStep {
  const { event, context: ctx } = f;
  const seq = f.record.seq + 1;
  const at = iso(f.now);
  const t: Transition = { seq, at, from: f.from, to: f.to, event: event.type };
  const d: NonNullable<Transition['detail']> = { ...(f.detail ?? {}) };
  if ('step' in event) d.step = event.step;
  if (event.type === 'CHILD_ENDED') {
    if (ctx.steps[event.step]?.forEach) d.index = event.index;
    d.status = event.status;
  }
  if (event.type === 'STEP_RESOLVED') {
    if (event.skip) d.status = 'skipped';
    else if (ctx.steps[event.step]?.forEach) d.items = event.items ?? 0;
  }
  if (Object.keys(d).length) t.detail = d;
  if ('error' in event && event.error) t.error = event.error;

  const to = f.to as RunStateName;
  const final = FINAL_RUN_STATES.has(to);
  const record: LiveRecord = {
    ...f.record,
    seq,
    state: to,
    status: RUN_STATUS_OF[to] ?? 'running',
    updatedAt: at,
    snapshot: f.snapshot,
    steps: stepsView(f.record.id, ctx),
  };
  const timers: TimerChange[] = [];
  if (final) {
    timers.push({ kind: 'deadline', wakeAt: null });
    if ((event.type === 'OUTPUT_RESOLVED' || event.type === 'DEGRADED') && 'output' in event) record.output = event.output;
    if (ctx.error && to !== 'completed') record.error = ctx.error;
  }
  return { transition: t, record, timers, final };
}
