import { describe, expect, it } from 'vitest';
import { type MultiStepWorkflow, workflowSchema } from '../config/schema.js';
import { compileRun, runMachineInput } from './compileRun.js';

const parse = (steps: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  workflowSchema.parse({ name: 'ship', steps, ...extra }) as MultiStepWorkflow;
const problemLines = (steps: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  compileRun(parse(steps, extra)).problems.map((p) => `${p.path.join('.')}: ${p.message}`);

describe('compileRun', () => {
  it('puts the steps in topological order, keeping declaration order where the graph allows', () => {
    const { run } = compileRun(
      parse({
        deploy: { workflow: 'deployment', needs: ['review', 'frontend'] },
        plan: { agent: 'planner' },
        review: { workflow: 'code-review', needs: ['backend'] },
        backend: { agent: 'dev', needs: ['plan'] },
        frontend: { capability: 'ui', needs: ['plan'] },
      }),
    );
    expect(run?.order).toEqual(['plan', 'backend', 'review', 'frontend', 'deploy']);
    expect(Object.keys(run?.steps ?? {})).toEqual(run?.order);
  });

  it('spells out what each step runs, fills in its defaults and compiles its expressions', () => {
    const { run, problems } = compileRun(
      parse(
        {
          plan: { agent: 'planner', input: "{ 'spec': input.spec }", timeoutMs: '1m', description: 'plans' },
          review: { workflow: 'code-review', needs: ['plan'], forEach: 'steps.plan.output.files', when: 'true', maxParallel: 4 },
        },
        { output: 'steps.review.output' },
      ),
    );
    expect(problems).toEqual([]);
    expect(run?.steps.plan).toMatchObject({
      id: 'plan',
      kind: 'agent',
      target: 'planner',
      needs: [],
      maxParallel: 10,
      onFailure: 'fail',
      timeoutMs: 60_000,
    });
    expect(run?.steps.plan).not.toHaveProperty('description');
    expect(run?.steps.review).toMatchObject({ kind: 'workflow', target: 'code-review', maxParallel: 4 });
    expect(run?.steps.review?.forEach?.source).toBe('steps.plan.output.files');
    expect(run?.steps.review?.forEach?.site).toEqual({ step: 'review', field: 'forEach' });
    expect(run?.steps.review?.input).toBeUndefined();
    expect(run?.output?.site).toEqual({ field: 'output' });
    expect(run?.limits).toEqual({ timeoutMs: 1000, maxDepth: 1000 });
    // A compiled run still prints as the JSON it came from.
    expect(JSON.parse(JSON.stringify(run?.steps.review)).when).toBe('true');
  });

  it('reports a JSONata syntax error at steps.<id>.<field> and at output, with its position', () => {
    expect(
      problemLines({ plan: { agent: 'a', input: "{ 'spec': }" }, deploy: { agent: 'a', when: 'steps.plan.status =' } }, { output: '(' }),
    ).toEqual([
      'steps.plan.input: invalid JSONata at character 11: The symbol "}" cannot be used as a unary operator (S0211)',
      expect.stringMatching(/^steps\.deploy\.when: invalid JSONata at character \d+: .+ \(S0\d+\)$/),
      expect.stringMatching(/^output: invalid JSONata at character \d+: .+ \(S0\d+\)$/),
    ]);
  });

  it('reports a step in needs that does not exist', () => {
    expect(problemLines({ a: { agent: 'x' }, b: { agent: 'x', needs: ['a', 'nope'] } })).toEqual([
      'steps.b.needs.1: unknown step "nope" (steps: a, b)',
    ]);
  });

  it('names a cycle in needs, and a step that needs itself', () => {
    expect(
      problemLines({
        a: { agent: 'x', needs: ['b'] },
        b: { agent: 'x', needs: ['c'] },
        c: { agent: 'x', needs: ['a'] },
        d: { agent: 'x' },
      }),
    ).toEqual(['steps.a.needs: cycle a → b → c → a']);
    expect(problemLines({ a: { agent: 'x', needs: ['a'] } })).toEqual(['steps.a.needs: cycle a → a']);
  });

  it("takes the workflow's expression limits", () => {
    expect(compileRun(parse({ a: { agent: 'x' } }, { expressions: { maxDepth: 50 } })).run?.limits).toEqual({
      timeoutMs: 1000,
      maxDepth: 50,
    });
  });

  it('builds the run machine input from the compiled run', () => {
    const { run } = compileRun(
      parse({ b: { agent: 'x', needs: ['a'], forEach: 'input.items', maxParallel: 2 }, a: { agent: 'x', onFailure: 'continue' } }),
    );
    const input = runMachineInput(run!, { runId: 'r1', deadlineAt: 5, hasDegraded: true });
    expect(Object.keys(input.steps)).toEqual(['a', 'b']);
    expect(input).toEqual({
      runId: 'r1',
      workflow: 'ship',
      deadlineAt: 5,
      hasDegraded: true,
      steps: {
        a: { needs: [], onFailure: 'continue', forEach: false, maxParallel: 10 },
        b: { needs: ['a'], onFailure: 'fail', forEach: true, maxParallel: 2 },
      },
    });
  });
});
