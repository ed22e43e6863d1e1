import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeConfig } from './describeConfig.js';
import { loadConfig } from './load.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const load = () => loadConfig({ configPath: path.join(repoRoot, 'agents.config.json'), cwd: repoRoot, env: {} });

type Degrader = (task: { id: string; workflow: string; input: unknown }, failures: { code: string; message: string }[]) => unknown;

describe('the shipped example roster', () => {
  it('loads with no problems and needs no secrets in the environment', async () => {
    const loaded = await load();
    expect(Object.keys(loaded.config.agents)).toHaveLength(9);
    expect([...loaded.workflows.keys()]).toEqual(['ai-analysis', 'code-review', 'deployment', 'echo', 'security-scan', 'ship-change']);
  });

  it('summarises each file in one line for warden validate', async () => {
    expect(describeConfig(await load(), { cwd: repoRoot })).toEqual([
      'agents.config.json: 9 agents, 3 fallback chains, 1 channel',
      'workflows/ai-analysis.json: workflow ai-analysis → ollama-integration-specialist (+3 fallbacks)',
      'workflows/code-review.json: workflow code-review → senior-backend-developer (+3 fallbacks)',
      'workflows/deployment.json: workflow deployment → infrastructure-devops-manager',
      'workflows/echo.json: workflow echo → echo-agent',
      'workflows/security-scan.json: workflow security-scan → capability security (3 agents)',
      'workflows/ship-change.json: workflow ship-change → 5 steps: plan, backend, frontend, review, deploy',
    ]);
  });

  it("has the design notes' agents and fallback chains, all simulated, and one agent process Warden runs itself", async () => {
    const { config } = await load();
    expect(Object.keys(config.agents).sort()).toEqual([
      'agentzero-coordinator',
      'code-generation-improver',
      'echo-agent',
      'infrastructure-devops-manager',
      'ollama-integration-specialist',
      'senior-ai-engineer',
      'senior-backend-developer',
      'senior-frontend-developer',
      'senior-full-stack-developer',
    ]);
    expect(config.fallbackChains).toEqual({
      'senior-frontend-developer': ['senior-full-stack-developer', 'code-generation-improver', 'agentzero-coordinator'],
      'senior-backend-developer': ['senior-full-stack-developer', 'senior-ai-engineer', 'agentzero-coordinator'],
      'ollama-integration-specialist': ['senior-ai-engineer', 'infrastructure-devops-manager', 'agentzero-coordinator'],
    });
    const { 'echo-agent': echo, ...designNotes } = config.agents;
    for (const agent of Object.values(designNotes)) expect(agent.adapter.type).toBe('simulated');
    expect(echo).toMatchObject({
      adapter: { type: 'http', url: 'http://127.0.0.1:9101/run' },
      process: { command: 'node', args: ['examples/agents/echo-agent.js'], env: { PORT: '9101' } },
      healthCheck: { type: 'http', url: 'http://127.0.0.1:9101/health' },
      recovery: [{ strategy: 'reset-circuit' }, { strategy: 'restart-process' }],
    });
    expect(config.supervisor.recovery).toMatchObject({ heap: [{ strategy: 'clear-caches' }], store: [{ strategy: 'reconnect' }] });
  });

  it('makes the primary agents flaky enough to show retries and fallback, and the coordinator reliable', async () => {
    const { config } = await load();
    const rate = (id: string) => {
      const adapter = config.agents[id]?.adapter;
      return adapter?.type === 'simulated' ? adapter.failureRate : Number.NaN;
    };
    for (const primary of ['senior-frontend-developer', 'senior-backend-developer', 'ollama-integration-specialist']) {
      expect(rate(primary)).toBeGreaterThanOrEqual(0.3);
      expect(rate(primary)).toBeLessThanOrEqual(0.5);
    }
    expect(rate('agentzero-coordinator')).toBeLessThanOrEqual(0.1);
    for (const agent of Object.values(config.agents)) expect(agent.retry.maxDelayMs).toBeLessThanOrEqual(5000);
  });

  it('routes medium, high and critical escalations to the console and low ones to the log only', async () => {
    const { escalation } = (await load()).config;
    expect(escalation.channels).toEqual({ console: { type: 'log' } });
    expect(escalation.severities.low.channels).toEqual([]);
    for (const s of ['medium', 'high', 'critical'] as const) expect(escalation.severities[s].channels).toEqual(['console']);
  });

  it('ships a multi-step workflow that shows parallel steps, a forEach, a when, onFailure continue and a workflow step', async () => {
    const ship = (await load()).workflows.get('ship-change');
    const run = ship?.run;
    if (!run) throw new Error('ship-change is not a multi-step workflow');
    const { plan, backend, frontend, review, deploy } = run.steps;
    // backend and frontend both need only plan: they run side by side
    expect([backend?.needs, frontend?.needs]).toEqual([['plan'], ['plan']]);
    expect(frontend?.onFailure).toBe('continue');
    expect(review).toMatchObject({ kind: 'workflow', target: 'code-review', maxParallel: 4 });
    expect(review?.forEach).toBeDefined();
    expect(deploy?.when).toBeDefined();
    expect(deploy?.needs).toEqual(['review', 'frontend']);
    // Every agent step can fall back to the reliable coordinator, so the tour's run completes.
    expect(plan).toMatchObject({ kind: 'capability', target: 'analysis' });
    expect(deploy).toMatchObject({ kind: 'capability', target: 'deployment' });
    expect(run.order).toEqual(['plan', 'backend', 'frontend', 'review', 'deploy']);
  });

  it('gives every workflow a degraded response', async () => {
    for (const workflow of (await load()).workflows.values()) expect(workflow.degraded).toBeDefined();
  });

  it("degrades code review to basic checks computed from the input, after the design notes' code review degradation", async () => {
    const workflow = (await load()).workflows.get('code-review');
    if (!workflow?.degraded || !('module' in workflow.degraded)) throw new Error('code-review has no degraded module');
    expect(workflow.degraded.module).toBe(path.join(repoRoot, 'examples/degraders/code-review.js'));
    const mod = (await import(pathToFileURL(workflow.degraded.module).href)) as Record<string, Degrader>;
    const degrade = mod[workflow.degraded.export];
    if (!degrade) throw new Error('no degrader export');
    const failures = [
      { code: 'AGENT_HTTP_5XX', message: 'boom' },
      { code: 'AGENT_HTTP_5XX', message: 'boom again' },
    ];
    expect(degrade({ id: 't1', workflow: 'code-review', input: { content: 'function f() {\n  return [1, 2];\n}\n' } }, failures)).toEqual({
      status: 'degraded',
      basic_checks: { syntax_valid: true, file_size_ok: true, line_count: 4 },
      message: 'Full AI review unavailable. Basic checks completed.',
      recommendation: 'Manual review recommended',
      errors: ['AGENT_HTTP_5XX'],
    });
    const unbalanced = degrade({ id: 't2', workflow: 'code-review', input: { content: 'if (x { "}" ' } }, []);
    expect(unbalanced).toMatchObject({ basic_checks: { syntax_valid: false, line_count: 1 } });
    const huge = degrade({ id: 't3', workflow: 'code-review', input: { content: 'x'.repeat(50_000) } }, []);
    expect(huge).toMatchObject({ basic_checks: { file_size_ok: false } });
  });
});
