/**
 * The one compile step of a multi-step workflow: from the parsed workflow to the normalized form
 * the engine runs, with every expression compiled, the steps in topological order and what each
 * step runs spelled out. Everything wrong within the workflow itself (a JSONata syntax error, a
 * step in `needs` that does not exist, a cycle) is reported here, at load; references to agents
 * and other workflows are checked with the config (`checkWorkflows`).
 * @module
 */
import { forEachCycle } from '../config/cycles.js';
import { type ExpressionLimitsConfig, expressionLimitsSchema } from '../config/expressionLimitsSchema.js';
import type { MultiStepWorkflow, Step, StepKind } from '../config/schema.js';
import { type CompiledExpression, type ExpressionField, compileExpression } from './expressions.js';
import type { RunMachineInput } from './runMachine.js';

/** A step, normalized: what it runs, its expressions compiled, its defaults filled in. */
export type CompiledStep = Omit<Step, 'agent' | 'capability' | 'workflow' | 'input' | 'when' | 'forEach' | 'description'> & {
  readonly id: string;
  /** What the step runs: an agent, a capability, or a workflow. */
  readonly kind: StepKind;
  /** The agent id, the capability, or the workflow name. */
  readonly target: string;
  /** The step's input; absent: the run's input. */
  readonly input?: CompiledExpression;
  readonly when?: CompiledExpression;
  readonly forEach?: CompiledExpression;
};

/** A multi-step workflow, compiled. */
export interface CompiledRun {
  readonly workflow: string;
  /** The step ids in topological order: each after every step it needs, declaration order otherwise. */
  readonly order: readonly string[];
  /** The steps by id, in {@link order}. */
  readonly steps: Readonly<Record<string, CompiledStep>>;
  /** The run's output; absent: `{ <stepId>: output }` of every step. */
  readonly output?: CompiledExpression;
  /** The budget of each evaluation of the run's expressions, defaults filled in. */
  readonly limits: ExpressionLimitsConfig;
}

/** Something wrong within a workflow, at a path of the workflow file. */
export interface RunProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

const FIELDS = ['input', 'when', 'forEach'] as const satisfies readonly ExpressionField[];

/**
 * Compiles a multi-step workflow, or lists everything wrong within it.
 *
 * @example
 * const { run, problems } = compileRun(workflow);
 * if (run) createActor(runMachine, { input: runMachineInput(run, { runId, deadlineAt, hasDegraded: false }) });
 */
export function compileRun(workflow: MultiStepWorkflow): { run?: CompiledRun; problems: RunProblem[] } {
  const problems: RunProblem[] = [];
  const ids = Object.keys(workflow.steps);
  const compile = (source: string | undefined, at: readonly PropertyKey[], field: ExpressionField, step?: string) => {
    if (source === undefined) return undefined;
    const result = compileExpression(source, { step, field });
    if (result.ok) return result.expression;
    problems.push({ path: at, message: result.message });
    return undefined;
  };

  const steps: Record<string, CompiledStep> = {};
  for (const [id, step] of Object.entries(workflow.steps)) {
    step.needs.forEach((need, i) => {
      if (!Object.hasOwn(workflow.steps, need))
        problems.push({ path: ['steps', id, 'needs', i], message: `unknown step "${need}" (steps: ${ids.join(', ')})` });
    });
    const { agent, capability, workflow: child, input, when, forEach, description: _, ...rest } = step;
    const kind: StepKind = agent !== undefined ? 'agent' : capability !== undefined ? 'capability' : 'workflow';
    const compiled: CompiledStep = { ...rest, id, kind, target: agent ?? capability ?? child ?? '' };
    const expressions = { input, when, forEach };
    for (const field of FIELDS) {
      const expression = compile(expressions[field], ['steps', id, field], field, id);
      if (expression) Object.assign(compiled, { [field]: expression });
    }
    steps[id] = compiled;
  }
  const output = compile(workflow.output, ['output'], 'output');

  const needsOf = (id: string) => (workflow.steps[id]?.needs ?? []).filter((need) => Object.hasOwn(workflow.steps, need));
  forEachCycle(ids, needsOf, (cycle) => problems.push({ path: ['steps', cycle[0]!, 'needs'], message: `cycle ${cycle.join(' → ')}` }));

  if (problems.length) return { problems };
  const order = topologicalOrder(ids, needsOf);
  return {
    run: {
      workflow: workflow.name,
      order,
      steps: Object.fromEntries(order.map((id) => [id, steps[id]!])),
      ...(output ? { output } : {}),
      limits: workflow.expressions ?? expressionLimitsSchema.parse({}),
    },
    problems,
  };
}

/** Each node after every node it needs, in the given order otherwise. The graph must be acyclic. */
function topologicalOrder(ids: readonly string[], needsOf: (id: string) => readonly string[]): string[] {
  const placed = new Set<string>();
  const order: string[] = [];
  while (order.length < ids.length) {
    const next = ids.find((id) => !placed.has(id) && needsOf(id).every((need) => placed.has(need)));
    if (next === undefined) throw new Error('topologicalOrder: the graph has a cycle');
    placed.add(next);
    order.push(next);
  }
  return order;
}

/**
 * The run machine's input for a compiled run.
 *
 * @example
 * createActor(runMachine, { input: runMachineInput(run, { runId: 'r1', deadlineAt: now + 600_000, hasDegraded: true }) });
 */
export function runMachineInput(run: CompiledRun, opts: Pick<RunMachineInput, 'runId' | 'deadlineAt' | 'hasDegraded'>): RunMachineInput {
  const steps = Object.fromEntries(
    run.order.map((id) => {
      const step = run.steps[id]!;
      return [id, { needs: step.needs, onFailure: step.onFailure, forEach: step.forEach !== undefined, maxParallel: step.maxParallel }];
    }),
  );
  return { runId: opts.runId, workflow: run.workflow, steps, deadlineAt: opts.deadlineAt, hasDegraded: opts.hasDegraded };
}
