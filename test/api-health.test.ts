/**
 * Health a prober can use: `/livez`, `/readyz` and the `/api/health` report, in process. An agent
 * or a channel that is down makes Warden `degraded` (200), never 503; only a Warden that cannot
 * take work (starting, draining, the store not answering) is `unhealthy` and not ready.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiApp, type ApiApp } from './helpers/apiApp.js';
import { until } from './helpers/warden.js';

const TOKEN = 'health-api-token-5e1c';
let api: ApiApp | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await api?.close();
  api = undefined;
});

/**
 * `primary` is supervised by an HTTP health check against the discard port, where nothing
 * listens, so it goes down at its first check; `backup`, its fallback, has no check and serves.
 * The Slack channel points at the discard port too.
 */
async function start(): Promise<ApiApp> {
  api = await apiApp({
    config: {
      agents: {
        primary: {
          adapter: { type: 'simulated', latencyMs: 0 },
          healthCheck: { type: 'http', url: 'http://127.0.0.1:9/health', intervalMs: '1h', timeoutMs: '2s', failureThreshold: 1 },
        },
        backup: { adapter: { type: 'simulated', latencyMs: 0, output: { ok: true } } },
        sleeper: { adapter: { type: 'simulated', latencyMs: '1h' }, timeoutMs: '2h' },
      },
      fallbackChains: { primary: ['backup'] },
      supervisor: { checks: ['store'] },
      escalation: {
        channels: {
          console: { type: 'log' },
          pager: { type: 'slack', channel: '#pager', tokenEnv: 'HEALTH_SLACK_TOKEN', apiUrl: 'http://127.0.0.1:9' },
        },
        severities: { medium: { channels: ['console'] } },
      },
    },
    workflows: [
      { name: 'review', agent: 'primary' },
      { name: 'slow', agent: 'sleeper' },
    ],
    env: { HEALTH_SLACK_TOKEN: 'xoxb-health-test' },
    app: { apiToken: TOKEN },
  });
  return api;
}

const auth = { authorization: `Bearer ${TOKEN}` };
const named = (report: { components: { name: string }[] }, name: string) => report.components.find((c) => c.name === name);

describe('the probes', () => {
  it('answers /livez and /readyz without a token while /api/health still needs one', async () => {
    const a = await start();
    const live = await a.req('GET', '/livez');
    expect([live.status, live.json]).toEqual([200, { status: 'alive' }]);
    expect(live.headers.get('cache-control')).toBe('no-store');
    const ready = await a.req('GET', '/readyz');
    expect([ready.status, ready.json]).toEqual([200, { status: 'ready' }]);
    expect((await a.req('GET', '/api/health')).status).toBe(401);
    expect((await a.req('GET', '/api/health', undefined, auth)).status).toBe(200);
  });

  it("stays 200 and ready when an agent's health check fails and its fallback serves, reporting Warden degraded", async () => {
    const a = await start();
    await until(async () => a.engine.supervisor?.component('primary')?.health === 'unhealthy');
    const task = await a.engine.result((await a.req('POST', '/api/tasks', { workflow: 'review', input: {} }, auth)).json.id);
    expect(task).toMatchObject({ status: 'completed', answeredBy: 'backup' });

    const health = await a.req('GET', '/api/health', undefined, auth);
    expect(health.status).toBe(200);
    expect(health.json.status).toBe('degraded');
    expect(named(health.json, 'agent:primary')).toMatchObject({
      kind: 'agent',
      status: 'unhealthy',
      health: 'unhealthy',
      circuit: 'closed',
    });
    expect(named(health.json, 'agent:backup')).toMatchObject({ kind: 'agent', status: 'healthy' });
    expect((await a.req('GET', '/readyz')).status).toBe(200);
    expect((await a.req('GET', '/livez')).status).toBe(200);
  });

  it('reports a channel that cannot be reached, with its error, as degraded, never 503', async () => {
    const a = await start();
    await a.engine.escalations.verifyChannels();
    const health = await a.req('GET', '/api/health', undefined, auth);
    expect(health.status).toBe(200);
    expect(health.json.status).toBe('degraded');
    expect(named(health.json, 'channel:pager')).toMatchObject({
      kind: 'channel',
      type: 'slack',
      status: 'unhealthy',
      via: 'verify',
      error: { code: 'CHANNEL_UNREACHABLE', message: expect.stringContaining('slack channel "pager": auth.test failed') },
    });
    expect(named(health.json, 'channel:console')).toMatchObject({ kind: 'channel', type: 'log', status: 'healthy' });
    expect((await a.req('GET', '/readyz')).status).toBe(200);
  });

  it('lists the engine, the store, each agent, each channel, the supervisor and its system checks', async () => {
    const a = await start();
    const health = await a.req('GET', '/api/health', undefined, auth);
    expect(health.json.components.map((c: { name: string }) => c.name)).toEqual([
      'engine',
      'store',
      'agent:primary',
      'agent:backup',
      'agent:sleeper',
      'channel:console',
      'channel:pager',
      'supervisor',
      'system:store',
    ]);
    expect(named(health.json, 'engine')).toEqual({
      name: 'engine',
      kind: 'engine',
      status: 'healthy',
      phase: 'running',
      detail: 'accepting tasks',
    });
    expect(named(health.json, 'store')).toMatchObject({
      kind: 'store',
      status: 'healthy',
      store: 'memory',
      detail: expect.stringMatching(/^memory store answered in \d+ ms$/),
    });
    expect(named(health.json, 'supervisor')).toMatchObject({ kind: 'supervisor', status: 'healthy' });
  });

  it('is not ready, and unhealthy with 503, while the store does not answer; alive all the same', async () => {
    const a = await start();
    vi.spyOn(a.engine.store, 'getTask').mockRejectedValue(new Error('SQLITE_BUSY: database is locked'));
    const ready = await a.req('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ status: 'not-ready', reason: 'memory store did not answer: SQLITE_BUSY: database is locked' });
    const health = await a.req('GET', '/api/health', undefined, auth);
    expect(health.status).toBe(503);
    expect(health.json.status).toBe('unhealthy');
    expect(named(health.json, 'store')).toMatchObject({
      status: 'unhealthy',
      detail: 'memory store did not answer: SQLITE_BUSY: database is locked',
    });
    expect((await a.req('GET', '/livez')).status).toBe(200);

    vi.restoreAllMocks();
    expect((await a.req('GET', '/readyz')).status).toBe(200);
  });

  it('is not ready while draining, and says so', async () => {
    const a = await start();
    await a.req('POST', '/api/tasks', { workflow: 'slow', input: {} }, auth);
    await until(async () => a.engine.agentViews().find((v) => v.id === 'sleeper')!.inFlight === 1);
    const stopped = a.engine.stop({ drainTimeoutMs: 300 });
    const ready = await a.req('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ status: 'not-ready', reason: 'draining: accepting no tasks' });
    const health = await a.req('GET', '/api/health', undefined, auth);
    expect(health.status).toBe(503);
    expect(named(health.json, 'engine')).toMatchObject({ status: 'unhealthy', phase: 'stopping' });
    expect((await a.req('GET', '/livez')).status).toBe(200);
    await stopped;
  });
});
