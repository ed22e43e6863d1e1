/**
 * What a run's expressions read, kept in memory while the run has work here: the inputs of each
 * step's children (computed when the step is resolved, read when each child is launched) and the
 * results of its ended children (their status, output and error). Everything here can be rebuilt
 * from the store, so a restarted or parked run loses nothing by its absence: inputs are computed
 * again (the expressions are deterministic over the same data), results are read again.
 * @module
 */
import type { Store, TaskRecord } from '../store/Store.js';
import type { StepView } from './expressions.js';
import type { RunContext } from './runMachine.js';
import { childTaskId } from './recordRunStep.js';

/** An ended child, as the steps after it see it. */
export interface ChildResult {
  status: string;
  output?: unknown;
  error?: TaskRecord['error'];
}

interface RunEntry {
  /** The children's inputs, by step, in item order. */
  inputs: Map<string, unknown[]>;
  /** Ended children by task id; complete once `loaded`. */
  results: Map<string, ChildResult>;
  loaded: boolean;
}

/** The in-memory data of the runs this engine holds. */
export class RunData {
  readonly #runs = new Map<string, RunEntry>();

  constructor(private readonly store: Pick<Store, 'listTasks'>) {}

  #entry(runId: string): RunEntry {
    let e = this.#runs.get(runId);
    if (!e) this.#runs.set(runId, (e = { inputs: new Map(), results: new Map(), loaded: false }));
    return e;
  }

  /** Keeps the inputs of a resolved step's children. */
  setInputs(runId: string, step: string, inputs: unknown[]): void {
    this.#entry(runId).inputs.set(step, inputs);
  }

  /** The inputs of a step's children, if kept. */
  inputs(runId: string, step: string): unknown[] | undefined {
    return this.#runs.get(runId)?.inputs.get(step);
  }

  /** A child ended: its result is what the steps after it read. */
  childEnded(child: TaskRecord): void {
    if (child.parentId === undefined) return;
    const e = this.#runs.get(child.parentId);
    e?.results.set(child.id, resultOf(child));
  }

  /** Forgets a run (it ended). */
  forget(runId: string): void {
    this.#runs.delete(runId);
  }

  /** The steps as expressions see them: status, and the output of each ended step. */
  async stepViews(runId: string, ctx: RunContext): Promise<Record<string, StepView>> {
    const results = await this.#results(runId, ctx);
    const views: Record<string, StepView> = {};
    for (const [id, p] of Object.entries(ctx.progress)) {
      const forEach = ctx.steps[id]?.forEach ?? false;
      const outputs = Array.from({ length: p.launched }, (_, i) => results.get(childTaskId(runId, id, i, forEach))?.output);
      const output = p.status === 'skipped' || p.status === 'pending' ? undefined : forEach ? outputs : outputs[0];
      views[id] = { status: p.status, ...(output !== undefined ? { output } : {}), ...(p.error ? { error: p.error } : {}) };
    }
    return views;
  }

  /**
   * Every ended child's result, read from the store once per run held here. A run that has
   * launched nothing yet has no child in the store to read (children are created by the run's
   * own commits), so a new run skips the read: on the memory store it parses every row.
   */
  async #results(runId: string, ctx: RunContext): Promise<Map<string, ChildResult>> {
    const e = this.#entry(runId);
    if (!e.loaded && Object.values(ctx.progress).every((p) => p.launched === 0)) e.loaded = true;
    if (!e.loaded) {
      for (const child of await this.store.listTasks({ parent: runId, limit: Number.MAX_SAFE_INTEGER })) {
        if (!e.results.has(child.id) && isEnded(child)) e.results.set(child.id, resultOf(child));
      }
      e.loaded = true;
    }
    return e.results;
  }
}

const ENDED = new Set(['completed', 'degraded', 'failed', 'cancelled']);
const isEnded = (t: TaskRecord) => ENDED.has(t.status);

function resultOf(child: TaskRecord): ChildResult {
  return {
    status: child.status,
    ...(child.output !== undefined ? { output: child.output } : {}),
    ...(child.error ? { error: child.error } : {}),
  };
}
