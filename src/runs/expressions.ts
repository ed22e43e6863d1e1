/**
 * The JSONata expressions of a run (`input`, `when`, `forEach`, `output`): compiled once at load,
 * evaluated under a budget of time and depth.
 *
 * JSONata has no limits of its own by default: `( $f := function($x){ $f($x) }; $f(1) )` runs
 * forever, and a `$map` over two million items holds the event loop for seconds, since evaluation
 * awaits only settled promises and never yields to timers. So every node of the evaluation goes
 * through the 2.x hooks (`Symbol.for('jsonata.__evaluate_entry' | '…exit')`; the plain-string
 * names of older docs never fire) and is refused once the budget is spent.
 *
 * Every failure (a runtime error, a spent budget, a value of the wrong kind) is a
 * {@link WardenError} with code `EXPRESSION_FAILED`, whose message names the step and field.
 * @module
 */
import jsonata from 'jsonata';
import { type ExpressionLimitsConfig, expressionLimitsSchema } from '../config/expressionLimitsSchema.js';
import type { ErrorInfo } from '../errors/index.js';
import { type WardenError, wardenError } from '../errors/index.js';
import type { StepStatus } from './stepProgress.js';

/** The fields of a run that hold expressions. */
export type ExpressionField = 'input' | 'when' | 'forEach' | 'output';

/** Where an expression sits in its workflow: the run's `output`, or a field of a step. */
export interface ExpressionSite {
  /** The step; absent for the run's `output`. */
  readonly step?: string | undefined;
  readonly field: ExpressionField;
}

/** What a step looks like to the expressions of the steps after it. */
export interface StepView {
  readonly status: StepStatus;
  readonly output?: unknown;
  readonly error?: ErrorInfo | undefined;
}

/** The data every expression is evaluated over. */
export interface ExpressionData {
  /** The run's input. */
  readonly input: unknown;
  /** The steps so far, by id. */
  readonly steps: Readonly<Record<string, StepView>>;
  /** The item of a `forEach` child (in its `input`); absent elsewhere. */
  readonly item?: unknown;
  /** The 0-based index of a `forEach` child; absent elsewhere. */
  readonly index?: number | undefined;
  readonly run: { readonly id: string };
}

/**
 * The budget of one evaluation: `timeoutMs` and `maxDepth` as a workflow's `expressions` section
 * gives them (see `expressionLimitsSchema`), and the time source.
 */
export type ExpressionLimits = Readonly<ExpressionLimitsConfig> & {
  /**
   * The time source of the budget. Defaults to `performance.now`. Not the engine's Clock: this
   * measures work done inside one synchronous stretch, in which a simulated clock never moves.
   */
  readonly now: () => number;
};

/** The default budget: the schema's defaults (1 s and 1000 levels) on the process's monotonic clock. */
export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = Object.freeze({
  ...expressionLimitsSchema.parse({}),
  now: () => performance.now(),
});

/** The dotted path of an expression in its workflow file: `steps.<id>.<field>`, or `output`. */
export function sitePath(site: ExpressionSite): string {
  return site.step === undefined ? site.field : `steps.${site.step}.${site.field}`;
}

/**
 * A binding name that JSONata syntax cannot spell (it has a space), so user expressions can
 * neither read nor replace it: it carries each evaluation's own budget to the hooks, which are
 * shared by every evaluation of the expression, concurrent ones included.
 */
const BUDGET = 'warden budget';

/** Why an evaluation was stopped. Thrown from a hook, so it may come back wrapped by `$eval`. */
class BudgetSpent extends Error {}

/** The running count of one evaluation. */
class Budget {
  depth = 0;
  /** Whether the whole expression's value was a JSONata sequence (see {@link evaluateForEach}). */
  sequence = false;
  readonly #startedAt: number;

  constructor(readonly limits: ExpressionLimits) {
    this.#startedAt = limits.now();
  }

  enter(): void {
    this.depth += 1;
    if (this.depth > this.limits.maxDepth) {
      throw new BudgetSpent(`evaluation nested deeper than ${this.limits.maxDepth} levels (a runaway recursion?)`);
    }
    if (this.limits.now() - this.#startedAt > this.limits.timeoutMs) {
      throw new BudgetSpent(`evaluation ran longer than ${this.limits.timeoutMs} ms (a runaway loop, or too much data?)`);
    }
  }
}

/** JSONata's own error shape: thrown as plain objects with a code, and a position for most. */
interface JsonataFailure {
  readonly code?: string;
  readonly message?: string;
  readonly position?: number;
  /** `$eval` wraps the failure of the expression it evaluated. */
  readonly error?: unknown;
}

type Hook = (expr: unknown, input: unknown, environment: { lookup(name: string): unknown }, result?: unknown) => void;

/** A compiled expression. Evaluate it with {@link evaluateExpression} and the helpers below. */
export class CompiledExpression {
  readonly #expression: jsonata.Expression;

  /** @internal Use {@link compileExpression}. */
  constructor(
    readonly source: string,
    readonly site: ExpressionSite,
    expression: jsonata.Expression,
  ) {
    this.#expression = expression;
    const root = expression.ast();
    const entry: Hook = (_expr, _input, environment) => (environment.lookup(BUDGET) as Budget | undefined)?.enter();
    const exit: Hook = (expr, _input, environment, result) => {
      const budget = environment.lookup(BUDGET) as Budget | undefined;
      if (!budget) return;
      budget.depth -= 1;
      // JSONata collapses a one-item sequence to its item only after this hook.
      if (expr === root) budget.sequence = isSequence(result);
    };
    // The typings name string keys only; 2.x looks the hooks up under these symbols.
    expression.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, entry);
    expression.assign(Symbol.for('jsonata.__evaluate_exit') as unknown as string, exit);
  }

  /** @internal The value, and whether JSONata produced it as a sequence. */
  async run(data: ExpressionData, limits: Partial<ExpressionLimits> = {}): Promise<{ value: unknown; sequence: boolean }> {
    const budget = new Budget({ ...DEFAULT_EXPRESSION_LIMITS, ...limits });
    try {
      const value: unknown = await this.#expression.evaluate(data, { [BUDGET]: budget });
      return { value, sequence: budget.sequence };
    } catch (e) {
      throw this.failure(describeFailure(e), e);
    }
  }

  /** @internal An `EXPRESSION_FAILED` error naming this expression's step and field. */
  failure(reason: string, cause?: unknown): WardenError {
    const { step, field } = this.site;
    return wardenError('EXPRESSION_FAILED', `${sitePath(this.site)}: ${reason}`, {
      ...(cause === undefined ? {} : { cause }),
      details: { ...(step === undefined ? {} : { step }), field },
    });
  }

  /** The source text, so that a workflow holding compiled expressions still prints as JSON. */
  toJSON(): string {
    return this.source;
  }
}

/** The result of {@link compileExpression}: the expression, or what is wrong with its syntax. */
export type CompileResult =
  | { readonly ok: true; readonly expression: CompiledExpression }
  | { readonly ok: false; readonly message: string };

/**
 * Parses an expression once, for every later evaluation.
 *
 * @example
 * const r = compileExpression("{ 'plan': steps.plan.output }", { step: 'backend', field: 'input' });
 * if (!r.ok) console.error(r.message); // e.g. 'invalid JSONata at character 8: …'
 */
export function compileExpression(source: string, site: ExpressionSite): CompileResult {
  try {
    return { ok: true, expression: new CompiledExpression(source, site, jsonata(source)) };
  } catch (e) {
    const { code, message, position } = e as JsonataFailure;
    const where = typeof position === 'number' ? ` at character ${position}` : '';
    return { ok: false, message: `invalid JSONata${where}: ${message ?? String(e)}${code ? ` (${code})` : ''}` };
  }
}

/**
 * Evaluates an expression (a step's `input`, the run's `output`) over `data`.
 * @throws WardenError `EXPRESSION_FAILED` when evaluation fails or runs out of budget.
 */
export async function evaluateExpression(
  expression: CompiledExpression,
  data: ExpressionData,
  limits?: Partial<ExpressionLimits>,
): Promise<unknown> {
  return (await expression.run(data, limits)).value;
}

/**
 * Evaluates a step's `when`: `true` or `false`; nothing at all (a path that matched nothing)
 * counts as `false`, since a condition on a missing value does not hold.
 * @throws WardenError `EXPRESSION_FAILED` for any other value, or when evaluation fails.
 */
export async function evaluateWhen(
  expression: CompiledExpression,
  data: ExpressionData,
  limits?: Partial<ExpressionLimits>,
): Promise<boolean> {
  const { value } = await expression.run(data, limits);
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  throw expression.failure(`must yield true or false, got ${kindOf(value)}`);
}

/**
 * Evaluates a step's `forEach` into its items, in order.
 *
 * JSONata returns a sequence of one item as the bare item, so a filter that matches once
 * (`steps.plan.output.files[kind = 'api']`) does not yield an array. forEach follows JSONata's
 * sequence semantics rather than the shape of the value:
 * - an array: its elements;
 * - a sequence (a path, filter or function over sequences) of one item: that one item;
 * - nothing (a path that matched nothing): no items; the step completes with `[]`;
 * - any other value, which no sequence produced (a literal number, string or object, `$count(…)`):
 *   `EXPRESSION_FAILED`, since iterating it is almost surely a mistake.
 * @throws WardenError `EXPRESSION_FAILED` for a non-array value, or when evaluation fails.
 */
export async function evaluateForEach(
  expression: CompiledExpression,
  data: ExpressionData,
  limits?: Partial<ExpressionLimits>,
): Promise<unknown[]> {
  const { value, sequence } = await expression.run(data, limits);
  if (Array.isArray(value)) return [...value];
  if (value === undefined) return [];
  if (sequence) return [value];
  throw expression.failure(`must yield an array, got ${kindOf(value)}`);
}

function isSequence(value: unknown): boolean {
  return Array.isArray(value) && (value as { sequence?: unknown }).sequence === true;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  const shown = type === 'object' ? '' : ` (${JSON.stringify(value)?.slice(0, 40) ?? String(value)})`;
  return `${type === 'object' ? 'an object' : `a ${type}`}${shown}`;
}

/** One line for a failure: the spent budget (even wrapped by `$eval`), or JSONata's code, position and message. */
function describeFailure(e: unknown): string {
  for (let cause: unknown = e; typeof cause === 'object' && cause !== null; cause = (cause as JsonataFailure).error) {
    if (cause instanceof BudgetSpent) return cause.message;
  }
  const { code, message, position } = (typeof e === 'object' && e !== null ? e : {}) as JsonataFailure;
  const where = typeof position === 'number' ? ` at character ${position}` : '';
  return `${code ?? 'error'}${where}: ${message ?? String(e)}`;
}
