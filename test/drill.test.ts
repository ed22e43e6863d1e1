/**
 * The fault-injection simulator (`warden drill`): deterministic for a seed, and runnable from the
 * CLI against the example roster without calling any agent or paging anyone.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLoadedConfig, loadConfig, type LoadedConfig } from '../src/config/index.js';
import { runDrill } from '../src/drill/runDrill.js';
import { ROOT, runCli } from './helpers/warden.js';

const ROSTER_WORKFLOWS = ['ai-analysis', 'code-review', 'deployment', 'security-scan', 'ship-change'];
let roster: LoadedConfig;

beforeAll(async () => {
  roster = await loadConfig({ configPath: path.join(ROOT, 'agents.config.json'), checkEnv: false });
});

describe('the drill simulator', () => {
  it('gives the same report for the same seed', async () => {
    const a = await runDrill({ loaded: roster, scenario: 'flaky', seed: 42, tasks: 40 });
    const b = await runDrill({ loaded: roster, scenario: 'flaky', seed: 42, tasks: 40 });
    expect(b).toEqual(a);
    for (const name of ROSTER_WORKFLOWS) expect(a.workflows[name]?.tasks).toBe(40);
  });

  it('gives a different report for a different seed', async () => {
    const a = await runDrill({ loaded: roster, scenario: 'flaky', seed: 1, tasks: 40 });
    const b = await runDrill({ loaded: roster, scenario: 'flaky', seed: 2, tasks: 40 });
    expect(b.agents).not.toEqual(a.agents);
  });

  it('stops calling a dead primary once its circuit opens, and serves the fallback chain meanwhile', async () => {
    const r = await runDrill({ loaded: roster, scenario: 'outage', seed: 3, tasks: 60 });
    const backend = r.agents['senior-backend-developer']!;
    // The threshold of 5, then one probe per half-open window of the 60 s outage (10 s, 20 s, …).
    expect(backend.faulted).toBe(7);
    expect(backend.circuitOpened).toBeGreaterThan(0);
    expect(r.workflows['code-review']!.successRate).toBe(1);
    // deployment's agent has no fallback: its tasks are degraded while the agent is down, and escalated.
    expect(r.workflows.deployment!.degraded).toBeGreaterThan(0);
    expect(r.escalations.high).toBeGreaterThan(0);
  });

  it('waits out a Retry-After before calling the same task again', async () => {
    // One agent and a breaker that never opens, so throttled tasks have to come back to it.
    const loaded = createLoadedConfig(
      {
        agents: {
          llm: {
            adapter: { type: 'simulated' },
            retry: { maxAttempts: 6, initialDelayMs: 100 },
            circuitBreaker: { failureThreshold: 1000 },
          },
        },
        store: 'memory:',
      },
      { workflows: [{ name: 'ask', agent: 'llm' }] },
    );
    const r = await runDrill({ loaded, scenario: 'rate-limit', seed: 1, tasks: 40 });
    // Few tasks ever get a 429: the first Retry-After holds the agent for every task (AgentPool.hold).
    expect(r.retryAfter.followUps).toBeGreaterThan(0);
    expect(r.retryAfter.honoured).toBe(r.retryAfter.followUps);
    expect(r.workflows.ask!.successRate).toBe(1);
  });

  it('lets per-attempt timeouts cut a latency spike short', async () => {
    const r = await runDrill({ loaded: roster, scenario: 'latency-spike', seed: 1, tasks: 40 });
    expect(r.agents['senior-backend-developer']!.aborted).toBeGreaterThan(0);
    expect(r.workflows['code-review']!.latencyMs.max).toBeLessThan(60_000);
  });

  it('generates inputs from the inputSchema, and reports a workflow whose input it cannot satisfy', async () => {
    const loaded = createLoadedConfig(
      { agents: { a: { adapter: { type: 'simulated' } } }, store: 'memory:' },
      {
        workflows: [
          {
            name: 'ok',
            agent: 'a',
            inputSchema: {
              type: 'object',
              required: ['n', 'tags'],
              properties: { n: { type: 'integer', minimum: 3 }, tags: { type: 'array', minItems: 1, items: { type: 'string' } } },
            },
          },
          {
            name: 'picky',
            agent: 'a',
            inputSchema: { type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: '^[0-9]+$' } } },
          },
        ],
      },
    );
    const r = await runDrill({ loaded, scenario: 'flaky', tasks: 5 });
    expect(r.workflows.ok!.tasks).toBe(5);
    expect(r.workflows.picky!.tasks).toBe(0);
    expect(r.workflows.picky!.refused).toMatchObject({ count: 5, reason: expect.stringContaining('inputSchema') });
  });
});

describe('warden drill', () => {
  it('drills the example roster and reports every workflow', async () => {
    const { code, stdout, stderr } = await runCli(['drill', '--scenario', 'outage', '--seed', '7', '--tasks', '50', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report.workflows)).toEqual(expect.arrayContaining(ROSTER_WORKFLOWS));
    for (const name of ROSTER_WORKFLOWS) {
      const w = report.workflows[name];
      expect(w.tasks).toBe(50);
      expect(w.completed + w.degraded + w.failed + w.cancelled).toBe(50);
    }
    expect(Object.keys(report.escalations)).toEqual(['low', 'medium', 'high', 'critical']);
  }, 60_000);

  it('prints a readable report, and refuses an unknown scenario', async () => {
    const text = await runCli(['drill', '--scenario', 'flaky', '--tasks', '10']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^drill flaky, seed 1/);
    expect(text.stdout).toMatch(/^code-review\s+10\s+/m);
    const bad = await runCli(['drill', '--scenario', 'meteor']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown scenario "meteor"; expected one of outage, rate-limit, flaky, latency-spike/);
  }, 60_000);
});
