/**
 * `GET /api/events`: one `transition` event per task transition, with the store's stream id as the
 * SSE id. A client cut off mid-stream that reconnects with `Last-Event-ID` misses no transition and
 * sees none twice, whatever happened while it was away. Also the live-only event kinds.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../src/clock/index.js';
import { apiApp, type ApiApp } from './helpers/apiApp.js';
import { driveUntil } from './helpers/driveClock.js';
import { startHealthServer, type HealthServer } from './helpers/healthServer.js';
import { SseClient } from './helpers/sseClient.js';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { api, startWarden, until, type WardenProcess } from './helpers/warden.js';

interface TransitionEvent {
  taskId: string;
  seq: number;
  from: string | null;
  to: string;
  event: string;
  eventId: number;
  $id?: string;
}

const TERMINAL = new Set(['completed', 'degraded', 'failed', 'cancelled']);
const noDelay = { initialDelayMs: 0, maxDelayMs: 0, jitter: 'none' };
const config = {
  agents: {
    good: { adapter: { type: 'simulated', latencyMs: [1, 15] } },
    flaky: {
      adapter: { type: 'simulated', latencyMs: [1, 10], failureRate: 1 },
      retry: { maxAttempts: 2, ...noDelay },
      circuitBreaker: { failureThreshold: 10_000 },
    },
    // Transient failures (a permanent one says nothing of the agent's health, so it moves no circuit).
    broken: {
      adapter: { type: 'simulated', latencyMs: 0, failureRate: 1 },
      retry: { maxAttempts: 1 },
      circuitBreaker: { failureThreshold: 1 },
    },
  },
  fallbackChains: { flaky: ['good'] },
  escalation: {
    channels: { console: { type: 'log' } },
    severities: { medium: { channels: ['console'] }, high: { channels: ['console'] } },
  },
};
const workflows = [
  { name: 'easy', agent: 'good' },
  { name: 'chain', agent: 'flaky' },
  { name: 'doomed', agent: 'broken', degraded: { response: { status: 'degraded' } } },
];

describe.each(['memory', 'sqlite'])('with the %s store', (kind) => {
  let tmp: TempConfig;
  let warden: WardenProcess;

  beforeAll(async () => {
    tmp = await writeTempConfig({ ...config, store: 'memory:' }, workflows);
    const store = kind === 'memory' ? 'memory:' : `sqlite:${path.join(tmp.dir, 'warden.db')}`;
    warden = await startWarden(['--config', tmp.configPath, '--store', store]);
  });
  afterAll(async () => {
    await warden?.stop();
    await tmp?.remove();
  });

  const submit = async (workflow: string) => {
    const res = await api(warden.url, 'POST', '/api/tasks', { workflow, input: {} });
    expect(res.status, res.text).toBe(202);
    return res.body.id as string;
  };
  const submitMany = (n: number) => Promise.all(Array.from({ length: n }, (_, i) => submit(i % 2 ? 'easy' : 'chain')));
  const transitionsOf = async (id: string) =>
    (await api(warden.url, 'GET', `/api/tasks/${id}/transitions`)).body.transitions as { seq: number; to: string }[];
  const allDone = (ids: string[]) =>
    until(async () => {
      for (const id of ids) if (!TERMINAL.has((await api(warden.url, 'GET', `/api/tasks/${id}`)).body.status)) return false;
      return true;
    });

  it('replays exactly the missed transitions to a client that reconnects with Last-Event-ID', async () => {
    // Connect from the start of the stream, so that nothing before the first task is missed.
    const first = await SseClient.open(`${warden.url}/api/events`, { 'last-event-id': '0' });
    expect(first.status).toBe(200);
    expect(first.headers?.get('content-type')).toMatch(/^text\/event-stream/);
    const batchA = await submitMany(8);
    // Cut the connection while the tasks are still moving.
    await first.until((evs) => evs.filter((e) => e.event === 'transition').length >= 20);
    await first.close();
    const seenFirst = first.of<TransitionEvent>('transition');
    const lastId = seenFirst.at(-1)!.$id!;

    const batchB = await submitMany(8);
    const everyTask = [...batchA, ...batchB];
    await allDone(everyTask);
    const expected = new Map<string, number>();
    for (const id of everyTask) expected.set(id, (await transitionsOf(id)).length);
    const total = [...expected.values()].reduce((a, b) => a + b, 0);

    const second = await SseClient.open(`${warden.url}/api/events`, { 'last-event-id': lastId });
    await second.until((evs) => seenFirst.length + evs.filter((e) => e.event === 'transition').length >= total);
    await second.close();
    const seenSecond = second.of<TransitionEvent>('transition');

    // Every event carries its stream id as the SSE id, increasing within each connection.
    for (const seen of [seenFirst, seenSecond]) {
      for (const e of seen) expect(e.$id).toBe(String(e.eventId));
      const ids = seen.map((e) => e.eventId);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(seenSecond[0]!.eventId).toBeGreaterThan(Number(lastId));

    // Together, the two connections hold every transition of every task exactly once, in order.
    const union = [...seenFirst, ...seenSecond].filter((e) => expected.has(e.taskId));
    expect(union).toHaveLength(total);
    for (const id of everyTask) {
      const streamed = union.filter((e) => e.taskId === id).map((e) => `${e.seq}:${e.from}>${e.to}:${e.event}`);
      const stored = (await transitionsOf(id)).map((t: any) => `${t.seq}:${t.from}>${t.to}:${t.event}`);
      expect(streamed, id).toEqual(stored);
    }
  });

  it('starts at the present without Last-Event-ID, and sends escalation and circuit events without an id', async () => {
    const old = await submit('easy');
    await allDone([old]);
    const live = await SseClient.open(`${warden.url}/api/events`);
    // The stream's start point is set once the server has read the head; keep submitting until it shows.
    const fresh: string[] = [];
    await until(async () => {
      fresh.push(await submit('easy'));
      await new Promise((r) => setTimeout(r, 20));
      return live.events.length > 0;
    });
    const doomed = await submit('doomed');
    await allDone([...fresh, doomed]);
    await live.until((evs) => evs.some((e) => e.event === 'escalation') && evs.some((e) => e.event === 'circuit'));
    const doomedCount = (await transitionsOf(doomed)).length;
    await live.until((evs) => evs.filter((e) => e.event === 'transition' && JSON.parse(e.data).taskId === doomed).length === doomedCount);
    await live.close();

    const transitions = live.of<TransitionEvent>('transition');
    expect(transitions.some((t) => t.taskId === old)).toBe(false);
    const last = fresh.at(-1)!;
    expect(transitions.filter((t) => t.taskId === last).map((t) => t.seq)).toEqual((await transitionsOf(last)).map((t) => t.seq));

    const escalation = live
      .of<{ change: string; escalation: { taskId: string; status: string } }>('escalation')
      .find((e) => e.escalation.taskId === doomed);
    expect(escalation).toMatchObject({ change: 'open', escalation: { status: 'open' } });
    expect(live.of('circuit').find((c) => c.agent === 'broken')).toMatchObject({ agent: 'broken', from: 'closed', to: 'open' });
    for (const e of live.events) if (e.event !== 'transition') expect(e.id, e.event).toBeUndefined();
  });

  it('treats a Last-Event-ID that is not a stream id as no id', async () => {
    const res = await SseClient.open(`${warden.url}/api/events?lastEventId=banana`);
    expect(res.status).toBe(200);
    await res.close();
  });
});

describe('supervisor events (in-process, a real supervisor)', () => {
  let a: ApiApp;
  let clock: SimulatedClock;
  let health: HealthServer;
  beforeAll(async () => {
    clock = new SimulatedClock(Date.parse('2026-03-01T00:00:00.000Z'));
    health = await startHealthServer();
    a = await apiApp({
      config: {
        agents: {
          probed: {
            adapter: { type: 'simulated', latencyMs: 0 },
            healthCheck: { type: 'http', url: health.url, intervalMs: '10s', timeoutMs: '1s', failureThreshold: 2 },
          },
        },
        supervisor: { checks: [] },
      },
      workflows: [{ name: 'easy', agent: 'probed' }],
      clock,
    });
  });
  afterAll(async () => {
    await a?.close();
    await health?.turnOff();
  });

  it("streams the supervisor's transitions as `supervisor` events, as it records them", async () => {
    const sup = a.engine.supervisor!;
    const drive = (done: () => boolean) => driveUntil(clock, done, [a.engine, sup]);
    await drive(() => sup.component('probed')!.state === 'healthy');
    const before = sup.transitions('agent:probed').length;
    const listeners = sup.listenerCount('transition');

    const client = await SseClient.open('http://in-process/api/events', {}, (url, init) => Promise.resolve(a.app.request(url, init)));
    // The stream subscribes once its handler runs: wait for that before anything moves.
    await until(async () => sup.listenerCount('transition') === listeners + 1);
    await health.turnOff();
    await drive(() => sup.component('probed')!.state === 'escalated');
    const recorded = sup.transitions('agent:probed').slice(before);
    expect(recorded.map((t) => t.to)).toEqual(['suspect', 'unhealthy', 'escalated']);
    await client.until((evs) => evs.filter((e) => e.event === 'supervisor').length === recorded.length);
    await client.close();

    expect(client.of('supervisor')).toEqual(JSON.parse(JSON.stringify(recorded)));
    for (const e of client.events) if (e.event === 'supervisor') expect(e.id).toBeUndefined();
    expect(sup.listenerCount('transition')).toBe(listeners);
  });
});
