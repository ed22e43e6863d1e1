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

  /**
   * The run parks: it keeps only the inputs of the steps with children still to launch (costly to
   * compute again for a large forEach); results are read again when next needed.
   */
  park(runId: string, ctx: RunContext): void {
    const e = this.#runs.get(runId);
    if (!e) return;
    for (const step of e.inputs.keys()) {
      const p = ctx.progress[step];
      if (!p || p.launched >= p.items) e.inputs.delete(step);
    }
    if (e.inputs.size === 0) this.#runs.delete(runId);
    else {
      e.results.clear();
      e.loaded = false;
    }
  }

  /** How many runs have data here (for tests: a parked run keeps none unless it still launches). */
  get size(): number {
    return this.#runs.size;
  }

  /** Forgets a run (it ended). */
  forget(runId: string): void {
    this.#runs.delete(runId);
  }

  /** The steps as expressions see them: status, and the output of each ended step. */
  async stepViews(runId: string, ctx: RunContext): Promise<Record<string, StepView>> {
    // The children the run counts as ended: their results must be known (another worker may have ended them).
    const ended: string[] = [];
    for (const [id, p] of Object.entries(ctx.progress)) {
      const forEach = ctx.steps[id]?.forEach ?? false;
      for (let i = 0; i < p.launched; i++) if (!p.running.includes(i)) ended.push(childTaskId(runId, id, i, forEach));
    }
    const results = await this.#results(runId, ended);
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
   * The results of the ended children, read from the store once per run held here, and again when
   * one the run counts as ended is missing. A run that counts no child ended (a new run, or one
   * whose children all still run) needs none, so it reads nothing: on the memory store a read
   * parses every task row.
   */
  async #results(runId: string, needed: readonly string[]): Promise<Map<string, ChildResult>> {
    const e = this.#entry(runId);
    if (needed.length > 0 && (!e.loaded || needed.some((id) => !e.results.has(id)))) {
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
