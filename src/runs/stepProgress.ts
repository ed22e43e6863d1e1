/**
 * The progress of a run's steps, and the pure moves of the run machine over it: which steps
 * become ready, which children to launch or abort, how a step's children add up to its status.
 *
 * Everything here works on copies and returns the changed parts, as `assign` needs. The progress
 * of a step is a handful of small numbers whatever its item count (the children still running
 * are at most `maxParallel`), and it never holds an output: the interpreter reads those from the
 * children's task rows.
 * @module
 */
import type { ErrorInfo } from '../errors/index.js';

/**
 * Where a step is:
 * - `pending`: some of its `needs` have not ended;
 * - `ready`: they have, and the interpreter is evaluating its `when` and `forEach`;
 * - `running`: its children are running;
 * - `completed`, `degraded`, `failed`: ended, from its children (see {@link stepOutcome});
 * - `skipped`: its `when` was false;
 * - `cancelled`: the run ended before the step could.
 */
export type StepStatus = 'pending' | 'ready' | 'running' | 'completed' | 'degraded' | 'failed' | 'skipped' | 'cancelled';

/** How a child task ended. A cancelled child counts as degraded for its step. */
export type ChildStatus = 'completed' | 'degraded' | 'failed' | 'cancelled';

/** The statuses of a step that has ended. */
export const ENDED_STEP_STATUSES: ReadonlySet<StepStatus> = new Set(['completed', 'degraded', 'failed', 'skipped', 'cancelled']);

/** What the run machine needs to know of a step (from the compiled workflow). */
export interface RunStepSpec {
  /** The steps that must end before this one starts. */
  readonly needs: readonly string[];
  /** `fail`: a failure of this step ends the run; `continue`: later steps still run. */
  readonly onFailure: 'fail' | 'continue';
  /** Whether the step has a `forEach`: only then does `STEP_RESOLVED.items` count. */
  readonly forEach: boolean;
  /** Children of the step running at once. */
  readonly maxParallel: number;
}

/** One child of a step: index 0 for a plain step, the item's index under `forEach`. */
export interface ChildRef {
  readonly step: string;
  readonly index: number;
}

/** The progress of one step. */
export interface StepProgress {
  readonly status: StepStatus;
  /** How many children the step has: 1 for a plain step, the item count under `forEach`; 0 until resolved. */
  readonly items: number;
  /** Children launched so far; they are indices `0 … launched - 1`, launched in item order. */
  readonly launched: number;
  /** Indices launched and not yet ended: never more than `maxParallel`. */
  readonly running: readonly number[];
  /** Children that ended failed. */
  readonly failed: number;
  /** Children that ended degraded or cancelled. */
  readonly degraded: number;
  /** The step's first failure: a child's error, or the refusal of one of its expressions. */
  readonly error?: ErrorInfo;
}

/** The parts of the run machine's context that the moves below read and change. */
export interface RunProgress {
  readonly steps: Readonly<Record<string, RunStepSpec>>;
  readonly progress: Readonly<Record<string, StepProgress>>;
  /** Children to start with this transition. */
  readonly launch: readonly ChildRef[];
  /** Running children to cancel with this transition. */
  readonly abort: readonly ChildRef[];
}

/** What a move changes. */
export type ProgressChange = Pick<RunProgress, 'progress' | 'launch' | 'abort'>;

const PENDING: StepProgress = Object.freeze({ status: 'pending', items: 0, launched: 0, running: [], failed: 0, degraded: 0 });

/** Every step `pending`, nothing launched. */
export function initialProgress(steps: Readonly<Record<string, RunStepSpec>>): Record<string, StepProgress> {
  return Object.fromEntries(Object.keys(steps).map((id) => [id, PENDING]));
}

/**
 * The status of a step whose children have all ended: any failed → `failed`, else any degraded
 * or cancelled → `degraded`, else `completed` (so too a `forEach` over no items).
 */
export function stepOutcome(progress: Pick<StepProgress, 'failed' | 'degraded'>): 'completed' | 'degraded' | 'failed' {
  if (progress.failed > 0) return 'failed';
  return progress.degraded > 0 ? 'degraded' : 'completed';
}

/** A mutable copy of the progress, for one move. */
class Draft {
  readonly progress: Record<string, StepProgress>;
  readonly launch: ChildRef[];
  readonly abort: ChildRef[];

  constructor(readonly run: RunProgress) {
    this.progress = { ...run.progress };
    this.launch = [...run.launch];
    this.abort = [...run.abort];
  }

  get(step: string): StepProgress {
    return this.progress[step] ?? PENDING;
  }

  set(step: string, change: Partial<StepProgress>): void {
    this.progress[step] = { ...this.get(step), ...change };
  }

  /** Launches the step's next children, in item order, while it has items left and room under maxParallel. */
  fill(step: string): void {
    const maxParallel = this.run.steps[step]?.maxParallel ?? 1;
    const p = this.get(step);
    let { launched } = p;
    const running = [...p.running];
    while (launched < p.items && running.length < maxParallel) {
      this.launch.push({ step, index: launched });
      running.push(launched);
      launched += 1;
    }
    this.set(step, { launched, running });
  }

  /** Ends a step whose children have all ended, then readies the steps that waited for it. */
  settle(step: string): void {
    const p = this.get(step);
    if (p.status !== 'running' || p.running.length > 0 || p.launched < p.items) return;
    this.set(step, { status: stepOutcome(p) });
    this.unblock();
  }

  /** Marks `ready` every pending step whose needs have all ended; a failure under "fail" never gets here. */
  unblock(): void {
    for (const [id, spec] of Object.entries(this.run.steps)) {
      if (this.get(id).status !== 'pending') continue;
      if (spec.needs.every((need) => ENDED_STEP_STATUSES.has(this.get(need).status))) this.set(id, { status: 'ready' });
    }
  }

  /** Aborts the step's running children. */
  abortChildren(step: string): void {
    for (const index of this.get(step).running) this.abort.push({ step, index });
    this.set(step, { running: [] });
  }

  done(): ProgressChange {
    return { progress: this.progress, launch: this.launch, abort: this.abort };
  }
}

/** No commands: the start of every event. */
export function clearCommands(): Pick<RunProgress, 'launch' | 'abort'> {
  return { launch: [], abort: [] };
}

/** The run starts: the steps that need nothing become `ready`. */
export function startSteps(run: RunProgress): ProgressChange {
  const draft = new Draft(run);
  draft.unblock();
  return draft.done();
}

/**
 * The interpreter's answer for a `ready` step: skipped, or running with its children (one for a
 * plain step, `items` under `forEach`; none at all completes it at once).
 */
export function resolveStep(run: RunProgress, step: string, skip: boolean, items: number | undefined): ProgressChange {
  const draft = new Draft(run);
  if (skip) {
    draft.set(step, { status: 'skipped' });
    draft.unblock();
    return draft.done();
  }
  const count = run.steps[step]?.forEach ? Math.max(0, Math.floor(items ?? 1)) : 1;
  draft.set(step, { status: 'running', items: count });
  draft.fill(step);
  draft.settle(step);
  return draft.done();
}

/** An expression of the step failed: the step fails with that error, its running children aborted. */
export function refuseStep(run: RunProgress, step: string, error: ErrorInfo): ProgressChange {
  const draft = new Draft(run);
  draft.abortChildren(step);
  draft.set(step, { status: 'failed', error });
  if (run.steps[step]?.onFailure === 'continue') draft.unblock();
  return draft.done();
}

/**
 * A child ended. Under `onFailure: "fail"` its failure fails the step at once (the run leaves,
 * aborting the rest); otherwise the step launches its next child, and ends once all have.
 */
export function endChild(run: RunProgress, child: ChildRef, status: ChildStatus, error: ErrorInfo | undefined): ProgressChange {
  const draft = new Draft(run);
  const p = draft.get(child.step);
  draft.set(child.step, {
    running: p.running.filter((i) => i !== child.index),
    failed: p.failed + (status === 'failed' ? 1 : 0),
    degraded: p.degraded + (status === 'degraded' || status === 'cancelled' ? 1 : 0),
    ...(status === 'failed' && p.error === undefined && error !== undefined ? { error } : {}),
  });
  if (status === 'failed' && run.steps[child.step]?.onFailure !== 'continue') {
    draft.abortChildren(child.step);
    draft.set(child.step, { status: 'failed' });
    return draft.done();
  }
  draft.fill(child.step);
  draft.settle(child.step);
  return draft.done();
}

/** True when the child is running, so its end counts; a repeated or unknown end is not. */
export function isRunningChild(run: Pick<RunProgress, 'progress'>, child: ChildRef): boolean {
  const p = run.progress[child.step];
  return p?.status === 'running' && p.running.includes(child.index);
}

/** The run is ending early: every running child aborted, every step that has not ended cancelled. */
export function stopSteps(run: RunProgress): ProgressChange {
  const draft = new Draft(run);
  for (const id of Object.keys(run.steps)) {
    draft.abortChildren(id);
    if (!ENDED_STEP_STATUSES.has(draft.get(id).status)) draft.set(id, { status: 'cancelled' });
  }
  return draft.done();
}

/** The step whose failure ends the run (one failed under `onFailure: "fail"`), if any. */
export function failingStep(run: Pick<RunProgress, 'steps' | 'progress'>): string | undefined {
  return Object.keys(run.steps).find((id) => run.progress[id]?.status === 'failed' && run.steps[id]?.onFailure !== 'continue');
}

/** True when every step has ended. */
export function allStepsEnded(run: Pick<RunProgress, 'steps' | 'progress'>): boolean {
  return Object.keys(run.steps).every((id) => ENDED_STEP_STATUSES.has(run.progress[id]?.status ?? 'pending'));
}

/** True when every step completed or was skipped: the run completes rather than degrades. */
export function allStepsClean(run: Pick<RunProgress, 'steps' | 'progress'>): boolean {
  return Object.keys(run.steps).every((id) => {
    const status = run.progress[id]?.status;
    return status === 'completed' || status === 'skipped';
  });
}
