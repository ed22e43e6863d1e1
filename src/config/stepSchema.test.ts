import { describe, expect, it } from 'vitest';
import { problemsFromIssues } from './ConfigError.js';
import { isMultiStep, stepSchema, workflowSchema } from './schema.js';

function problems(schema: typeof workflowSchema | typeof stepSchema, input: unknown): string[] {
  const result = schema.safeParse(input);
  return result.success ? [] : problemsFromIssues('f.json', result.error.issues).map((p) => `${p.path || '(root)'}: ${p.message}`);
}

const run = (steps: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'ship', steps, ...extra });

describe('stepSchema', () => {
  it('fills in needs, maxParallel and onFailure, and keeps expressions as written', () => {
    expect(stepSchema.parse({ agent: 'a', input: "{ 'spec': input.spec }" })).toEqual({
      agent: 'a',
      input: "{ 'spec': input.spec }",
      needs: [],
      maxParallel: 10,
      onFailure: 'fail',
    });
  });

  it('takes the single-step overrides on an agent or capability step, durations as strings too', () => {
    const step = stepSchema.parse({ capability: 'review', timeoutMs: '30s', retry: { maxAttempts: 2 }, severity: 'high' });
    expect(step).toMatchObject({ timeoutMs: 30_000, retry: { maxAttempts: 2 }, severity: 'high' });
  });

  it('requires exactly one of agent, capability and workflow', () => {
    expect(problems(stepSchema, {})).toEqual(['(root): needs exactly one of "agent", "capability" or "workflow"']);
    expect(problems(stepSchema, { agent: 'a', workflow: 'w' })).toEqual([
      'workflow: give only one of "agent", "capability" or "workflow" (found "agent" and "workflow")',
    ]);
  });

  it('refuses the single-step overrides on a workflow step', () => {
    expect(problems(stepSchema, { workflow: 'w', timeoutMs: 5, severity: 'low' })).toEqual([
      'timeoutMs: is only for agent and capability steps; a workflow step takes it from its workflow',
      'severity: is only for agent and capability steps; a workflow step takes it from its workflow',
    ]);
  });

  it('refuses a step named twice in needs, a maxParallel below 1 and an unknown onFailure', () => {
    expect(problems(stepSchema, { agent: 'a', needs: ['x', 'x'] })).toEqual(['needs.1: "x" appears more than once']);
    expect(problems(stepSchema, { agent: 'a', maxParallel: 0 })[0]).toMatch(/^maxParallel: /);
    expect(problems(stepSchema, { agent: 'a', onFailure: 'ignore' })[0]).toMatch(/^onFailure: /);
  });

  it('refuses an empty expression', () => {
    expect(problems(stepSchema, { agent: 'a', when: '' })).toEqual(['when: is an empty expression']);
  });
});

describe('workflowSchema with steps', () => {
  it('parses a multi-step workflow, and tells it from a single-step one', () => {
    const parsed = workflowSchema.parse(
      run({ plan: { agent: 'a' }, review: { workflow: 'code-review', needs: ['plan'] } }, { output: 'steps' }),
    );
    expect(isMultiStep(parsed)).toBe(true);
    expect(parsed.steps?.review).toMatchObject({ workflow: 'code-review', needs: ['plan'] });
    expect(isMultiStep(workflowSchema.parse({ name: 'w', agent: 'a' }))).toBe(false);
  });

  it('refuses steps beside agent or capability, and output without steps', () => {
    expect(problems(workflowSchema, run({ a: { agent: 'a' } }, { agent: 'a' }))).toEqual([
      'agent: give either "steps" (a multi-step workflow) or "agent", not both',
    ]);
    expect(problems(workflowSchema, { name: 'w', agent: 'a', output: 'x' })).toEqual([
      'output: is for multi-step workflows (with "steps")',
    ]);
  });

  it('leaves timeoutMs, retry and outputSchema of a multi-step workflow to its steps', () => {
    expect(problems(workflowSchema, run({ a: { agent: 'a' } }, { timeoutMs: 1000, retry: { maxAttempts: 1 } }))).toEqual([
      'timeoutMs: is for single-step workflows; give it on the steps',
      'retry: is for single-step workflows; give it on the steps',
    ]);
  });

  it('refuses a workflow without steps in its steps, and a step id that is not an id', () => {
    expect(problems(workflowSchema, run({}))).toEqual(['steps: needs at least one step']);
    expect(problems(workflowSchema, run({ 'bad id': { agent: 'a' } }))[0]).toMatch(/^steps\.bad id: invalid id "bad id"/);
  });

  it('reports a bad step at its dotted path', () => {
    expect(problems(workflowSchema, run({ plan: { agent: 'a', capability: 'c' }, deploy: { workflow: 'd', needs: 'plan' } }))).toEqual([
      'steps.plan.capability: give only one of "agent", "capability" or "workflow" (found "agent" and "capability")',
      'steps.deploy.needs: Invalid input: expected array, received string',
    ]);
  });
});
