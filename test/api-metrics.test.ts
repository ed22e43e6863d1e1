/**
 * `GET /metrics`: Prometheus text from a registry of the engine's own, whose counters move as tasks
 * run. In-process (`app.request()`), retries without delay, so nothing waits for a backoff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../src/clock/index.js';
import { attachMetrics } from '../src/metrics/Metrics.js';
import { SUPERVISOR_STATES } from '../src/supervisor/index.js';
import { apiApp, type ApiApp } from './helpers/apiApp.js';
import { driveUntil } from './helpers/driveClock.js';
import { startHealthServer, type HealthServer } from './helpers/healthServer.js';
import { parsePrometheus, type Exposition } from './helpers/prometheus.js';
import { until } from './helpers/warden.js';

let api: ApiApp;
const noDelay = { initialDelayMs: 0, maxDelayMs: 0, jitter: 'none' };

async function scrape(): Promise<Exposition> {
  const res = await api.app.request('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

async function run(workflow: string, input: unknown = {}) {
  const res = await api.req('POST', '/api/tasks', { workflow, input });
  expect(res.status, res.text).toBe(202);
  return api.engine.result(res.json.id);
}

beforeAll(async () => {
  api = await apiApp({
    config: {
      agents: {
        good: { adapter: { type: 'simulated', latencyMs: 0 } },
        flaky: {
          adapter: { type: 'simulated', latencyMs: 0, failureRate: 1 },
          retry: { maxAttempts: 3, ...noDelay },
          circuitBreaker: { failureThreshold: 1000 },
        },
        broken: { adapter: { type: 'simulated', latencyMs: 0, permanentFailureRate: 1 }, retry: { maxAttempts: 1 } },
        fragile: {
          adapter: { type: 'simulated', latencyMs: 0, failureRate: 1 },
          retry: { maxAttempts: 1 },
          circuitBreaker: { failureThreshold: 1 },
        },
        sleeper: { adapter: { type: 'simulated', latencyMs: '1h' }, timeoutMs: '2h' },
      },
      fallbackChains: { flaky: ['good'] },
      escalation: {
        // pager points at the discard port, where nothing listens: every send to it fails.
        channels: {
          console: { type: 'log' },
          pager: { type: 'slack', channel: '#pager', tokenEnv: 'METRICS_SLACK_TOKEN', apiUrl: 'http://127.0.0.1:9/api/' },
        },
        severities: {
          medium: { channels: ['console', 'pager'] },
          high: { channels: ['console', 'pager'] },
          critical: { channels: ['console', 'pager'] },
        },
      },
    },
    workflows: [
      { name: 'easy', agent: 'good' },
      { name: 'chain', agent: 'flaky' },
      { name: 'doomed', agent: 'broken', degraded: { response: { status: 'degraded' } } },
      { name: 'hopeless', agent: 'broken' },
      { name: 'snap', agent: 'fragile' },
      { name: 'slow', agent: 'sleeper', deadlineMs: '3h' },
    ],
    env: { METRICS_SLACK_TOKEN: 'xoxb-metrics-test-token' },
  });
});

afterAll(async () => {
  await api?.close();
});

describe('GET /metrics', () => {
  it('is Prometheus text with the engine metrics and the Node ones', async () => {
    const m = await scrape();
    for (const [name, type] of [
      ['warden_tasks_submitted_total', 'counter'],
      ['warden_tasks_ended_total', 'counter'],
      ['warden_tasks_active', 'gauge'],
      ['warden_task_duration_seconds', 'histogram'],
      ['warden_attempts_total', 'counter'],
      ['warden_attempt_duration_seconds', 'histogram'],
      ['warden_fallback_hops_total', 'counter'],
      ['warden_escalations_total', 'counter'],
      ['warden_escalation_deliveries_total', 'counter'],
      ['warden_circuit_state', 'gauge'],
      ['warden_agent_health', 'gauge'],
      ['warden_supervisor_state', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ]) {
      expect(m.types.get(name!), name).toBe(type);
    }
    expect(m.value('warden_circuit_state', { agent: 'good' })).toBe(0);
    expect(m.value('warden_agent_health', { agent: 'good', status: 'unknown' })).toBe(1);
  });

  it('counts attempts per agent and outcome as the tasks record them, and fallback hops', async () => {
    const before = await scrape();
    const tasks = [];
    for (let i = 0; i < 3; i++) tasks.push(await run('chain'));
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => after.sum(name, labels) - before.sum(name, labels);

    const attempts = tasks.flatMap((t) => t.attempts);
    expect(attempts.filter((a) => a.agent === 'flaky')).toHaveLength(9);
    expect(delta('warden_attempts_total', { agent: 'flaky', outcome: 'error' })).toBe(
      attempts.filter((a) => a.agent === 'flaky' && a.outcome === 'error').length,
    );
    expect(delta('warden_attempts_total', { agent: 'good', outcome: 'ok' })).toBe(
      attempts.filter((a) => a.agent === 'good' && a.outcome === 'ok').length,
    );
    expect(delta('warden_attempts_total', { agent: 'good', outcome: 'error' })).toBe(0);
    expect(delta('warden_attempt_errors_total', { agent: 'flaky' })).toBe(9);
    expect(delta('warden_attempt_duration_seconds_count', { agent: 'flaky', outcome: 'error' })).toBe(9);
    expect(delta('warden_fallback_hops_total', { workflow: 'chain', agent: 'good' })).toBe(3);
    expect(delta('warden_tasks_submitted_total', { workflow: 'chain' })).toBe(3);
    expect(delta('warden_tasks_ended_total', { workflow: 'chain', status: 'completed' })).toBe(3);
    expect(delta('warden_task_duration_seconds_count', { workflow: 'chain', status: 'completed' })).toBe(3);
  });

  it('counts degraded and failed tasks, the escalations they open and their deliveries', async () => {
    const before = await scrape();
    expect((await run('doomed')).status).toBe('degraded');
    expect((await run('hopeless')).status).toBe('failed');
    // The outbox sends after the task's final step: wait (real time, no backoff) for the log channel.
    let delta = (_name: string, _labels: Record<string, string>) => 0;
    await until(async () => {
      const m = await scrape();
      delta = (name, labels) => m.sum(name, labels) - before.sum(name, labels);
      return (
        delta('warden_escalation_deliveries_total', { channel: 'console', outcome: 'sent' }) >= 2 &&
        delta('warden_escalation_deliveries_total', { channel: 'pager', outcome: 'failed' }) >= 2
      );
    }, 10_000);
    expect(delta('warden_tasks_ended_total', { workflow: 'doomed', status: 'degraded' })).toBe(1);
    expect(delta('warden_tasks_ended_total', { workflow: 'hopeless', status: 'failed' })).toBe(1);
    expect(delta('warden_escalations_total', {})).toBe(2);
    expect(delta('warden_escalation_deliveries_total', { channel: 'console', outcome: 'failed' })).toBe(0);
    expect(delta('warden_escalation_deliveries_total', { channel: 'pager', outcome: 'sent' })).toBe(0);
    expect(delta('warden_attempts_total', { agent: 'broken', outcome: 'error' })).toBe(2);
  });

  it('shows a circuit open as 2 and closed again after a reset', async () => {
    expect((await run('snap')).status).toBe('failed');
    expect((await scrape()).value('warden_circuit_state', { agent: 'fragile' })).toBe(2);
    expect((await scrape()).value('warden_circuit_transitions_total', { agent: 'fragile', to: 'open' })).toBe(1);
    expect((await api.req('POST', '/api/agents/fragile/circuit/reset')).status).toBe(200);
    expect((await scrape()).value('warden_circuit_state', { agent: 'fragile' })).toBe(0);
  });

  it('gauges live tasks by status', async () => {
    const res = await api.req('POST', '/api/tasks', { workflow: 'slow', input: {} });
    await until(async () => (await scrape()).value('warden_tasks_active', { status: 'running' }) === 1 || undefined, 10_000);
    expect((await api.req('POST', `/api/tasks/${res.json.id}/cancel`)).json.status).toBe('cancelled');
    const m = await scrape();
    expect(m.value('warden_tasks_active', { status: 'running' })).toBe(0);
    expect(m.value('warden_tasks_active', { status: 'queued' })).toBe(0);
    expect(m.sum('warden_tasks_ended_total', { workflow: 'slow', status: 'cancelled' })).toBe(1);
  });

  it('keeps one registry per engine: another attached registry starts from zero', async () => {
    const other = attachMetrics(api.engine, { defaultMetrics: false });
    try {
      const m = parsePrometheus(await other.text());
      expect(m.sum('warden_attempts_total')).toBe(0);
      expect(m.types.has('nodejs_eventloop_lag_seconds')).toBe(false);
      await run('easy');
      expect(parsePrometheus(await other.text()).sum('warden_attempts_total', { agent: 'good', outcome: 'ok' })).toBe(1);
    } finally {
      other.close();
    }
  });
});

describe('GET /metrics with a real supervisor', () => {
  let sup: ApiApp;
  let clock: SimulatedClock;
  let down: HealthServer;
  let up: HealthServer;

  beforeAll(async () => {
    clock = new SimulatedClock(Date.parse('2026-03-01T00:00:00.000Z'));
    down = await startHealthServer();
    up = await startHealthServer();
    const probe = (url: string) => ({ type: 'http', url, intervalMs: '10s', timeoutMs: '1s', failureThreshold: 2 });
    sup = await apiApp({
      config: {
        agents: {
          probed: { adapter: { type: 'simulated', latencyMs: 0 }, healthCheck: probe(down.url) },
          steady: { adapter: { type: 'simulated', latencyMs: 0 }, healthCheck: probe(up.url) },
        },
        supervisor: { checks: [] },
      },
      workflows: [{ name: 'easy', agent: 'steady' }],
      clock,
    });
  });
  afterAll(async () => {
    await sup?.close();
    await Promise.all([down?.turnOff(), up?.turnOff()]);
  });

  const state = async (component: string) => {
    const m = parsePrometheus(await (await sup.app.request('/metrics')).text());
    return SUPERVISOR_STATES.filter((s) => m.value('warden_supervisor_state', { component, state: s }) === 1);
  };
  const drive = (done: () => boolean) => driveUntil(clock, done, [sup.engine, sup.engine.supervisor!]);
  const component = (name: string) => sup.engine.supervisor!.component(name)!;

  it("reports each component's state as the supervisor moves it, and the health that follows", async () => {
    await drive(() => component('probed').state === 'healthy' && component('steady').state === 'healthy');
    expect(await state('agent:probed')).toEqual(['healthy']);
    expect(await state('agent:steady')).toEqual(['healthy']);

    // The probed agent's endpoint goes away: one failed probe makes it suspect…
    await down.turnOff();
    await drive(() => component('probed').state === 'suspect');
    expect(await state('agent:probed')).toEqual(['suspect']);
    const m = parsePrometheus(await (await sup.app.request('/metrics')).text());
    expect(m.types.get('warden_supervisor_state')).toBe('gauge');
    expect(m.value('warden_supervisor_state', { component: 'agent:probed', state: 'healthy' })).toBe(0);
    expect(await state('agent:steady')).toEqual(['healthy']);
    const health = await sup.req('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.json.status).toBe('degraded');
    expect(health.json.components.map((c: { name: string; status: string }) => [c.name, c.status])).toEqual([
      ['engine', 'healthy'],
      ['store', 'healthy'],
      ['agent:probed', 'degraded'],
      ['agent:steady', 'healthy'],
      ['channel:console', 'healthy'],
      ['supervisor', 'healthy'],
    ]);

    // …a second makes it unhealthy, and with no recovery ladder it is escalated at once.
    await drive(() => component('probed').state === 'escalated');
    expect(await state('agent:probed')).toEqual(['escalated']);
    expect(await state('agent:steady')).toEqual(['healthy']);
  });
});
