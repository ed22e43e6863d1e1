import { describe, expect, it } from 'vitest';
import { isWardenError } from '../errors/index.js';
import {
  type CompiledExpression,
  type ExpressionData,
  type ExpressionSite,
  DEFAULT_EXPRESSION_LIMITS,
  compileExpression,
  evaluateExpression,
  evaluateForEach,
  evaluateWhen,
} from './expressions.js';

const data: ExpressionData = {
  input: { spec: 'ship it', n: 3 },
  steps: {
    plan: {
      status: 'completed',
      output: {
        files: [
          { path: 'a.ts', kind: 'api' },
          { path: 'b.ts', kind: 'ui' },
          { path: 'c.ts', kind: 'ui' },
        ],
      },
    },
    lint: { status: 'skipped' },
  },
  run: { id: 'r1' },
};

function compiled(source: string, site: ExpressionSite = { step: 'review', field: 'input' }): CompiledExpression {
  const result = compileExpression(source, site);
  if (!result.ok) throw new Error(`does not compile: ${result.message}`);
  return result.expression;
}

/** The error a promise rejects with, or a failure when it resolves. */
async function failure(promise: Promise<unknown>) {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`resolved with ${JSON.stringify(outcome.value)}`);
  const { error } = outcome;
  if (!isWardenError(error)) throw error;
  return error;
}

describe('compileExpression', () => {
  it('reports a syntax error with JSONata’s message, position and code', () => {
    expect(compileExpression("{ 'spec': }", { step: 'plan', field: 'input' })).toEqual({
      ok: false,
      message: 'invalid JSONata at character 11: The symbol "}" cannot be used as a unary operator (S0211)',
    });
  });
});

describe('evaluateExpression', () => {
  it('evaluates over the input, the steps so far, the item and index of a forEach child, and the run', async () => {
    const e = compiled(
      "{ 'spec': input.spec, 'files': $count(steps.plan.output.files), 'lint': steps.lint.status, 'item': item, 'at': index, 'run': run.id }",
    );
    expect(await evaluateExpression(e, { ...data, item: 'x', index: 2 })).toEqual({
      spec: 'ship it',
      files: 3,
      lint: 'skipped',
      item: 'x',
      at: 2,
      run: 'r1',
    });
  });

  it('evaluates concurrently without one evaluation using up the budget of another', async () => {
    const e = compiled('$sum([1..input.n])');
    const results = await Promise.all([1, 2, 3].map((n) => evaluateExpression(e, { ...data, input: { n } })));
    expect(results).toEqual([1, 3, 6]);
  });

  it('fails with EXPRESSION_FAILED, naming the step, field and JSONata error, not retryable', async () => {
    const error = await failure(evaluateExpression(compiled('input.spec + 1'), data));
    expect(error).toMatchObject({ code: 'EXPRESSION_FAILED', category: 'logic', retryable: false });
    expect(error.message).toMatch(/^steps\.review\.input: T2001 at character \d+: /);
    expect(error.details).toEqual({ step: 'review', field: 'input' });
  });

  it('stops a runaway recursive function', async () => {
    // A tail call does not nest, so the time budget stops it; a clock that ticks on every read
    // makes that deterministic.
    let t = 0;
    const now = () => t++;
    const error = await failure(evaluateExpression(compiled('( $f := function($x){ $f($x) }; $f(1) )'), data, { timeoutMs: 5000, now }));
    expect(error.code).toBe('EXPRESSION_FAILED');
    expect(error.message).toBe('steps.review.input: evaluation ran longer than 5000 ms (a runaway loop, or too much data?)');
  });

  it('stops a recursion that nests past the depth budget', async () => {
    const error = await failure(evaluateExpression(compiled('( $f := function($x){ 1 + $f($x) }; $f(1) )'), data));
    expect(error.message).toBe('steps.review.input: evaluation nested deeper than 1000 levels (a runaway recursion?)');
  });

  it('stops a huge $map on the real clock', async () => {
    const error = await failure(
      evaluateExpression(compiled('$count($map([1..2000000], function($v){ $v * 2 }))'), data, { timeoutMs: 50 }),
    );
    expect(error.message).toMatch(/evaluation ran longer than 50 ms/);
  });

  it('stops a runaway expression even inside $eval', async () => {
    const error = await failure(
      evaluateExpression(compiled('$eval("( $f := function($x){ 1 + $f($x) }; $f(1) )")'), data, { maxDepth: 200 }),
    );
    expect(error.message).toMatch(/nested deeper than 200 levels/);
  });
});

describe('DEFAULT_EXPRESSION_LIMITS', () => {
  it("are the workflow schema's defaults: 1 s and 1000 levels", () => {
    expect(DEFAULT_EXPRESSION_LIMITS).toMatchObject({ timeoutMs: 1000, maxDepth: 1000 });
  });
});

describe('evaluateWhen', () => {
  const site = { step: 'deploy', field: 'when' } as const;

  it('is true or false as the expression says, and false when it matches nothing', async () => {
    expect(await evaluateWhen(compiled("steps.plan.status = 'completed'", site), data)).toBe(true);
    expect(await evaluateWhen(compiled("steps.lint.status = 'completed'", site), data)).toBe(false);
    expect(await evaluateWhen(compiled('steps.nothing.status', site), data)).toBe(false);
  });

  it('fails with EXPRESSION_FAILED for anything but a boolean', async () => {
    const error = await failure(evaluateWhen(compiled('steps.plan.status', site), data));
    expect(error.message).toBe('steps.deploy.when: must yield true or false, got a string ("completed")');
  });
});

describe('evaluateForEach', () => {
  const site = { step: 'review', field: 'forEach' } as const;

  it('yields the elements of an array, in order', async () => {
    expect(await evaluateForEach(compiled('steps.plan.output.files.path', site), data)).toEqual(['a.ts', 'b.ts', 'c.ts']);
    expect(await evaluateForEach(compiled('[1, 2]', site), data)).toEqual([1, 2]);
  });

  it('takes a sequence of one (JSONata returns it as the bare item) as one item', async () => {
    expect(await evaluateForEach(compiled("steps.plan.output.files[kind = 'api']", site), data)).toEqual([{ path: 'a.ts', kind: 'api' }]);
  });

  it('yields no items when the expression matches nothing', async () => {
    expect(await evaluateForEach(compiled("steps.plan.output.files[kind = 'db']", site), data)).toEqual([]);
  });

  it('fails with EXPRESSION_FAILED for a value that is not an array', async () => {
    for (const [source, got] of [
      ['42', 'a number (42)'],
      ["{ 'a': 1 }", 'an object'],
      ['$count(steps.plan.output.files)', 'a number (3)'],
    ]) {
      const error = await failure(evaluateForEach(compiled(source!, site), data));
      expect(error.code).toBe('EXPRESSION_FAILED');
      expect(error.message).toBe(`steps.review.forEach: must yield an array, got ${got}`);
    }
  });
});
