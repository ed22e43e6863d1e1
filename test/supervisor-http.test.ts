import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../src/clock/index.js';
import { createEngine } from '../src/lifecycle/createEngine.js';
import type { Engine } from '../src/lifecycle/Engine.js';
import { silentLogger } from '../src/lifecycle/logger.js';
import { TERMINAL_STATUSES } from '../src/lifecycle/types.js';
import { registerSupervisorRoutes } from '../src/http/routes/supervisor.js';
import { MemoryStore } from '../src/store/MemoryStore.js';
import type { Supervisor } from '../src/supervisor/Supervisor.js';
import { driveUntil } from './helpers/driveClock.js';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

/** A real agent health endpoint whose answer the test flips, and the hooks a recovery can call. */
interface AgentServer {
  base: string;
  healthy: boolean;
  fixes: unknown[];
  close(): Promise<void>;
}

async function startAgentServer(): Promise<AgentServer> {
  const state = { healthy: true, fixes: [] as unknown[] };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/health') return void res.writeHead(state.healthy ? 200 : 503).end();
      if (req.url === '/fix' && req.method === 'POST') {
        state.fixes.push(JSON.parse(body));
        state.healthy = true;
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"fixed":true}');
      }
      if (req.url === '/broken-fix') return void res.writeHead(500).end();
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    base,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  }) as AgentServer;
}

let server: AgentServer;
let clock: SimulatedClock;
let engine: Engine | undefined;

beforeEach(async () => {
  server = await startAgentServer();
  clock = new SimulatedClock(T0);
});

afterEach(async () => {
  await engine?.stop({ drainTimeoutMs: 0 });
  engine = undefined;
  await server.close();
});

async function start(
  agents: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  workflows: object[] = [],
  store = new MemoryStore(),
): Promise<[Engine, Supervisor]> {
  const config = { agents, supervisor: { checks: [] }, store: 'memory:', ...extra };
  engine = await createEngine({ config, workflows, store, clock, random: () => 0.5, logger: silentLogger });
  return [engine, engine.supervisor!];
}

const probe = (over: Record<string, unknown> = {}) => ({
  type: 'http',
  url: `${server.base}/health`,
  intervalMs: '10s',
  timeoutMs: '1s',
  failureThreshold: 2,
  ...over,
});
const simulated = { type: 'simulated', latencyMs: 10 };
const rows = (s: Supervisor, name: string) =>
  s.transitions(name).map((t) => [t.at, t.from, t.to, t.event, t.strategy ?? '-', t.detail ?? '-']);

describe('an agent with an HTTP health probe', () => {
  it('goes suspect → unhealthy → recovering → verifying → healthy when a webhook strategy fixes it, on the injected clock', async () => {
    const [e, sup] = await start({
      probed: { adapter: simulated, healthCheck: probe(), recovery: [{ strategy: 'webhook', url: `${server.base}/fix` }] },
    });
    const readiness: string[] = [];
    sup.on('transition', (t) => readiness.push(`${t.to}:${e.agents.get('probed')!.health}`));
    await driveUntil(clock, () => sup.component('probed')!.state === 'healthy', [e, sup]);
    server.healthy = false;
    await driveUntil(clock, () => sup.transitions('probed').length === 6, [e, sup]);

    const fix = `POST ${server.base}/fix → HTTP 200`;
    expect(rows(sup, 'agent:probed')).toEqual([
      [at(0), 'starting', 'healthy', 'CHECK_OK', '-', 'HTTP 200'],
      [at(10_000), 'healthy', 'suspect', 'CHECK_FAILED', '-', 'HTTP 503'],
      [at(20_000), 'suspect', 'unhealthy', 'CHECK_FAILED', '-', 'HTTP 503'],
      [at(20_000), 'unhealthy', 'recovering', 'RECOVER', 'webhook', '-'],
      [at(20_000), 'recovering', 'verifying', 'RECOVERY_OK', 'webhook', fix],
      [at(20_000), 'verifying', 'healthy', 'CHECK_OK', 'webhook', 'HTTP 200'],
    ]);
    // Routing reads readiness: pulled while unhealthy, recovering and verifying; back once healthy.
    expect(readiness).toEqual([
      'healthy:healthy',
      'suspect:healthy',
      'unhealthy:unhealthy',
      'recovering:unhealthy',
      'verifying:unhealthy',
      'healthy:healthy',
    ]);
    expect(server.fixes).toEqual([
      expect.objectContaining({
        component: 'agent:probed',
        kind: 'agent',
        agent: 'probed',
        check: 'http',
        strategyIndex: 0,
        at: at(20_000),
      }),
    ]);
    expect((server.fixes[0] as { history: { ok: boolean }[] }).history.map((h) => h.ok)).toEqual([true, false, false]);
    expect(sup.component('probed')).toMatchObject({
      name: 'agent:probed',
      kind: 'agent',
      state: 'healthy',
      health: 'healthy',
      lastCheck: { at: at(20_000), ok: true },
    });
    expect(await e.store.listEscalations()).toEqual([]);
  });

  it('escalates with the health history, each strategy tried and the transitions when recovery fails, and resolves when the agent comes back', async () => {
    const [e, sup] = await start({
      probed: {
        adapter: simulated,
        healthCheck: probe({ failureThreshold: 1 }),
        recovery: [{ strategy: 'reset-circuit' }, { strategy: 'webhook', url: `${server.base}/broken-fix` }],
        escalateSeverity: 'critical',
      },
    });
    await driveUntil(clock, () => sup.component('probed')!.state === 'healthy', [e, sup]);
    server.healthy = false;
    await driveUntil(clock, () => sup.component('probed')!.state === 'escalated', [e, sup]);

    expect(rows(sup, 'probed').slice(1)).toEqual([
      [at(10_000), 'healthy', 'unhealthy', 'CHECK_FAILED', '-', 'HTTP 503'],
      [at(10_000), 'unhealthy', 'recovering', 'RECOVER', 'reset-circuit', '-'],
      [at(10_000), 'recovering', 'verifying', 'RECOVERY_OK', 'reset-circuit', 'circuit closed → closed'],
      [at(10_000), 'verifying', 'recovering', 'CHECK_FAILED', 'webhook', 'HTTP 503'],
      [at(10_000), 'recovering', 'escalated', 'RECOVERY_FAILED', 'webhook', `POST ${server.base}/broken-fix → HTTP 500`],
    ]);
    const [incident, ...more] = await e.store.listEscalations();
    expect(more).toEqual([]);
    expect(incident).toMatchObject({
      workflow: 'agent:probed',
      severity: 'critical',
      status: 'open',
      finalErrorCode: 'RECOVERY_FAILED',
      agentsTried: ['probed'],
    });
    expect(incident!.details).toMatchObject({
      component: 'agent:probed',
      state: 'escalated',
      healthHistory: [
        { at: at(0), ok: true, detail: 'HTTP 200', value: 200 },
        { at: at(10_000), ok: false, detail: 'HTTP 503', value: 503 },
        { at: at(10_000), ok: false, detail: 'HTTP 503', value: 503 },
      ],
      strategies: [
        { strategy: 'reset-circuit', index: 0, ok: true, verified: false, detail: 'circuit closed → closed' },
        { strategy: 'webhook', index: 1, ok: false, detail: `POST ${server.base}/broken-fix → HTTP 500` },
      ],
    });
    expect(incident!.timeline!.map((t) => [t.seq, t.from, t.to, t.event])).toEqual([
      [1, 'starting', 'healthy', 'CHECK_OK'],
      [2, 'healthy', 'unhealthy', 'CHECK_FAILED'],
      [3, 'unhealthy', 'recovering', 'RECOVER'],
      [4, 'recovering', 'verifying', 'RECOVERY_OK'],
      [5, 'verifying', 'recovering', 'CHECK_FAILED'],
      [6, 'recovering', 'escalated', 'RECOVERY_FAILED'],
    ]);
    expect(incident!.timeline![5]!.detail).toEqual({ reason: `webhook: POST ${server.base}/broken-fix → HTTP 500` });

    server.healthy = true;
    await driveUntil(clock, () => sup.component('probed')!.state === 'healthy', [e, sup]);
    await sup.settled();
    expect(rows(sup, 'probed').at(-1)).toEqual([at(20_000), 'escalated', 'healthy', 'CHECK_OK', '-', 'HTTP 200']);
    expect(await e.store.listEscalations()).toEqual([
      expect.objectContaining({ id: incident!.id, status: 'resolved', resolvedBy: 'supervisor' }),
    ]);
  });

  it('halves the bulkhead and drains the agent while recovering, and restores both once it is healthy', async () => {
    const [e, sup] = await start({
      probed: {
        adapter: simulated,
        maxConcurrency: 5,
        healthCheck: probe({ failureThreshold: 1 }),
        recovery: [{ strategy: 'reduce-concurrency' }, { strategy: 'drain' }],
      },
    });
    const slot = e.agents.get('probed')!;
    await driveUntil(clock, () => sup.component('probed')!.state === 'healthy', [e, sup]);
    const seen: [string, string, number, boolean][] = [];
    sup.on('transition', (t) => {
      seen.push([t.to, t.strategy ?? '-', slot.bulkhead.limit, slot.drained]);
      // The second strategy "works": the agent answers its probe again.
      if (t.to === 'verifying' && t.strategy === 'drain') server.healthy = true;
    });
    server.healthy = false;
    await driveUntil(clock, () => seen.at(-1)?.[0] === 'healthy', [e, sup]);
    expect(seen).toEqual([
      ['unhealthy', '-', 5, false],
      ['recovering', 'reduce-concurrency', 5, false],
      ['verifying', 'reduce-concurrency', 2, false],
      ['recovering', 'drain', 2, false],
      ['verifying', 'drain', 2, true],
      ['healthy', 'drain', 2, true],
    ]);
    // Restored once healthy (listeners hear of the transition first).
    expect([slot.bulkhead.limit, slot.drained]).toEqual([5, false]);
    expect(e.agentViews()[0]).toMatchObject({ maxConcurrency: 5, health: { status: 'healthy' } });
  });

  it('routes new tasks around an unhealthy agent to the next of its fallback chain, spending no attempt on it', async () => {
    server.healthy = false;
    const [e, sup] = await start(
      {
        primary: { adapter: simulated, healthCheck: probe({ failureThreshold: 1 }) },
        backup: { adapter: simulated },
      },
      { fallbackChains: { primary: ['backup'] } },
      [{ name: 'review', agent: 'primary' }],
    );
    await driveUntil(clock, () => sup.component('primary')!.state === 'escalated', [e, sup]);
    expect(e.agents.get('primary')!.health).toBe('unhealthy');

    const run = async () => {
      const { id } = await e.submit('review', { n: 1 });
      await driveUntil(clock, async () => TERMINAL_STATUSES.has((await e.get(id))!.status), [e, sup]);
      return [(await e.get(id))!, await e.transitions(id)] as const;
    };
    const [task, transitions] = await run();
    expect(task).toMatchObject({ status: 'completed', answeredBy: 'backup' });
    expect(task.attempts.map((a) => a.agent)).toEqual(['backup']);
    expect(transitions.find((t) => t.event === 'ROUTED')).toMatchObject({
      agent: 'backup',
      attempt: 1,
      detail: { skipped: [{ agent: 'primary', reason: 'unhealthy' }] },
    });

    // The same workflow goes back to the primary once it passes its probe again.
    server.healthy = true;
    await driveUntil(clock, () => sup.component('primary')!.state === 'healthy', [e, sup]);
    const [again] = await run();
    expect(again).toMatchObject({ status: 'completed', answeredBy: 'primary' });
    expect(again.attempts.map((a) => a.agent)).toEqual(['primary']);
  });
});

describe('the supervisor API and history', () => {
  it('shows each component with its recent transitions on GET /api/supervisor and /api/supervisor/:name, and 404s an unknown name', async () => {
    const [e, sup] = await start({ probed: { adapter: simulated, healthCheck: probe() } }, { supervisor: { checks: ['heap'] } });
    await driveUntil(clock, () => sup.components().every((c) => c.state === 'healthy'), [e, sup]);
    const app = new Hono();
    registerSupervisorRoutes(app, e);

    const list = await app.request('/api/supervisor');
    expect(list.status).toBe(200);
    const body = (await list.json()) as { components: Record<string, unknown>[] };
    expect(body.components.map((c) => [c.name, c.kind, c.check, c.state, c.health])).toEqual([
      ['agent:probed', 'agent', 'http', 'healthy', 'healthy'],
      ['system:heap', 'system', 'heap', 'healthy', 'healthy'],
    ]);
    expect(body.components[0]).toEqual({
      name: 'agent:probed',
      kind: 'agent',
      agent: 'probed',
      check: 'http',
      state: 'healthy',
      health: 'healthy',
      lastCheck: { at: at(0), ok: true, detail: 'HTTP 200', value: 200 },
      transitions: [
        { seq: 1, at: at(0), component: 'agent:probed', from: 'starting', to: 'healthy', event: 'CHECK_OK', detail: 'HTTP 200' },
      ],
    });

    for (const name of ['agent:probed', 'probed']) {
      const one = await app.request(`/api/supervisor/${name}?limit=0`);
      expect(one.status).toBe(200);
      expect(await one.json()).toMatchObject({ name: 'agent:probed', state: 'healthy', transitions: [] });
    }
    const missing = await app.request('/api/supervisor/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no supervised component "nope"' } });
    expect((await app.request('/api/supervisor?limit=-1')).status).toBe(400);
  });

  it('keeps its transitions across a restart on the same store, and checks the state afresh', async () => {
    const store = new MemoryStore();
    const agents = { probed: { adapter: simulated, healthCheck: probe({ failureThreshold: 1 }) } };
    let [e, sup] = await start(agents, {}, [], store);
    await driveUntil(clock, () => sup.component('probed')!.state === 'healthy', [e, sup]);
    server.healthy = false;
    await driveUntil(clock, () => sup.component('probed')!.state === 'escalated', [e, sup]);
    await e.stop({ drainTimeoutMs: 0 });

    server.healthy = true;
    [e, sup] = await start(agents, {}, [], store);
    expect(sup.component('probed')!.state).toBe('starting');
    await driveUntil(clock, () => sup.component('probed')!.state === 'healthy', [e, sup]);
    await sup.settled();
    expect(sup.transitions('probed').map((t) => [t.seq, t.from, t.to])).toEqual([
      [1, 'starting', 'healthy'],
      [2, 'healthy', 'unhealthy'],
      [3, 'unhealthy', 'escalated'],
      [4, 'starting', 'healthy'],
    ]);
    // The incident the first run opened is resolved by the second once the agent is healthy.
    expect((await e.store.listEscalations()).map((x) => x.status)).toEqual(['resolved']);
  });
});
